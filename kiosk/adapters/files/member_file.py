"""Read member lists for `kiosk members import FILE`: our own CSV and SLiMS' member export.

Pure parsing, no database: the caller stores `ImportResult.rows` in one transaction.

SLiMS' export, as written by slims/slims9_bulian `admin/modules/membership/export.php`:
- 18 columns, in this order: member_id, member_name, gender, member_type_name, member_email,
  member_address, postal_code, inst_name, is_new, member_image, pin, member_phone, member_fax,
  member_since_date, register_date, expire_date, birth_date, member_notes.
- Field separator and "enclosed with" are form fields, default `,` and `"`; both go through PHP
  `trim()`, so a tab separator is impossible. Every field is enclosed, even empty ones.
- Record separator: NEWLINE (`\\n`, the default) or CARRIAGE RETURN (`\\r`).
- Escaping is MySQL's `escape_string`, not CSV doubling: `"` -> `\\"`, `'` -> `\\'`,
  `\\` -> `\\\\`, newline -> `\\n`, CR -> `\\r`, NUL -> `\\0`, Ctrl-Z -> `\\Z`. So a record is
  always one physical line. NULL is written as an empty field (`$fld_data ?? ''`).
- Header row only when "Put columns names in the first row" is ticked; it ends with a trailing
  separator (`"member_id",...,"member_notes",`).
- Dates are MySQL DATE text, `YYYY-MM-DD`; zero dates come out as `0000-00-00`.
- gender is an integer: 1 = Male, 0 = Female (radio buttons in admin/modules/membership/index.php,
  default 0, so 0 also means "never set" for many records).
SLiMS' own importer (admin/modules/membership/import.php) reads the same 18 positions with
`fgetcsv($file, 4096, $sep, $enc)`, strips every backslash and takes an empty gender as 0.
(A 2022 SLiMS migration widens member.member_id from varchar(20) to varchar(64); we keep 20
because the number travels inside the card's small QR payload.)

Our own CSV: a header row naming the columns number, name, gender, category, expires and
optionally suspended (Indonesian aliases accepted, see `_ALIASES`), RFC 4180 quoting, as written
by Excel or LibreOffice. Any delimiter of `, ; TAB |`.

Privacy (UU 27/2022, collect the minimum): only number, name, gender, member type, expiry and
suspension are kept. SLiMS' e-mail, address, phone, fax, PIN, photo, birth date, institution and
notes are read past and never stored. An unknown column in our own format refuses the whole file,
because a misspelt column name would otherwise drop its data without anyone noticing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kiosk.adapters.files.csvfiles import (
    CR,
    GENDER_COLUMN,
    GENDER_OF,
    NL,
    CsvText,
    ImportFileError,
    aliases,
    header_names,
    parse_date,
    read_csv_text,
)
from kiosk.domain.members import member_problems, number_problem

SLIMS_COLUMNS = (
    "member_id",
    "member_name",
    "gender",
    "member_type_name",
    "member_email",
    "member_address",
    "postal_code",
    "inst_name",
    "is_new",
    "member_image",
    "pin",
    "member_phone",
    "member_fax",
    "member_since_date",
    "register_date",
    "expire_date",
    "birth_date",
    "member_notes",
)
_SLIMS_FIELDS = {
    "number": "member_id",
    "name": "member_name",
    "gender": "gender",
    "category": "member_type_name",
    "expires": "expire_date",
}
_SLIMS_DATE_COLUMNS = (13, 14, 15)  # member_since_date, register_date, expire_date

_ALIASES = aliases(
    {
        "number": "number nomor no_anggota nomor_anggota member_number id_anggota",
        "name": "name nama nama_anggota nama_lengkap full_name",
        "gender": GENDER_COLUMN,
        "category": "category kategori tipe tipe_anggota jenis_anggota member_type",
        "expires": "expires berlaku_sampai masa_berlaku kedaluwarsa tanggal_kedaluwarsa expiry",
        "suspended": "suspended ditangguhkan diblokir blokir",
    }
)
# SLiMS' names too, so a hand-made file may mix them with ours
_ALIASES.update({slims: ours for ours, slims in _SLIMS_FIELDS.items()})

_TRUE = {"1", "y", "ya", "yes", "true", "x", "benar"}
_FALSE = {"", "0", "n", "tidak", "no", "false", "salah", "-"}

_MYSQL_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True)
class MemberRow:
    line: int  # physical line in the file where the record starts (1-based)
    number: str
    name: str
    gender: str | None  # "L" / "P"
    category: str | None  # member type, e.g. Umum, Pelajar
    expires: date | None
    suspended: bool = False


@dataclass(frozen=True)
class RefusedRow:
    line: int
    reason: str


@dataclass
class ImportResult:
    rows: list[MemberRow]
    refused: list[RefusedRow]
    format: str  # "kiosk" or "slims"
    encoding: str  # codec used: utf-8, utf-8-sig, utf-16, cp1252
    delimiter: str
    warnings: list[str] = field(default_factory=list)
    # The member fields the file has columns for: a re-import updates only these, so a list
    # of numbers and names does not blank the members' expiry dates.
    fields: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.refused


def parse_member_file(data: bytes, *, today: date | None = None) -> ImportResult:
    """Parse a member list; rows that fail validation are listed, never silently dropped.

    `today` (the library's day) only adds a warning counting members already expired; expired
    members are still imported, because check-in is where "expired" is decided and shown.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    csv_text = read_csv_text(data)
    text = csv_text.text
    quotechar = "'" if _first_content_line(text, csv_text.skip).startswith("'") else '"'
    slims_text = _unescape_mysql(text, quotechar)

    delim, header, fmt = _detect(csv_text, slims_text, quotechar)
    if fmt == "slims":
        columns = (
            {f: header.index(c) for f, c in _SLIMS_FIELDS.items() if c in header}
            if header
            else {f: SLIMS_COLUMNS.index(c) for f, c in _SLIMS_FIELDS.items()}
        )
        width = len(header) if header else len(SLIMS_COLUMNS)
        source = slims_text
    else:
        assert header is not None
        columns = {_ALIASES[h]: i for i, h in enumerate(header)}
        width = len(header)
        source = text
    if "number" not in columns or "name" not in columns:
        missing = [f for f in ("number", "name") if f not in columns]
        raise ImportFileError(f"the header has no {' or '.join(missing)} column")

    parser = _RowParser(columns, width, header_less=header is None, header=header)
    result = ImportResult([], [], fmt, csv_text.encoding, delim, fields=frozenset(columns))
    if csv_text.warning:
        result.warnings.append(csv_text.warning)
    for line, record, error in csv_text.rows(delim, quotechar, header is not None, source):
        if record is None:
            result.refused.append(RefusedRow(line, error))
            continue
        outcome = parser.parse(line, record)
        if isinstance(outcome, MemberRow):
            result.rows.append(outcome)
        else:
            result.refused.append(outcome)

    if not result.rows and not result.refused:
        result.warnings.append("no member rows in the file")
    if today is not None:
        expired = sum(1 for r in result.rows if r.expires is not None and r.expires < today)
        if expired:
            result.warnings.append(
                f"{expired} member(s) have a membership that expired before {today}"
            )
    return result


# --- whole-file steps -------------------------------------------------------------------


def _first_content_line(text: str, skip: int) -> str:
    lines = (ln for ln in text.splitlines() if ln.strip())
    for _ in range(skip):
        next(lines, "")
    return next(lines, "").lstrip()


def _unescape_mysql(text: str, quotechar: str) -> str:
    def sub(m: re.Match[str]) -> str:
        c = m.group(1)
        if c == "n":
            return NL
        if c == "r":
            return CR
        if c == "0":
            return ""
        if c == "Z":
            return "\x1a"
        if c == quotechar:
            return quotechar * 2  # standard CSV doubling inside an enclosed field
        return c

    return _MYSQL_ESCAPE_RE.sub(sub, text)


def _detect(
    csv_text: CsvText, slims_text: str, quotechar: str
) -> tuple[str, list[str] | None, str]:
    """Pick delimiter, header (normalised names, or None) and format from the first record.

    A SLiMS data row is recognised first, by its dates: a header never has dates in columns
    14-16, while a member named e.g. "Nomor" could otherwise pass for a header.
    """
    firsts = [
        (d, r)
        for d in csv_text.delimiters()
        if (r := csv_text.first_record(d, quotechar, slims_text))
    ]
    for delim, first in firsts:
        if _looks_like_slims_row(first):
            return delim, None, "slims"
    best: tuple[int, str, list[str]] | None = None
    for delim, first in firsts:
        names = header_names(first)
        known = sum(1 for n in names if n in _ALIASES or n in SLIMS_COLUMNS)
        if known >= 2 and (best is None or known > best[0]):
            best = (known, delim, names)
    if best is not None:
        _, delim, names = best
        if "member_id" in names and set(names) <= set(SLIMS_COLUMNS):
            _check_duplicates(names)
            return delim, names, "slims"
        unknown = [
            n or f"(column {i + 1} has no name)" for i, n in enumerate(names) if n not in _ALIASES
        ]
        if unknown:
            raise ImportFileError(
                f"unknown column(s): {', '.join(unknown)}; expected number, name, gender, "
                "category, expires, suspended (or nomor, nama, jenis_kelamin, tipe, "
                "berlaku_sampai, ditangguhkan)"
            )
        fields = [_ALIASES[n] for n in names]
        _check_duplicates(fields)
        return delim, names, "kiosk"
    raise ImportFileError(
        "unknown format: the first line is neither a header (number,name,...) "
        "nor a row of a SLiMS member export (18 columns)"
    )


def _check_duplicates(names: list[str]) -> None:
    seen = [n for i, n in enumerate(names) if n in names[:i]]
    if seen:
        raise ImportFileError(
            f"column(s) named twice in the header: {', '.join(sorted(set(seen)))}"
        )


def _looks_like_slims_row(record: list[str]) -> bool:
    # Excel may drop empty trailing cells (birth_date, notes), so 16..18 columns.
    if not 16 <= len(record) <= len(SLIMS_COLUMNS):
        return False
    dates = [record[i].strip() for i in _SLIMS_DATE_COLUMNS]
    return any(not parse_date(d)[1] for d in dates if d)  # a date, or MySQL's 0000-00-00


# --- one row ----------------------------------------------------------------------------


class _RowParser:
    def __init__(
        self, columns: dict[str, int], width: int, *, header_less: bool, header: list[str] | None
    ) -> None:
        self.columns = columns
        self.width = width
        self.header_less = header_less
        self.header = header
        self.first_line: dict[str, int] = {}  # casefolded number -> line

    def _get(self, record: list[str], name: str) -> str:
        i = self.columns.get(name)
        return record[i] if i is not None and i < len(record) else ""

    def parse(self, line: int, record: list[str]) -> MemberRow | RefusedRow:
        if header_names(record) == (self.header or list(SLIMS_COLUMNS)):
            return RefusedRow(line, "the header row is repeated here")
        extra = [c for c in record[self.width :] if c.strip()]
        if extra:
            return RefusedRow(
                line, f"{len(record)} values but {self.width} columns (unquoted separator?)"
            )
        if self.header_less and len(record) < 16:
            return RefusedRow(
                line, f"{len(record)} values; a SLiMS member export row has {len(SLIMS_COLUMNS)}"
            )

        number = self._get(record, "number").strip()
        name = " ".join(self._get(record, "name").split())
        raw_gender = self._get(record, "gender").strip()
        gender = GENDER_OF.get(raw_gender.casefold(), "?")
        category = " ".join(self._get(record, "category").split()) or None
        # The member rules are the domain's; an unknown spelling goes in as given and is refused.
        reasons = member_problems(number, name, raw_gender if gender == "?" else gender, category)
        number_error = number_problem(number)
        expires, date_error = parse_date(self._get(record, "expires"))
        if date_error:
            reasons.append(f"expiry date {date_error}")
        raw_susp = self._get(record, "suspended").strip().casefold()
        if raw_susp not in _TRUE | _FALSE:
            reasons.append(f"suspended {raw_susp!r} is not ya/tidak (yes/no)")

        if not number_error:
            key = number.casefold()
            if key in self.first_line:
                first = self.first_line[key]
                reasons.append(f"member number {number} already appears on line {first}")
            else:
                self.first_line[key] = line
        if reasons:
            return RefusedRow(line, "; ".join(reasons))
        return MemberRow(
            line=line,
            number=number,
            name=name,
            gender=gender,
            category=category,
            expires=expires,
            suspended=raw_susp in _TRUE,
        )
