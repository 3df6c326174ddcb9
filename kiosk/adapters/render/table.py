"""One table model for every report output: CSV, XLSX, PDF and the command line's text.

A report is turned into `Table`s once; each writer shows the same cells its own way. Cells
hold plain values (numbers, dates, period keys); words are `Word` cells holding an English
msgid, shown in the reader's language through kiosk.i18n. Names that the data itself brings in
both languages (a room of the layout, an element of the regulation) are `Local` cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from kiosk.adapters.render import terminal
from kiosk.i18n import N_, gettext, month_name, weekday_name

__all__ = [
    "N_", "Column", "Fixed", "Local", "MonthStart", "Table", "Word", "label", "text", "typed"
]  # fmt: skip


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


class Fixed(float):
    """A number shown with a fixed count of decimals (the IKM as the regulation prints it)."""

    digits: int = 2

    def __new__(cls, value: float | str, digits: int = 2) -> Fixed:
        number = super().__new__(cls, value)
        number.digits = digits
        return number

    def __str__(self) -> str:
        return f"{float(self):.{self.digits}f}"


# Kinds of a column, which say how its cells read: text and count cells are shown as they
# are; period keys (day, hour, weekday, month, year) become words or typed spreadsheet cells.
KINDS = ("text", "count", "decimal", "day", "hour", "weekday", "month", "year")
# How a column gives way on a narrow terminal (kiosk.adapters.render.terminal), by kind.
KIND_FITS = {"text": terminal.CUT, "count": terminal.RIGHT, "decimal": terminal.RIGHT}


@dataclass(frozen=True)
class Column:
    name: str  # machine name: the command line's heading, like the JSON keys
    heading: str  # msgid
    kind: str = "text"
    digits: int = 0  # decimals shown in text outputs (kind "decimal")
    fit: str = ""  # on a terminal: terminal.WRAP for names; empty: as its kind (KIND_FITS)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.fit and self.fit not in terminal.FITS:
            raise ValueError(f"unknown column fit {self.fit!r}")

    @property
    def terminal_fit(self) -> str:
        return self.fit or KIND_FITS.get(self.kind, terminal.KEEP)


@dataclass
class Table:
    """Rows of cells under headed columns, and an optional totals row (its first cell a Word)."""

    title: str  # msgid
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    detail: str = ""  # shown after the title as it is (a date, a code)
    hidden: frozenset[int] = frozenset()  # rows kept in spreadsheets but hidden from view
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
    if isinstance(value, Fixed):
        return str(value)
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
    if value is None or isinstance(value, str | Fixed):
        return value
    convert = {"hour": time, "month": _month_start, "decimal": float}.get(column.kind)
    return convert(value) if convert else label(value, column, lang)


def _month_start(key: tuple[int, int]) -> MonthStart:
    return MonthStart(key[0], key[1], 1)


def text(table: Table, lang: str, columns: int | None = None) -> str:
    """The command line's view: headings and words in `lang`, within the terminal's width
    (or `columns`): numbers right-aligned, names wrapped, other text shortened."""
    rows = [
        [label(v, c, lang) for v, c in zip(row, table.columns, strict=True)]
        for row in table.all_rows()
    ]
    fits = [c.terminal_fit for c in table.columns]
    return terminal.fit(table.headings(lang), rows, fits, columns)
