"""Tables on a terminal: every line within the terminal's width, whatever the names.

Numbers are right-aligned and never cut; dates, codes and status words are kept whole; names
wrap onto more lines of their own column; other text is shortened with "…". Headings wrap
under narrow columns. Widths are counted as a terminal shows them: wide (East Asian)
characters take two columns, combining marks none. When even that does not fit (a very
narrow window), each row is shown as "heading: value" lines instead of a table.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Sequence

RIGHT = "right"  # numbers: right-aligned, never cut
KEEP = "keep"  # dates, codes, short words: never cut (their heading may wrap)
WRAP = "wrap"  # names: wrapped onto more lines
CUT = "cut"  # other text: shortened with an ellipsis
FITS = (RIGHT, KEEP, WRAP, CUT)

GAP = 2  # spaces between columns
NARROWEST = 6  # a wrapped or cut column is never narrower (unless its text is)
LONGEST_WORD = 20  # a wrapped column keeps words this long whole (names' words are no longer)
ELLIPSIS = "…"


def terminal_width() -> int:
    """Columns of the terminal (or $COLUMNS); 100 when the output is not a terminal."""
    return shutil.get_terminal_size((100, 24)).columns


def _clean(value: object) -> str:
    """A cell as one line of composed text ("-" when there is no value)."""
    if value is None:
        return "-"
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns `text` takes on a terminal."""
    return sum(char_width(c) for c in text)


def _take(text: str, room: int) -> tuple[str, str]:
    """The longest start of `text` that fits `room` columns (at least one character), and
    the rest."""
    used = 0
    for i, c in enumerate(text):
        used += char_width(c)
        if used > room and i > 0:
            return text[:i], text[i:]
    return text, ""


def cut(text: str, room: int) -> str:
    """`text` shortened to `room` columns, ending in "…" when something was left out."""
    if width(text) <= room:
        return text
    start, _ = _take(text, max(room - 1, 0))
    return (start if width(start) < room else "") + ELLIPSIS


def wrap(text: str, room: int) -> list[str]:
    """`text` as lines of at most `room` columns, broken between words (inside a word only
    when the word alone is wider)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if width(joined) <= room:
            line = joined
            continue
        if line:
            lines.append(line)
        line = word
        while width(line) > room:
            head, line = _take(line, room)
            lines.append(head)
    return [*lines, line] if line or not lines else lines


def _pad(text: str, room: int, right: bool) -> str:
    space = " " * max(room - width(text), 0)
    return space + text if right else text + space


def _floor(heading: str, cells: list[str], fit: str) -> int:
    """The narrowest a column may get: kept cells whole (the heading wraps between words),
    wrapped ones with their words whole, cut ones down to NARROWEST."""
    natural = max([width(heading), *map(width, cells)])
    if fit in (RIGHT, KEEP):
        return max([*map(width, heading.split(" ")), *map(width, cells)])
    if fit == WRAP:
        word = max(width(w) for c in cells for w in c.split(" ")) if cells else 0
        return min(natural, max(NARROWEST, min(word, LONGEST_WORD)))
    return min(natural, NARROWEST)


def _widths(naturals: list[int], floors: list[int], fits: list[str], room: int) -> list[int]:
    """Column widths within `room`: the widest wrapped or cut columns give way first, down to
    one level and never below their floor; then kept columns wrap their headings."""
    widths = list(naturals)
    for kinds in ((WRAP, CUT), (RIGHT, KEEP)):
        over = sum(widths) - room
        if over <= 0:
            break
        flexible = [i for i, f in enumerate(fits) if f in kinds]
        level = max((widths[i] for i in flexible), default=0)
        while over > 0 and level > 0:  # lower the widest flexible columns one step at a time
            level -= 1
            for i in flexible:
                if widths[i] > max(level, floors[i]) and over > 0:
                    widths[i] -= 1
                    over -= 1
            if all(widths[i] <= floors[i] for i in flexible):
                break
    return widths


def fit(
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    fits: Sequence[str],
    columns: int | None = None,
) -> str:
    """A table of `rows` under `headings` within `columns` (default: the terminal's width);
    `fits` says per column how it gives way (RIGHT, KEEP, WRAP, CUT)."""
    columns = columns or terminal_width()
    fits = list(fits)
    heads = [_clean(h) if h else "" for h in headings]
    cells = [[_clean(v) for v in row] for row in rows]
    naturals = [max([width(h), *(width(r[i]) for r in cells)]) for i, h in enumerate(heads)]
    floors = [
        _floor(h, [r[i] for r in cells], f)
        for i, (h, f) in enumerate(zip(heads, fits, strict=True))
    ]
    room = columns - GAP * (len(heads) - 1)
    if sum(floors) > room:
        return _records(heads, cells, columns)
    widths = _widths(naturals, floors, fits, room)
    rule = ["-" * w for w in widths]
    lines = _row_lines(heads, widths, fits, heading=True) + [(" " * GAP).join(rule)]
    for row in cells:
        lines += _row_lines(row, widths, fits)
    return "\n".join(lines)


def _row_lines(
    row: Sequence[str], widths: list[int], fits: list[str], heading: bool = False
) -> list[str]:
    """One table row as terminal lines (more than one where a cell wraps)."""
    parts: list[list[str]] = []
    for text, room, how in zip(row, widths, fits, strict=True):
        if heading or how == WRAP:
            parts.append(wrap(text, room))
        elif how == CUT:
            parts.append([cut(text, room)])
        else:
            parts.append([text])
    height = max(len(p) for p in parts)
    lines = []
    for n in range(height):
        pieces = [
            _pad(p[n] if n < len(p) else "", room, how == RIGHT)
            for p, room, how in zip(parts, widths, fits, strict=True)
        ]
        lines.append((" " * GAP).join(pieces).rstrip())
    return lines


def _records(heads: list[str], cells: list[list[str]], columns: int) -> str:
    """Too narrow for a table: each row as "heading: value" lines, rows apart."""
    blocks = []
    for row in cells:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(heads, row, strict=True)]
        lines = []
        for pair in pairs:  # a long value goes on indented lines below its heading
            first, *more = wrap(pair, columns - 2)
            lines += [first, *(f"  {line}" for line in more)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
