"""One CSV reading for every import: members and paper surveys take the same files from Excel."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from kiosk.adapters.files.csvfiles import ImportFileError, read_csv_text
from kiosk.adapters.files.member_file import parse_member_file
from kiosk.adapters.files.paper_survey import parse_paper_file
from kiosk.domain import ikm

MEMBERS = "nomor;nama\r\nA1;Rina\r\n\r\n;;\r\nA2;Dodi\r\n"
PAPER = "tanggal;U1;U2\r\n03/11/2025;4;3\r\n\r\n;;\r\n04/11/2025;3;\r\n"


def as_excel_saves(text: str, how: str) -> bytes:
    if how == "cp1252":
        return text.encode("cp1252")
    if how == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if how == "utf-16":
        return text.encode("utf-16")  # with BOM, Excel's "Unicode Text"
    return ("sep=;\r\n" + text).encode("utf-8")


@pytest.mark.parametrize("how", ["cp1252", "utf-8-bom", "utf-16", "sep-line"])
def test_members_and_paper_surveys_read_the_same_file_forms(how: str) -> None:
    members = parse_member_file(as_excel_saves(MEMBERS, how))
    paper = parse_paper_file(as_excel_saves(PAPER, how), ikm.PERMENPANRB_14_2017, None)
    assert [r.number for r in members.rows] == ["A1", "A2"] and not members.refused
    assert [r.day for r in paper.rows] == [date(2025, 11, 3), date(2025, 11, 4)]
    assert not paper.refused
    assert members.delimiter == paper.delimiter == ";"
    assert members.encoding == paper.encoding
    # line numbers count the "sep=" line and the blank rows, as staff see them in an editor
    assert [r.line for r in paper.rows] == [r.line for r in members.rows]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"nomor,nama\n\x00\x00", "NUL"),
        (b"PK\x03\x04rest", "Excel workbook"),
    ],
)
def test_unreadable_files_get_one_line_for_both_imports(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_csv_text(data)
    with pytest.raises(ImportFileError, match=message):
        parse_member_file(data)
    with pytest.raises(ImportFileError, match=message):
        parse_paper_file(data, ikm.PERMENPANRB_14_2017, date(2025, 11, 1))
