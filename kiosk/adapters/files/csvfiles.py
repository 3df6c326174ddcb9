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


# A character UTF-8 writes in two to four bytes. Windows-1252 text has almost never any: its
# accented letters are single bytes ("é" is E9), and the pair that "é" is in UTF-8 (C3 A9)
# reads "Ã©" in Windows-1252, which no name holds.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
SAVE_AS_UTF8 = 'open it in Excel or LibreOffice and save it again as "CSV UTF-8"'


def _place(data: bytes, offset: int, encoding: str, bom: int = 0) -> str:
    """Where byte `offset` of the file is, as an editor shows it: line, column and the byte."""
    start = max(data.rfind(b"\n", 0, offset) + 1, bom)
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode(encoding, errors="replace")) + 1
    return f"line {line}, column {column}: byte 0x{data[offset]:02X}"


def decode(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, warning) of a staff CSV file.

    UTF-8 (with or without Excel's BOM) and UTF-16 are read as they say. A file that is not
    UTF-8 is read as Windows-1252 (Excel's "CSV" on Indonesian and English Windows) when no
    character of it is UTF-8, also behind a UTF-8 BOM (a tool added the mark, the text stayed
    1252: a warning says so). A file mixing both is refused: either reading would garble some
    names without a word, so staff are told the line and column of the first byte that is
    not UTF-8.
    """
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError("this is an Excel workbook, not CSV: use File > Save As > CSV")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", ""  # Excel's "Unicode Text"
        except UnicodeDecodeError:
            raise ImportFileError(
                f"the file is UTF-16 text that ends in the middle of a character (cut short?): "
                f"{SAVE_AS_UTF8}"
            ) from None
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8"), "utf-8-sig" if bom else "utf-8", ""
    except UnicodeDecodeError as e:
        bad = bom + e.start  # in the file, not in the text after the BOM
    if _UTF8_SEQUENCE.search(data, bom):
        raise ImportFileError(
            f"{_place(data, bad, 'utf-8', bom)} is not UTF-8, while the rest of the file is UTF-8: "
            f"part of it was saved in another encoding; {SAVE_AS_UTF8} and check that line"
        )
    try:
        text = data[bom:].decode("cp1252")
    except UnicodeDecodeError as e:  # 81, 8D, 8F, 90 and 9D are no letter in Windows-1252
        raise ImportFileError(
            f"{_place(data, bom + e.start, 'cp1252', bom)} is neither UTF-8 nor "
            f"Windows-1252 text: {SAVE_AS_UTF8}"
        ) from None
    warning = (
        "the file is marked as UTF-8 but its text is Windows-1252 (Excel's plain CSV): "
        "it was read as Windows-1252; check the names with accents"
        if bom
        else ""
    )
    return text, "cp1252", warning


@dataclass(frozen=True)
class CsvText:
    """A staff CSV file as text: its encoding, and Excel's "sep=" first line if it has one."""

    text: str
    encoding: str
    forced_delimiter: str | None  # from a "sep=;" first line
    skip: int  # lines before the header: 1 after a "sep=" line
    warning: str = ""  # how the file was read, when staff should check it

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
    text, encoding, warning = decode(data)
    if "\x00" in text:
        raise ImportFileError("the file contains NUL characters: it is not a text/CSV file")
    if not text.strip():
        raise ImportFileError("the file is empty")
    if m := SEP_LINE_RE.match(text):
        return CsvText(text, encoding, m.group(1), 1, warning)
    return CsvText(text, encoding, None, 0, warning)


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
