"""Terminal tables for staff: headings in the chosen language, columns aligned, the whole line
within the terminal's width (the widest text column gives way, cut with "…")."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Sequence

from kiosk.i18n import gettext


def _width(text: str) -> int:
    """Columns a text takes on a terminal (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    while text and _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def table(
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    lang: str,
    numeric: Sequence[int] = (),
    width: int | None = None,
) -> str:
    """`headings` are msgids; `numeric` columns are right-aligned and never cut."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    heads = [gettext(h, lang) for h in headings]
    cells = [["-" if v is None or v == "" else str(v) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(heads)]
    gap = 2
    while sum(widths) + gap * (len(widths) - 1) > width:
        cuttable = [i for i in range(len(widths)) if i not in numeric and widths[i] > 8]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= sum(widths) + gap * (len(widths) - 1) - width
        widths[widest] = max(widths[widest], 8)
    lines = []
    for row in [heads, *cells]:
        parts = [_pad(_cut(v, widths[i]), widths[i], i in numeric) for i, v in enumerate(row)]
        lines.append((" " * gap).join(parts).rstrip())
    return "\n".join(lines)
