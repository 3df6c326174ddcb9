"""One CSV reading for every import: members and paper surveys take the same files from Excel."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

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


NAMES = "nomor;nama\r\nA1;Rina\r\nA2;José Müller\r\nA3;Renée Siregar\r\n"


def _written(tmp_path: Path, name: str, *parts: bytes) -> bytes:
    """A real file on disk, as a tool or an editor left it; returns what is read back."""
    path = tmp_path / name
    path.write_bytes(b"".join(parts))
    return path.read_bytes()


def test_a_windows_1252_file_behind_a_utf8_mark_is_read_as_1252_with_a_warning(
    tmp_path: Path,
) -> None:
    data = _written(tmp_path, "anggota.csv", codecs.BOM_UTF8, NAMES.encode("cp1252"))
    members = parse_member_file(data)
    assert [r.name for r in members.rows] == ["Rina", "José Müller", "Renée Siregar"]
    assert members.encoding == "cp1252" and not members.refused
    assert any("marked as UTF-8 but its text is Windows-1252" in w for w in members.warnings)
    paper = _written(tmp_path, "kuesioner.csv", codecs.BOM_UTF8, b"U1;U2;Saran\r\n",
                     "4;3;Ruang baca nyaman, café ditambah\r\n".encode("cp1252"))  # fmt: skip
    read = parse_paper_file(paper, ikm.PERMENPANRB_14_2017, date(2025, 11, 1))
    assert read.rows[0].suggestion == "Ruang baca nyaman, café ditambah" and read.warnings


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_file_mixing_utf8_and_1252_names_the_line_column_and_byte(
    tmp_path: Path, bom: bytes
) -> None:
    utf8_part = "nomor;nama\r\nA1;Renée\r\nA2;Siti\r\n".encode()
    data = _written(tmp_path, "campur.csv", bom, utf8_part, "A3;Ané Sari\r\n".encode("cp1252"))
    with pytest.raises(ImportFileError) as refused:
        parse_member_file(data)
    message = str(refused.value)
    assert message.startswith("line 4, column 6: byte 0xE9 is not UTF-8") and "CSV UTF-8" in message
    # the place named is where the byte is: line 4 of the file, its sixth character
    line = data[len(bom) :].split(b"\r\n")[3]
    assert line.decode("cp1252")[5] == "é" and line[5] == 0xE9
    with pytest.raises(ImportFileError, match="line 4, column 6: byte 0xE9"):
        parse_paper_file(data, ikm.PERMENPANRB_14_2017, date(2025, 11, 1))


def test_a_byte_of_no_known_encoding_is_named_where_it_stands(tmp_path: Path) -> None:
    data = _written(tmp_path, "rusak.csv", codecs.BOM_UTF8, b"nomor;nama\r\nA1;Ri\x81na\r\n")
    with pytest.raises(ImportFileError, match=r"line 2, column 6: byte 0x81 is neither UTF-8"):
        parse_member_file(data)
