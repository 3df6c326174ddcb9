"""One table model for every report output: CSV, XLSX, PDF and the command line's text.

A report is turned into `Table`s once; each writer shows the same cells its own way. Cells
hold plain values (numbers, dates, period keys); words are `Word` cells holding an English
msgid, shown in the reader's language through kiosk.i18n. Names that the data itself brings in
both languages (a room of the layout, an element of the regulation) are `Local` cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from kiosk.i18n import gettext


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a msgid for tools/i18n.py; the words are looked up when a table is shown."""
    return msgid


class Word(str):
    """A cell holding a msgid: each output shows it in its reader's language."""


@dataclass(frozen=True)
class Local:
    """A name given by the data in both languages (layout rooms, the regulation's elements)."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return str(getattr(self, lang))


class MonthStart(date):
    """The first day of a month, shown in spreadsheets as the month ("March 2025")."""


WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
# Kinds of a column, which say how its cells read: text and count cells are shown as they
# are; period keys (day, hour, weekday, month, year) become words or typed spreadsheet cells.
KINDS = ("text", "count", "decimal", "day", "hour", "weekday", "month", "year")


def month_name(month: int, lang: str) -> str:
    return gettext(MONTHS[month - 1], lang)


def weekday_name(weekday: int, lang: str) -> str:
    """0 is Monday, as date.weekday()."""
    return gettext(WEEKDAYS[weekday], lang)


@dataclass(frozen=True)
class Column:
    name: str  # machine name: the command line's heading, like the JSON keys
    heading: str  # msgid
    kind: str = "text"
    digits: int = 0  # decimals shown in text outputs (kind "decimal")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """Rows of cells under headed columns, and an optional totals row (its first cell a Word)."""

    title: str  # msgid
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    detail: str = ""  # shown after the title as it is (a date, a code)
    widths: list[float] = field(default_factory=list)  # PDF column widths in mm, if fixed

    def title_text(self, lang: str) -> str:
        title = gettext(self.title, lang)
        return f"{title} {self.detail}" if self.detail else title

    def headings(self, lang: str) -> list[str]:
        return [gettext(c.heading, lang) if c.heading else "" for c in self.columns]

    def all_rows(self) -> list[list[Any]]:
        return self.rows + ([self.totals] if self.totals is not None else [])

    def select(self, *names: str) -> Table:
        """The same table with only these columns, in this order."""
        at = {c.name: i for i, c in enumerate(self.columns)}
        idx = [at[n] for n in names]
        return replace(
            self,
            columns=[self.columns[i] for i in idx],
            rows=[[r[i] for i in idx] for r in self.rows],
            totals=None if self.totals is None else [self.totals[i] for i in idx],
            widths=[],
        )


def words_of(value: Any, lang: str) -> Any:
    """A Word or Local cell in `lang`; any other value as it is."""
    if isinstance(value, Word):
        return gettext(value, lang)
    if isinstance(value, Local):
        return value.get(lang)
    return value


def label(value: Any, column: Column, lang: str) -> Any:
    """A cell as people read it: period keys as words, decimals with the column's digits."""
    value = words_of(value, lang)
    if value is None or isinstance(value, str):
        return value
    if column.kind == "hour":
        return f"{value:02d}:00"
    if column.kind == "weekday":
        return weekday_name(value, lang)
    if column.kind == "month":
        year, month = value
        return f"{month_name(month, lang)} {year}"
    if column.kind == "decimal":
        return f"{float(value):.{column.digits}f}"
    return value


def typed(value: Any, column: Column, lang: str) -> Any:
    """A cell for a spreadsheet: real times, months as dates, real numbers."""
    value = words_of(value, lang)
    if value is None or isinstance(value, str):
        return value
    if column.kind == "hour":
        return time(value)
    if column.kind == "month":
        return MonthStart(value[0], value[1], 1)
    if column.kind == "decimal":
        return float(value)
    return label(value, column, lang)


def text(table: Table, lang: str) -> str:
    """The command line's view: machine headings, the first column left, the others right."""

    def line(cells: Sequence[Any]) -> str:
        first, *rest = (str(c) for c in cells)
        return " ".join([f"{first:<12}", *(f"{c:>8}" for c in rest)])

    lines = [line([c.name for c in table.columns])]
    for row in table.rows:
        lines.append(line([label(v, c, lang) for v, c in zip(row, table.columns, strict=True)]))
    if table.totals is not None:
        rest = [label(v, c, lang) for v, c in zip(table.totals, table.columns, strict=True)]
        lines.append(line(["total", *rest[1:]]))
    return "\n".join(lines)
