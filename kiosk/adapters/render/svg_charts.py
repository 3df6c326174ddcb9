"""Charts for the dashboard as SVG text drawn on the server (no JavaScript library).

Every text that comes from data is XML-escaped here, so the page may place the SVG as it is.
Label widths are estimated from the font size (DejaVu Sans averages about 0.6 em per
character): labels that would touch are thinned out or shortened, never drawn over each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from kiosk.adapters.render.charts import nice_max

FONT = 13  # px: readable on a phone once the SVG is scaled to 360 px wide
CHAR_W = 0.62 * FONT  # an upper estimate of one character's width
INK, MUTED, GRID = "#1d2328", "#5b6670", "#d5dbe0"
# The period asked for in the dashboard's brand colour, last year in grey beside it.
THIS_YEAR, LAST_YEAR = "#0b5d7a", "#a9b4bc"
WIDE, NARROW = 760, 360  # viewBox widths for a desktop column and for a phone, shown 1:1


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend
    values: Sequence[int]
    colour: str


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * 0.62 * size


def shorten(text: str, room: float, size: float = FONT) -> str:
    """`text` cut with an ellipsis to fit `room` pixels (the table beside has it whole)."""
    if text_width(text, size) <= room:
        return text
    keep = max(1, int(room / (0.62 * size)) - 1)
    return text[:keep] + "…"


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}"'
        f' fill="{INK}"{extra}>{escape(text)}</text>'
    )


def _line(x1: float, x2: float, y1: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{colour}"/>'


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")  # 12.500: the Indonesian thousands mark


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(title)} class="chart" '
        f'font-family="DejaVu Sans, sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _legend(series: Sequence[Series], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend entries in a row, wrapping onto new rows; returns the parts and the height."""
    parts, cx, cy = [], x, y
    for s in series:
        w = 18 + text_width(s.name) + 16
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + FONT + 8
        parts.append(
            f'<rect x="{cx:.1f}" y="{cy - FONT + 2:.1f}" width="12" height="12" fill="{s.colour}"/>'
        )
        parts.append(_text(cx + 17, cy, s.name))
        cx += w
    return parts, cy - y + FONT + 8


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], width: int = 760, height: int = 300
) -> str:
    """Grouped vertical bars: one group per label (a period), one bar per series."""
    legend, legend_h = _legend(series, 8, FONT + 4, width - 16)
    top = legend_h + 10
    peak = max((v for s in series for v in s.values), default=0)
    axis_max = nice_max(peak)
    left = 14 + text_width(_number(axis_max))
    right, bottom = width - 10, height - FONT - 14
    plot_w, plot_h = right - left, bottom - top
    body = legend[:]
    for tick in _ticks(axis_max):
        y = bottom - plot_h * tick / axis_max
        body.append(_line(left, right, y, y, GRID))
        body.append(_text(left - 6, y + FONT / 3, _number(tick), "end", fill=MUTED))
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    # Thin the labels out so that no two touch: every k-th label, starting from the first.
    widest = max((text_width(t) for t in labels), default=0) + 8
    every = max(1, -(-int(widest) // max(1, int(slot))))
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.1
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            h = plot_h * value / axis_max
            body.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{bottom - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{s.colour}"><title>{escape(label)} · {escape(s.name)}: '
                f"{_number(value)}</title></rect>"
            )
        if i % every == 0:
            body.append(
                _text(
                    left + slot * (i + 0.5),
                    bottom + FONT + 6,
                    shorten(label, slot * every - 6),
                    "middle",
                )
            )
    body.append(_line(left, right, bottom, bottom, INK))
    body.append(_line(left, left, top, bottom, INK))
    return _svg(width, height, title, body)


def hbar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], width: int = 760
) -> str:
    """Grouped horizontal bars: one row per label (a site, room, category), long names fit."""
    legend, legend_h = _legend(series, 8, FONT + 4, width - 16)
    top = legend_h + 6
    row_h = (FONT + 5) * max(1, len(series)) + 8
    peak = max((v for s in series for v in s.values), default=0)
    axis_max = nice_max(peak)
    label_w = min(width * 0.38, max((text_width(t) for t in labels), default=0) + 8)
    left = 8 + label_w
    right = width - 10 - text_width(_number(axis_max)) / 2
    plot_w = right - left
    bottom = top + row_h * len(labels)
    height = int(bottom + FONT + 14)
    body = legend[:]
    for tick in _ticks(axis_max):
        x = left + plot_w * tick / axis_max
        body.append(_line(x, x, top, bottom, GRID))
        body.append(_text(x, bottom + FONT + 6, _number(tick), "middle", fill=MUTED))
    bar_h = FONT + 3
    for i, label in enumerate(labels):
        y0 = top + row_h * i + 4
        body.append(_text(left - 6, y0 + row_h / 2, shorten(label, label_w - 6), "end"))
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            w = plot_w * value / axis_max
            y = y0 + j * (bar_h + 2)
            body.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{s.colour}"><title>{escape(label)} · {escape(s.name)}: '
                f"{_number(value)}</title></rect>"
            )
    body.append(_line(left, left, top, bottom, INK))
    return _svg(width, height, title, body)
