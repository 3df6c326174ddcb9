"""Reading CSV files as staff save them: Excel's encodings and separators, dates, genders.

Shared by the member import and the paper survey import.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

GENDERS_SPELLED = {
    "L": "l laki-laki laki_laki lakilaki laki pria m male man 1",
    "P": "p perempuan wanita w f female woman 0",
}
GENDER_OF: dict[str, str | None] = {
    v: code for code, values in GENDERS_SPELLED.items() for v in values.split()
}
GENDER_OF.update({"laki laki": "L", "": None, "-": None})
GENDER_COLUMN = "gender jenis_kelamin kelamin jk sex"  # how staff head a gender column


def aliases(names: dict[str, str]) -> dict[str, str]:
    """Column name -> field, from field -> the names staff give it (space-separated)."""
    return {name: f for f, spelled in names.items() for name in spelled.split()}


_TIME_SUFFIX_RE = re.compile(r"\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?$")
_DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "dmy"),  # Excel, Indonesian locale
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})"), "dmy"),
)
DELIMITERS = (",", ";", "\t", "|")
SEP_LINE_RE = re.compile(r"sep=(.)(?:\r\n|\r|\n|$)", re.IGNORECASE)  # Excel's "sep=;" first line


# MySQL escape_string sequences; newlines become placeholders so one record stays one line.
NL, CR = "\ue000", "\ue001"


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is one line for staff."""


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError("this is an Excel workbook, not CSV: use File > Save As > CSV")
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode Text"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"  # Excel's "CSV" on Windows with an Indonesian/English locale
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as e:
        raise ImportFileError(
            f"cannot read the file as {encoding}: byte 0x{data[e.start]:02x} at offset {e.start}"
        ) from None


@dataclass(frozen=True)
class CsvText:
    """A staff CSV file as text: its encoding, and Excel's "sep=" first line if it has one."""

    text: str
    encoding: str
    forced_delimiter: str | None  # from a "sep=;" first line
    skip: int  # lines before the header: 1 after a "sep=" line

    def delimiters(self) -> tuple[str, ...]:
        """The separators to try: the one the file names, else every usual one."""
        return (self.forced_delimiter,) if self.forced_delimiter else DELIMITERS

    def first_record(
        self, delim: str, quotechar: str = '"', text: str | None = None
    ) -> list[str] | None:
        """The first non-blank record after the "sep=" line; None when it cannot be read."""
        skip = self.skip
        for _line, record, error in records(self.text if text is None else text, delim, quotechar):
            if error or record is None:
                return None
            if blank(record):
                continue
            if skip:
                skip -= 1
                continue
            return record
        return None

    def rows(
        self, delim: str, quotechar: str = '"', header: bool = True, text: str | None = None
    ) -> Iterator[tuple[int, list[str] | None, str]]:
        """(line, record or None, error) of every data row: blank rows, the "sep=" line and
        the header row left out."""
        skip = self.skip + (1 if header else 0)
        for line, record, error in records(self.text if text is None else text, delim, quotechar):
            if record is not None and blank(record):
                continue  # blank lines, and Excel's ";;;;" empty rows
            if skip:
                skip -= 1
                continue
            yield line, record, error


def read_csv_text(data: bytes) -> CsvText:
    """Decode a staff CSV file (Excel's encodings) and note an Excel "sep=" first line."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError("the file contains NUL characters: it is not a text/CSV file")
    if not text.strip():
        raise ImportFileError("the file is empty")
    if m := SEP_LINE_RE.match(text):
        return CsvText(text, encoding, m.group(1), 1)
    return CsvText(text, encoding, None, 0)


def header_names(record: list[str]) -> list[str]:
    """A header record's names, normalised, without the empty names a trailing separator adds."""
    names = [norm_header(c) for c in record]
    while names and not names[-1]:
        names.pop()
    return names


def records(text: str, delim: str, quotechar: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(start line, record or None, error) for every record; a malformed one does not stop us."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delim, quotechar=quotechar, strict=True
    )
    last = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            start, last = last + 1, reader.line_num
            if "end of data" in str(e):
                yield start, None, "a quote opened on this line is never closed"
            else:
                yield start, None, f"malformed quoting ({e})"
            continue
        start, last = last + 1, reader.line_num
        yield start, [c.replace(NL, "\n").replace(CR, "\r") for c in record], ""


def blank(record: list[str]) -> bool:
    return all(not c.strip() for c in record)


def norm_header(name: str) -> str:
    name = name.strip().strip("\ufeff").strip().lower()
    return re.sub(r"[\s.\-]+", "_", name)


def parse_date(text: str) -> tuple[date | None, str]:
    """(date or None, error text); empty and MySQL's zero date mean "no date"."""
    text = _TIME_SUFFIX_RE.sub("", text.strip())
    if not text or text in {"0000-00-00", "00/00/0000", "00-00-0000"}:
        return None, ""
    for pattern, order in _DATE_FORMATS:
        m = pattern.fullmatch(text)
        if not m:
            continue
        a, b, c = (int(g) for g in m.groups())
        y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
        try:
            return date(y, mo, d), ""
        except ValueError as e:
            return None, f"{text!r} does not exist ({e})"
    return None, f"{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
