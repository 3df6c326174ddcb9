"""PDF reports (reportlab): visit charts and the satisfaction (IKM) report.

Charts are reportlab.graphics drawings (vector, no extra dependency). Text is Bahasa Indonesia
first, like the library's own annual reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kiosk.adapters.render.exports import MONTHS, WEEKDAYS, key_label, words
from kiosk.domain import ikm
from kiosk.services.reports import Counts, IkmReport, VisitReport

WIDTH = A4[0] - 36 * mm
TYPE_COLOURS = {
    "member": colors.HexColor("#1f77b4"),
    "guest": colors.HexColor("#ff7f0e"),
    "group": colors.HexColor("#2ca02c"),
}
YEAR_COLOURS = [colors.HexColor(c) for c in ("#d9d9d9", "#bdbdbd", "#8c8c8c")]
TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f2f2")]),
    ]
)


def _nice_max(value: float) -> float:
    """A round axis maximum a little above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fonts(chart: Any) -> None:
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontName = "Helvetica"


def _legend(d: Drawing, pairs: list[tuple[Any, str]], x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.alignment = "right"  # swatch first, then the words
    legend.dx = legend.dy = 8
    legend.colorNamePairs = pairs
    d.add(legend)


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
    w = words(lang)
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = WIDTH - 140, height - 60
    chart.data = [[getattr(c, k) for c in counts] for k in TYPE_COLOURS] or [[0]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [
        lab if i % label_every == 0 else "" for i, lab in enumerate(labels)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0 if max(map(len, labels), default=0) < 4 else 45
    chart.categoryAxis.labels.boxAnchor = "n" if chart.categoryAxis.labels.angle == 0 else "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max((c.total for c in counts), default=0))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 0
    chart.groupSpacing = 2 if len(labels) > 20 else 6
    for i, colour in enumerate(TYPE_COLOURS.values()):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    _fonts(chart)
    d.add(chart)
    _legend(d, [(c, w[k]) for k, c in TYPE_COLOURS.items()], WIDTH - 85, height - 40)
    return d


def room_bars(title: str, rooms: dict[str, Counts], lang: str) -> Drawing:
    names = sorted(rooms, key=lambda r: rooms[r].total)
    height = 50 + 18 * max(len(names), 1)
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = 70, 20
    chart.width, chart.height = WIDTH - 180, height - 45
    chart.data = [[getattr(rooms[r], k) for r in names] for k in TYPE_COLOURS] or [[0]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max((rooms[r].total for r in names), default=0))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 0
    for i, colour in enumerate(TYPE_COLOURS.values()):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    _fonts(chart)
    d.add(chart)
    pairs = [(c, words(lang)[k]) for k, c in TYPE_COLOURS.items()]
    _legend(d, pairs, WIDTH - 85, height - 30)
    return d


def year_lines(title: str, per_year: dict[int, list[int]], lang: str) -> Drawing:
    years = sorted(per_year)[-(len(YEAR_COLOURS) + 1) :]
    height = 200
    d = Drawing(WIDTH, height)
    _title(d, title)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = WIDTH - 140, height - 60
    chart.data = [per_year[y] for y in years]
    chart.categoryAxis.categoryNames = [m[:3] for m in MONTHS[lang].split()]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max((max(v) for v in chart.data), default=0))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    # Earlier years in greys, the newest year in strong blue.
    colours = YEAR_COLOURS[len(YEAR_COLOURS) - len(years) + 1 :] + [colors.HexColor("#1f77b4")]
    for i, colour in enumerate(colours):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 2.2 if i == len(years) - 1 else 1.2
    _fonts(chart)
    d.add(chart)
    pairs = [(c, str(y)) for c, y in zip(colours, years, strict=True)]
    _legend(d, pairs, WIDTH - 85, height - 40)
    return d


def _table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    body = [[f"{v:,}".replace(",", ".") if isinstance(v, int) else v for v in r] for r in rows]
    t = Table([header, *body], colWidths=widths, repeatRows=1)
    t.setStyle(TABLE_STYLE)
    return t


def visits_pdf(
    path: Path,
    report: VisitReport,
    days: dict[date, Counts],
    hours: dict[int, Counts],
    rooms: dict[str, Counts],
    per_year: dict[int, list[int]],
    lang: str,
    library: str,
) -> Path:
    """The visit report: summary table and four charts (day, hour, room, year over year)."""
    w = words(lang)
    styles = getSampleStyleSheet()
    flt = report.filter
    ind = lang == "id"
    story: list[Any] = [
        Paragraph(f"{w['visits_title']}: {library}", styles["Title"]),
        Paragraph(
            f"{flt.start.isoformat()} - {flt.end.isoformat()}"
            + "".join(
                f" · {label}: {value}"
                for label, value in ((w["room"], flt.room), (w["category"], flt.category))
                + (("Site", flt.site),)
                if value
            ),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    t = report.total
    story.append(
        _table(
            [w["member"], w["guest"], w["group"], w["total"]],
            [[t.member, t.guest, t.group, t.total]],
        )
    )
    story.append(Spacer(1, 6 * mm))

    span = (flt.end - flt.start).days + 1
    if span <= 62:
        every = sorted(days) if days else []
        all_days = [flt.start.fromordinal(flt.start.toordinal() + i) for i in range(span)]
        labels = [str(d.day) for d in all_days]
        counts = [days.get(d, Counts()) for d in all_days]
        title = "Kunjungan per hari" if ind else "Visits per day"
        del every
    else:
        months: dict[tuple[int, int], Counts] = {}
        for d, c in days.items():
            months.setdefault((d.year, d.month), Counts()).merge(c)
        keys = sorted(months)
        labels = [f"{MONTHS[lang].split()[m - 1][:3]} {str(y)[2:]}" for y, m in keys]
        counts = [months[k] for k in keys]
        title = "Kunjungan per bulan" if ind else "Visits per month"
    story.append(stacked_bars(title, labels, counts, lang, label_every=max(1, len(labels) // 31)))
    story.append(Spacer(1, 4 * mm))
    open_hours = [h for h in range(24) if hours.get(h, Counts()).total] or list(range(8, 17))
    hr = list(range(min(open_hours), max(open_hours) + 1))
    story.append(
        stacked_bars(
            "Kunjungan per jam (WIB)" if ind else "Visits per hour (WIB)",
            [f"{h:02d}" for h in hr],
            [hours.get(h, Counts()) for h in hr],
            lang,
        )
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                room_bars("Kunjungan per ruang" if ind else "Visits per room", rooms, lang),
            ]
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        year_lines(
            "Perbandingan antar tahun (per bulan)" if ind else "Year over year (per month)",
            per_year,
            lang,
        )
    )
    story.append(Spacer(1, 4 * mm))
    header = [w[report.by], w["member"], w["guest"], w["group"], w["total"]]
    rows = [
        [str(key_label(report.by, k, lang)), c.member, c.guest, c.group, c.total]
        for k, c in report.rows
    ]
    rows.append([w["total"], t.member, t.guest, t.group, t.total])
    story.append(_table(header, rows))
    _build(path, story, library)
    return path


def _build(path: Path, story: list[Any], library: str) -> None:
    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 10 * mm, library)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=path.stem,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# --- IKM ------------------------------------------------------------------------------------

PROFILE_TITLES = {
    "gender": ("Jenis kelamin", "Gender"),
    "age_band": ("Umur", "Age"),
    "education": ("Pendidikan", "Education"),
    "occupation": ("Pekerjaan", "Occupation"),
}


def element_bars(report: IkmReport, lang: str) -> Drawing:
    """Each element's score (NRR x 25) on the 25-100 scale, with the category A threshold."""
    elements = list(reversed(report.result.elements))
    height = 50 + 20 * len(elements)
    d = Drawing(WIDTH, height)
    _title(d, "Nilai per unsur (NRR x 25)" if lang == "id" else "Score per element (NRR x 25)")
    chart = HorizontalBarChart()
    chart.x, chart.y = 45, 20
    chart.width, chart.height = WIDTH - 60, height - 45
    chart.data = [[float(e.score) if e.score is not None else 0 for e in elements]]
    chart.categoryAxis.categoryNames = [e.code for e in elements]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 25  # the lowest possible score
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 12.5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.bars[0].fillColor = colors.HexColor("#1f77b4")
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f"{v:.2f}" if v else "-"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barLabels.fontName = "Helvetica"
    _fonts(chart)
    d.add(chart)
    # Lower bounds of the categories, so each bar reads against A / B / C / D.
    for cat in report.result.standard.categories[:-1]:
        x = chart.x + (float(cat.lower) - 25) / 75 * chart.width
        d.add(
            Line(
                x,
                chart.y,
                x,
                chart.y + chart.height + 4,
                strokeColor=colors.HexColor("#d62728"),
                strokeDashArray=[2, 2],
                strokeWidth=0.6,
            )
        )
        d.add(
            String(
                x + 2,
                chart.y + chart.height + 2,
                cat.letter,
                fontName="Helvetica-Bold",
                fontSize=7,
                fillColor=colors.HexColor("#d62728"),
            )
        )
    return d


def ikm_pdf(path: Path, report: IkmReport, lang: str, library: str) -> Path:
    styles = getSampleStyleSheet()
    res = report.result
    ind = lang == "id"
    cat = res.category
    score = "-" if res.ikm is None else ikm.format_ikm(res.ikm)
    story: list[Any] = [
        Paragraph(
            ("Indeks Kepuasan Masyarakat (IKM)" if ind else "Public satisfaction index (IKM)")
            + f": {library}",
            styles["Title"],
        ),
        Paragraph(
            f"{report.start.isoformat()} - {report.end.isoformat()} · {res.standard.title}",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"<b>IKM {score}</b> · "
            + (
                f"{'Mutu pelayanan' if ind else 'Service quality'} <b>{cat.letter}</b> "
                f"({cat.label if ind else cat.label_en})"
                if cat
                else ("belum ada jawaban" if ind else "no answers yet")
            ),
            styles["Heading2"],
        ),
        Paragraph(
            (
                f"Responden: {res.respondents} · populasi: {res.population or '-'} · "
                f"sampel minimum (Krejcie &amp; Morgan): {res.minimum_sample or '-'}"
            )
            if ind
            else (
                f"Respondents: {res.respondents} · population: {res.population or '-'} · "
                f"minimum sample (Krejcie &amp; Morgan): {res.minimum_sample or '-'}"
            ),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    header = (
        ["Unsur", "Nama", "Jawaban", "NRR", "NRR x 25", "Cukup?"]
        if ind
        else ["Element", "Name", "Answers", "NRR", "NRR x 25", "Enough?"]
    )
    yes, no = ("ya", "tidak") if ind else ("yes", "no")
    rows = []
    for e in res.elements:
        rows.append(
            [
                e.code,
                Paragraph(e.name if ind else e.name_en, styles["BodyText"]),
                e.answers,
                "-" if e.nrr is None else f"{float(e.nrr):.3f}",
                "-" if e.score is None else f"{float(e.score):.2f}",
                "-" if e.sufficient is None else (yes if e.sufficient else no),
            ]
        )
    table = Table([header, *rows], colWidths=[16 * mm, 78 * mm, 20 * mm, 18 * mm, 20 * mm, 20 * mm])
    style = TableStyle(TABLE_STYLE.getCommands())
    style.add("LINEABOVE", (0, -1), (-1, -1), 0, colors.white)
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")])
    style.add("VALIGN", (0, 0), (-1, -1), "MIDDLE")
    style.add("ALIGN", (1, 0), (1, -1), "LEFT")
    table.setStyle(style)
    story += [table, Spacer(1, 5 * mm), element_bars(report, lang), Spacer(1, 4 * mm)]
    for warning in res.warnings:
        story.append(Paragraph(f"! {warning.message}", styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph("Profil responden" if ind else "Respondents' profile", styles["Heading2"])
    )
    story.append(
        Paragraph(
            "Umur, pendidikan dan pekerjaan hanya ditanyakan di kuesioner kertas."
            if ind
            else "Age, education and occupation are asked on paper forms only.",
            styles["Normal"],
        )
    )
    channel_names = {
        "mini": ("Survei singkat di kios", "Kiosk mini-survey"),
        "rating": ("Nilai kunjungan", "Visit rating"),
        "paper": ("Kuesioner kertas", "Paper form"),
    }
    blocks: list[Any] = []
    chan_rows = [
        [channel_names.get(k, (k, k))[0 if ind else 1], n]
        for k, n in sorted(report.channels.items())
    ]
    blocks.append(
        _table(["Saluran" if ind else "Channel", "n"], chan_rows or [["-", 0]], [60 * mm, 20 * mm])
    )
    for name, (title_id, title_en) in PROFILE_TITLES.items():
        values = report.profile.get(name, {})
        if not values or set(values) == {"-"}:
            continue
        label = {"L": "Laki-laki" if ind else "Male", "P": "Perempuan" if ind else "Female"}
        unknown = "tidak diisi" if ind else "not given"
        rows = [
            [label.get(k, unknown if k == "-" else k), n]
            for k, n in sorted(values.items(), key=lambda kv: (kv[0] == "-", -kv[1]))
        ]
        blocks.append(_table([title_id if ind else title_en, "n"], rows, [55 * mm, 20 * mm]))
    grid = [
        blocks[i : i + 2] + [""] * (2 - len(blocks[i : i + 2])) for i in range(0, len(blocks), 2)
    ]
    side = Table(grid, colWidths=[WIDTH / 2] * 2, hAlign="LEFT")
    side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story.append(KeepTogether([side]))
    _build(path, story, library)
    return path


__all__ = ["ikm_pdf", "visits_pdf", "WEEKDAYS"]
