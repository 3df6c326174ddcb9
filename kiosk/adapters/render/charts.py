"""Report charts as reportlab drawings (vector, no extra dependency), one axis set-up for all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from kiosk.adapters.render.report_tables import VISITOR_WORDS
from kiosk.domain import ikm
from kiosk.domain.counts import Counts
from kiosk.i18n import gettext, month_name

WIDTH = A4[0] - 36 * mm
TYPE_COLOURS = {
    "member": colors.HexColor("#1f77b4"),
    "guest": colors.HexColor("#ff7f0e"),
    "group": colors.HexColor("#2ca02c"),
}
YEAR_COLOURS = [colors.HexColor(c) for c in ("#d9d9d9", "#bdbdbd", "#8c8c8c")]
NEWEST_YEAR = colors.HexColor("#1f77b4")
THRESHOLD = colors.HexColor("#d62728")
GRID = colors.HexColor("#dddddd")


def nice_max(value: float) -> float:
    """A round axis maximum a little above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axes(
    chart: Any,
    names: Sequence[str],
    top: float,
    *,
    bottom: float = 0,
    step: float | None = None,
    label_size: float = 7,
) -> None:
    """Category names, a value axis from `bottom` to a round maximum, light grid lines."""
    chart.categoryAxis.categoryNames = list(names) or [""]
    chart.categoryAxis.labels.fontSize = label_size
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.valueAxis.valueMin = bottom
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step or (top - bottom) / 5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID


def _stack_by_type(chart: Any, counts: Sequence[Counts]) -> None:
    chart.data = [[getattr(c, k) for c in counts] for k in TYPE_COLOURS] or [[0]]
    chart.categoryAxis.style = "stacked"
    chart.barSpacing = 0
    for i, colour in enumerate(TYPE_COLOURS.values()):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None


def _legend(d: Drawing, pairs: list[tuple[Any, str]], x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.alignment = "right"  # swatch first, then the words
    legend.dx = legend.dy = 8
    legend.colorNamePairs = pairs
    d.add(legend)


def _type_legend(d: Drawing, lang: str, y: float) -> None:
    pairs = [(c, gettext(VISITOR_WORDS[k], lang)) for k, c in TYPE_COLOURS.items()]
    _legend(d, pairs, WIDTH - 85, y)


def _title(d: Drawing, text: str) -> None:
    d.add(String(0, d.height - 12, text, fontName="Helvetica-Bold", fontSize=10))


def stacked_bars(
    title: str,
    labels: Sequence[str],
    counts: Sequence[Counts],
    lang: str,
    height: float = 190,
    label_every: int = 1,
) -> Drawing:
    """Vertical bars stacked by visitor type, with a legend."""
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = WIDTH - 140, height - 60
    _stack_by_type(chart, counts)
    shown = [lab if i % label_every == 0 else "" for i, lab in enumerate(labels)]
    _axes(chart, shown, nice_max(max((c.total for c in counts), default=0)))
    chart.categoryAxis.labels.angle = 0 if max(map(len, labels), default=0) < 4 else 45
    chart.categoryAxis.labels.boxAnchor = "n" if chart.categoryAxis.labels.angle == 0 else "ne"
    chart.groupSpacing = 2 if len(labels) > 20 else 6
    d.add(chart)
    _type_legend(d, lang, height - 40)
    return d


def room_bars(title: str, rooms: dict[str, Counts], lang: str) -> Drawing:
    """Horizontal bars per room, stacked by visitor type, the busiest on top."""
    names = sorted(rooms, key=lambda r: rooms[r].total)
    height = 50 + 18 * max(len(names), 1)
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = 70, 20
    chart.width, chart.height = WIDTH - 180, height - 45
    _stack_by_type(chart, [rooms[r] for r in names])
    _axes(chart, names, nice_max(max((rooms[r].total for r in names), default=0)), label_size=8)
    d.add(chart)
    _type_legend(d, lang, height - 30)
    return d


def year_lines(title: str, per_year: dict[int, list[int]], lang: str) -> Drawing:
    """Month by month, one line per year: earlier years in greys, the newest in strong blue."""
    years = sorted(per_year)[-(len(YEAR_COLOURS) + 1) :]
    height = 200
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = WIDTH - 140, height - 60
    chart.data = [per_year[y] for y in years]
    months = [month_name(m, lang)[:3] for m in range(1, 13)]
    _axes(chart, months, nice_max(max((max(v) for v in chart.data), default=0)))
    colours = YEAR_COLOURS[len(YEAR_COLOURS) - len(years) + 1 :] + [NEWEST_YEAR]
    for i, colour in enumerate(colours):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 2.2 if i == len(years) - 1 else 1.2
    d.add(chart)
    pairs = [(c, str(y)) for c, y in zip(colours, years, strict=True)]
    _legend(d, pairs, WIDTH - 85, height - 40)
    return d


def element_bars(title: str, result: ikm.IkmResult) -> Drawing:
    """Each element's score (NRR x 25) on the 25-100 scale, with the category thresholds."""
    elements = list(reversed(result.elements))
    height = 50 + 20 * len(elements)
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45, 20
    chart.width, chart.height = WIDTH - 100, height - 45
    chart.data = [[float(e.score) if e.score is not None else 0 for e in elements]]
    _axes(chart, [e.code for e in elements], 100, bottom=25, step=12.5, label_size=8)
    chart.bars[0].fillColor = colors.HexColor("#1f77b4")
    chart.bars[0].strokeColor = None
    # The scores stand in a column right of the plot, clear of the bars and threshold lines.
    band = chart.height / max(len(elements), 1)
    for i, e in enumerate(elements):
        score = "-" if e.score is None else f"{float(e.score):.2f}"
        y = chart.y + (i + 0.5) * band - 2.5
        d.add(String(chart.x + chart.width + 8, y, score, fontName="Helvetica", fontSize=7))
    d.add(chart)
    # Lower bounds of the categories, so each bar reads against A / B / C / D.
    for cat in result.standard.categories[:-1]:
        x = chart.x + (float(cat.lower) - 25) / 75 * chart.width
        top = chart.y + chart.height
        dash = {"strokeColor": THRESHOLD, "strokeDashArray": [2, 2], "strokeWidth": 0.6}
        d.add(Line(x, chart.y, x, top + 4, **dash))
        bold = {"fontName": "Helvetica-Bold", "fontSize": 7, "fillColor": THRESHOLD}
        d.add(String(x + 2, top + 2, cat.letter, **bold))
    return d
