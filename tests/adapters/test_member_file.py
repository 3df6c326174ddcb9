"""Member import: SLiMS exports byte for byte as export.php writes them, our CSV, Excel's files."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.adapters.files.member_file import (
    _ALIASES,
    SLIMS_COLUMNS,
    ImportFileError,
    MemberRow,
    parse_member_file,
)
from kiosk.domain.members import name_problem

# --- SLiMS' export, re-done in Python line by line after admin/modules/membership/export.php ----

_MYSQL_ESCAPES = {
    "\x00": "\\0",
    "\n": "\\n",
    "\r": "\\r",
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\x1a": "\\Z",
}


def mysql_escape(value: str | None) -> str:
    """mysqli::real_escape_string($fld_data ?? '')."""
    return "".join(_MYSQL_ESCAPES.get(c, c) for c in (value or ""))


def slims_export(
    rows: list[dict[str, str | None]],
    *,
    sep: str = ",",
    enc: str = '"',
    rec_sep: str = "\n",
    header: bool = False,
) -> bytes:
    lines = []
    for row in rows:
        buffer = "".join(enc + mysql_escape(row.get(col)) + enc + sep for col in SLIMS_COLUMNS)
        lines.append(buffer[:-1])  # substr_replace($buffer, '', -1)
    out = "".join(line + rec_sep for line in lines)
    if header:
        out = "".join(enc + col + enc + sep for col in SLIMS_COLUMNS) + rec_sep + out
    return out.encode("utf-8")  # SLiMS' database and pages are UTF-8


def slims_member(number: str, name: str, **fields: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "member_id": number,
        "member_name": name,
        "gender": "1",
        "member_type_name": "Umum",
        "member_email": f"{number.lower()}@contoh.id",
        "member_address": "Jl. Yos Sudarso No. 7, Lubuklinggau",
        "postal_code": "31611",
        "inst_name": None,
        "is_new": "0",
        "member_image": None,
        "pin": None,
        "member_phone": "081234567890",
        "member_fax": None,
        "member_since_date": "2016-01-05",
        "register_date": "2016-01-05",
        "expire_date": "2027-01-05",
        "birth_date": "1990-02-01",
        "member_notes": None,
    }
    row.update(fields)
    return row


SAMPLE = [
    slims_member("M2016001", "Budi Santoso", member_notes='Suka "komik"\r\nbaris kedua, juga'),
    slims_member("M2016002", "Siti Nur'aini", gender="0", member_type_name="Pelajar"),
    slims_member("M2016003", "Ahmad \\ Fauzi", expire_date="0000-00-00", birth_date=None),
]


def ours(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


# --- SLiMS -----------------------------------------------------------------------------------


def test_slims_export_without_header() -> None:
    data = slims_export(SAMPLE)
    assert b'\\"komik\\"\\r\\nbaris' in data  # escaped the MySQL way, one record per line
    result = parse_member_file(data)
    assert result.format == "slims"
    assert result.delimiter == ","
    assert result.refused == []
    assert result.rows == [
        MemberRow(1, "M2016001", "Budi Santoso", "L", "Umum", date(2027, 1, 5)),
        MemberRow(2, "M2016002", "Siti Nur'aini", "P", "Pelajar", date(2027, 1, 5)),
        MemberRow(3, "M2016003", "Ahmad \\ Fauzi", "L", "Umum", None),
    ]


def test_slims_export_with_header_row() -> None:
    data = slims_export(SAMPLE, header=True)
    assert data.startswith(b'"member_id","member_name",')
    assert data.split(b"\n")[0].endswith(b'"member_notes",')  # export.php's trailing separator
    result = parse_member_file(data)
    assert result.format == "slims"
    assert [r.line for r in result.rows] == [2, 3, 4]
    assert [r.number for r in result.rows] == ["M2016001", "M2016002", "M2016003"]


@pytest.mark.parametrize(
    ("sep", "enc", "rec_sep"),
    [(";", '"', "\n"), (",", '"', "\r"), ("|", '"', "\n"), (",", "'", "\n"), (";", "'", "\r")],
)
@pytest.mark.parametrize("header", [False, True])
def test_slims_export_settings(sep: str, enc: str, rec_sep: str, header: bool) -> None:
    result = parse_member_file(
        slims_export(SAMPLE, sep=sep, enc=enc, rec_sep=rec_sep, header=header)
    )
    assert result.delimiter == sep
    assert result.refused == []
    assert [r.name for r in result.rows] == ["Budi Santoso", "Siti Nur'aini", "Ahmad \\ Fauzi"]
    assert [r.line for r in result.rows] == [i + int(header) for i in (1, 2, 3)]


def test_slims_privacy_minimum() -> None:
    kept = {f.name for f in dataclasses.fields(MemberRow)}
    assert kept == {"line", "number", "name", "gender", "category", "expires", "suspended"}
    result = parse_member_file(slims_export(SAMPLE))
    text = repr(result)
    for private in ("contoh.id", "081234567890", "Yos Sudarso", "1990", "komik"):
        assert private not in text


def test_slims_saved_again_by_excel() -> None:
    # Excel (Indonesian locale) re-saves with ";", CRLF, a BOM, day-first dates, doubled quotes,
    # and no trailing cells when birth_date and notes are empty.
    text = (
        ";".join(SLIMS_COLUMNS)
        + "\r\n"
        + 'M2016001;"Budi ""Ucok"" Santoso";1;Umum;;"Jl. A; No 1";;;0;;;;;05/01/2016;05/01/2016;'
        "05/01/2027;01/02/1990;catatan\r\n"
        "M2016002;Siti;0;Pelajar;;;;;0;;;;;01/03/2017;01/03/2017;28-02-2026\r\n"
    )
    result = parse_member_file(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (result.format, result.encoding, result.delimiter) == ("slims", "utf-8-sig", ";")
    assert result.refused == []
    assert [(r.line, r.name, r.expires) for r in result.rows] == [
        (2, 'Budi "Ucok" Santoso', date(2027, 1, 5)),
        (3, "Siti", date(2026, 2, 28)),
    ]


def test_slims_bad_row_in_the_middle_keeps_its_line() -> None:
    rows = [slims_member(f"M{i:03d}", f"Anggota {i}") for i in range(1, 6)]
    rows[2]["expire_date"] = "2024-02-30"
    rows[3]["member_id"] = "M:004"
    result = parse_member_file(slims_export(rows, header=True))
    assert [r.line for r in result.rows] == [2, 3, 6]
    assert [(r.line, r.reason) for r in result.refused] == [
        (4, "expiry date '2024-02-30' does not exist (day is out of range for month)"),
        (5, "member number 'M:004' contains ':' (allowed: letters, digits, - / . _)"),
    ]


def test_slims_without_header_and_only_zero_dates() -> None:
    dates = {d: "0000-00-00" for d in ("member_since_date", "register_date", "expire_date")}
    result = parse_member_file(slims_export([slims_member("LAMA1", "Anggota Lama", **dates)]))
    assert result.format == "slims"
    assert result.rows == [MemberRow(1, "LAMA1", "Anggota Lama", "L", "Umum", None)]


def test_slims_row_with_too_few_columns() -> None:
    data = slims_export(SAMPLE) + b'"M9","Pendek","1"\n'
    result = parse_member_file(data)
    assert [(r.line, r.reason) for r in result.refused] == [
        (4, "3 values; a SLiMS member export row has 18")
    ]


# --- our own CSV -----------------------------------------------------------------------------


def test_our_csv_english_header() -> None:
    data = ours(
        "number,name,gender,category,expires\n"
        "A-001,Rina Wati,P,Umum,2026-12-31\n"
        "B/002,Dodi,L,,\n"
        "c.003_x,Ani,,Pelajar,31/12/2025\n"
    )
    result = parse_member_file(data, today=date(2026, 1, 15))
    assert (result.format, result.delimiter, result.encoding) == ("kiosk", ",", "utf-8")
    assert result.refused == []
    assert result.rows == [
        MemberRow(2, "A-001", "Rina Wati", "P", "Umum", date(2026, 12, 31)),
        MemberRow(3, "B/002", "Dodi", "L", None, None),
        MemberRow(4, "c.003_x", "Ani", None, "Pelajar", date(2025, 12, 31)),
    ]
    assert result.warnings == ["1 member(s) have a membership that expired before 2026-01-15"]


def test_our_csv_indonesian_header_any_order_and_suspended() -> None:
    data = ours(
        "Nama;Nomor;Jenis Kelamin;Tipe;Berlaku Sampai;Ditangguhkan\n"
        "Putu Ayu;K-7;Perempuan;Mahasiswa;01-06-2026;ya\n"
        "Made;K-8;Laki-laki;Umum;;tidak\n"
    )
    result = parse_member_file(data)
    assert result.refused == []
    assert result.rows == [
        MemberRow(2, "K-7", "Putu Ayu", "P", "Mahasiswa", date(2026, 6, 1), True),
        MemberRow(3, "K-8", "Made", "L", "Umum", None, False),
    ]


def test_only_number_and_name_are_required() -> None:
    result = parse_member_file(ours("nomor,nama\nX1,Yanti\n"))
    assert result.rows == [MemberRow(2, "X1", "Yanti", None, None, None)]
    with pytest.raises(ImportFileError, match="no name column"):
        parse_member_file(ours("nomor,tipe\nX1,Umum\n"))


def test_unknown_columns_refuse_the_file_and_are_named() -> None:
    with pytest.raises(ImportFileError) as err:
        parse_member_file(ours("number,name,alamat,expiers\nA1,Rina,Jl. X,2026-01-01\n"))
    message = str(err.value)
    assert "unknown column(s): alamat, expiers" in message
    assert "\n" not in message


def test_column_named_twice() -> None:
    with pytest.raises(ImportFileError, match="named twice.*number"):
        parse_member_file(ours("number,nomor,name\nA1,A1,Rina\n"))


def test_quoted_newlines_keep_physical_line_numbers() -> None:
    data = ours(
        'number,name,category\r\nA1,"Rina\r\nWati",Umum\r\nA2,Dodi,"Pelajar\r\nSMA"\r\nA3,,Umum\r\n'
    )
    result = parse_member_file(data)
    assert [(r.line, r.name) for r in result.rows] == [(2, "Rina Wati"), (4, "Dodi")]
    assert result.rows[1].category == "Pelajar SMA"
    assert [(r.line, r.reason) for r in result.refused] == [(6, "name is empty")]


def test_blank_lines_and_empty_excel_rows_are_skipped() -> None:
    data = ours("\n\nnumber;name\n\nA1;Rina\n;\n   \n;;\nA2;Dodi\n\n")
    result = parse_member_file(data)
    assert result.refused == []
    assert [(r.line, r.number) for r in result.rows] == [(5, "A1"), (9, "A2")]


def test_excel_sep_line() -> None:
    result = parse_member_file(ours("sep=;\nnumber;name\nA1;Rina, S.Pd\n"))
    assert result.delimiter == ";"
    assert [(r.line, r.name) for r in result.rows] == [(3, "Rina, S.Pd")]


def test_repeated_header_row_is_refused() -> None:
    result = parse_member_file(ours("number,name\nA1,Rina\nnumber,name\nA2,Dodi\n"))
    assert [r.number for r in result.rows] == ["A1", "A2"]
    assert [(r.line, r.reason) for r in result.refused] == [(3, "the header row is repeated here")]


def test_unclosed_quote_is_reported_on_its_line() -> None:
    result = parse_member_file(ours('number,name\nA1,Rina\nA2,"Dodi\nA3,Ani\n'))
    assert [r.number for r in result.rows] == ["A1"]
    assert [(r.line, r.reason) for r in result.refused] == [
        (3, "a quote opened on this line is never closed")
    ]


def test_extra_values_in_a_row() -> None:
    result = parse_member_file(ours("number,name\nA1,Rina,Wati\nA2,Dodi,\n"))
    assert [r.number for r in result.rows] == ["A2"]
    assert result.refused[0].line == 2
    assert "3 values but 2 columns" in result.refused[0].reason


# --- Excel encodings -------------------------------------------------------------------------


def test_excel_utf8_bom_semicolons() -> None:
    text = (
        "Nomor;Nama;Jenis Kelamin;Tipe;Berlaku Sampai\r\nA1;Ni Luh Ayu Pùtri;P;Umum;31/12/2026\r\n"
    )
    result = parse_member_file(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (result.encoding, result.delimiter, result.format) == ("utf-8-sig", ";", "kiosk")
    assert result.rows[0].name == "Ni Luh Ayu Pùtri"


def test_excel_cp1252() -> None:
    text = "Nomor;Nama;Tipe\r\nA1;Dédé Sétiawan;Umum\r\nA2;Ma’ruf “Amin”;Umum\r\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = parse_member_file(data)
    assert result.encoding == "cp1252"
    assert [r.name for r in result.rows] == ["Dédé Sétiawan", "Ma’ruf “Amin”"]


def test_excel_unicode_text_utf16_tabs() -> None:
    text = 'number\tname\tgender\r\nA1\tṢiti Ṇur\tP\r\nA2\t"Budi\tS"\tL\r\n'
    result = parse_member_file(text.encode("utf-16"))  # with BOM, as Excel writes it
    assert (result.encoding, result.delimiter) == ("utf-16", "\t")
    assert [(r.line, r.name) for r in result.rows] == [(2, "Ṣiti Ṇur"), (3, "Budi S")]


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026-3-1", date(2026, 3, 1)),
        ("01/03/2026", date(2026, 3, 1)),  # day first, as Excel writes in Indonesia
        ("1-3-2026", date(2026, 3, 1)),
        ("2026/03/01", date(2026, 3, 1)),
        ("01/03/2026 0:00", date(2026, 3, 1)),
        ("0000-00-00", None),
        ("", None),
    ],
)
def test_accepted_dates(value: str, expected: date | None) -> None:
    result = parse_member_file(ours(f"number,name,expires\nA1,Rina,{value}\n"))
    assert result.refused == []
    assert result.rows[0].expires == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-02-30", "expiry date '2024-02-30' does not exist (day is out of range for month)"),
        ("31/13/2025", "expiry date '31/13/2025' does not exist (month must be in 1..12)"),
        ("besok", "expiry date 'besok' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("12/31/25", "expiry date '12/31/25' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
    ],
)
def test_refused_dates(value: str, reason: str) -> None:
    result = parse_member_file(ours(f"number,name,expires\nA1,Rina,{value}\nA2,Dodi,\n"))
    assert [(r.line, r.reason) for r in result.refused] == [(2, reason)]
    assert [r.number for r in result.rows] == ["A2"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L", "L"),
        ("p", "P"),
        ("Laki-laki", "L"),
        ("Laki laki", "L"),
        ("PEREMPUAN", "P"),
        ("Pria", "L"),
        ("Wanita", "P"),
        ("M", "L"),
        ("F", "P"),
        ("1", "L"),  # SLiMS: 1 = Male
        ("0", "P"),  # SLiMS: 0 = Female
        ("", None),
        ("-", None),
    ],
)
def test_gender_values(value: str, expected: str | None) -> None:
    result = parse_member_file(ours(f"number,name,gender\nA1,Rina,{value}\n"))
    assert result.rows[0].gender == expected


def test_bad_gender_and_several_reasons_at_once() -> None:
    result = parse_member_file(ours("number,name,gender,expires\nA 1,,X,2025-02-29\n"))
    assert result.refused[0].reason == (
        "member number 'A 1' contains ' ' (allowed: letters, digits, - / . _); name is empty; "
        "gender 'X' is not L/P (or Laki-laki/Perempuan, M/F, 1/0); "
        "expiry date '2025-02-29' does not exist (day is out of range for month)"
    )


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "member number is empty"),
        ("M2016:1", "member number 'M2016:1' contains ':' (allowed: letters, digits, - / . _)"),
        ("A" * 21, "member number 'AAAAAAAAAAAAAAAAAAAAA' is longer than 20 characters"),
        ("Ä1", "member number 'Ä1' contains 'Ä' (allowed: letters, digits, - / . _)"),
        (
            "1.23457E+11",
            "member number '1.23457E+11' was turned into scientific notation by Excel "
            "(format the column as Text and save again)",
        ),
    ],
)
def test_refused_numbers(number: str, reason: str) -> None:
    result = parse_member_file(ours(f"number,name\n{number},Rina\n"))
    assert [(r.line, r.reason) for r in result.refused] == [(2, reason)]


def test_number_of_exactly_20_characters_is_taken() -> None:
    result = parse_member_file(ours(f"number,name\n{'A' * 20},Rina\n"))
    assert result.rows[0].number == "A" * 20


def test_duplicate_numbers_name_the_first_line() -> None:
    data = ours("number,name\nA1,Rina\nB2,Dodi\nA1,Rina lagi\na1,Rina kecil\n")
    result = parse_member_file(data)
    assert [r.line for r in result.rows] == [2, 3]
    assert [(r.line, r.reason) for r in result.refused] == [
        (4, "member number A1 already appears on line 2"),
        (5, "member number a1 already appears on line 2"),
    ]


def test_suspended_values() -> None:
    result = parse_member_file(ours("number,name,suspended\nA1,R,Ya\nA2,D,\nA3,E,mungkin\n"))
    assert [(r.number, r.suspended) for r in result.rows] == [("A1", True), ("A2", False)]
    assert result.refused[0].reason == "suspended 'mungkin' is not ya/tidak (yes/no)"


# --- whole-file errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "the file is empty"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"number,name\nA1,Rin\x81a\n", "line 2, column 7: byte 0x81 is neither UTF-8 nor"),
        (b"A1,Rina,P\nA2,Dodi,L\n", "unknown format"),
        (b"number,na\x00me\n", "NUL"),
    ],
)
def test_whole_file_errors(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        parse_member_file(data)


def test_header_only_file_is_empty_result_with_warning() -> None:
    result = parse_member_file(ours("number,name\n"))
    assert (result.rows, result.refused) == ([], [])
    assert result.warnings == ["no member rows in the file"]


# --- properties ------------------------------------------------------------------------------

numbers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}", fullmatch=True)  # card rule
names = st.text(
    st.characters(exclude_categories=("Cs", "Co"), exclude_characters="\x00"), max_size=40
).filter(lambda s: s.split() and not name_problem(" ".join(s.split())))  # names a card can hold
dates = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2100, 12, 31)))


def _distinct(members: list[tuple[str, str, date | None]]) -> list[tuple[str, str, date | None]]:
    seen: set[str] = set()
    out = []
    for number, name, expires in members:
        if number.casefold() not in seen and not _is_header_word(number):
            seen.add(number.casefold())
            out.append((number, name, expires))
    return out


def _is_header_word(value: str) -> bool:
    # a member numbered "nomor" in the first row would read as a header: not worth supporting
    return value.strip().lower() in _ALIASES or value.lower() in SLIMS_COLUMNS


members_st = st.lists(st.tuples(numbers, names, dates), min_size=1, max_size=8).map(_distinct)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=members_st,
    sep=st.sampled_from([",", ";", "|"]),
    rec_sep=st.sampled_from(["\n", "\r"]),
    header=st.booleans(),
)
def test_slims_round_trip(
    members: list[tuple[str, str, date | None]], sep: str, rec_sep: str, header: bool
) -> None:
    assume(members)
    rows = [
        slims_member(n, name, expire_date=e.isoformat() if e else None, member_notes=name)
        for n, name, e in members
    ]
    result = parse_member_file(slims_export(rows, sep=sep, rec_sep=rec_sep, header=header))
    assert result.refused == []
    assert [(r.line, r.number, r.name, r.expires) for r in result.rows] == [
        (i + 1 + int(header), n, " ".join(name.split()), e)
        for i, (n, name, e) in enumerate(members)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=members_st,
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_our_csv_round_trip(
    members: list[tuple[str, str, date | None]], sep: str, encoding: str
) -> None:
    assume(members)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["nomor", "nama", "berlaku_sampai"])
    physical = [2]
    for n, name, e in members:
        writer.writerow([n, name, e.strftime("%d/%m/%Y") if e else ""])
    text = buffer.getvalue()
    # each record starts one line after the previous one ended, counting its quoted newlines
    for _n, name, _e in members[:-1]:
        physical.append(physical[-1] + 1 + _newlines(name))
    result = parse_member_file(text.encode(encoding))
    assert result.refused == []
    assert [(r.line, r.number, r.name, r.expires) for r in result.rows] == [
        (line, n, " ".join(name.split()), e)
        for line, (n, name, e) in zip(physical, members, strict=True)
    ]


def _newlines(value: str) -> int:
    return value.replace("\r\n", "\n").count("\n") + value.replace("\r\n", "").count("\r")


def test_numbers_a_card_cannot_carry_are_refused_with_their_line() -> None:
    result = parse_member_file(b"number;name\n-12;X\n.A;Y\nB1;Z\n")
    assert [(r.line, "start with a letter or a digit" in r.reason) for r in result.refused] == [
        (2, True),
        (3, True),
    ]
    assert [r.number for r in result.rows] == ["B1"]
