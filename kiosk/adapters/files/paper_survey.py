"""Typed-up paper survey forms (SKM): one CSV row per respondent, read for `kiosk survey import`.

Pure parsing, no database: kiosk.services.surveys stores a clean import in one transaction.
Files are read like every staff CSV (kiosk.adapters.files.csvfiles): Excel's encodings and
separators, Indonesian column names, dates as YYYY-MM-DD or DD/MM/YYYY.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from kiosk.adapters.files.csvfiles import (
    GENDER_COLUMN,
    GENDER_OF,
    CsvText,
    ImportFileError,
    aliases,
    header_names,
    parse_date,
    read_csv_text,
)
from kiosk.domain import ikm
from kiosk.domain.surveys import PROFILE_MAX

MAX_SUGGESTION = 500  # the database column

_PROFILE_ALIASES = aliases(
    {
        "date": "date tanggal tgl hari_tanggal",
        "gender": GENDER_COLUMN,
        "age_band": "age_band age umur usia kelompok_umur",
        "education": "education pendidikan pendidikan_terakhir",
        "occupation": "occupation pekerjaan",
        "suggestion": "suggestion suggestions saran kritik_saran kritik_dan_saran saran_masukan",
        "_ignore": "no nomor no_responden nomor_responden responden respondent",
        "_name": "nama name nama_responden nama_lengkap",
    }
)


@dataclass(frozen=True)
class PaperRow:
    line: int
    day: date
    answers: dict[str, int]
    profile: dict[str, str | None]
    suggestion: str | None = None  # stored apart from the answers, never with the profile


@dataclass(frozen=True)
class PaperRefused:
    line: int
    reason: str


@dataclass
class PaperImport:
    standard: ikm.Standard
    rows: list[PaperRow]
    refused: list[PaperRefused]
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)
    digest: str = ""  # sha256 of the file's bytes: the same file is not imported twice

    @property
    def ok(self) -> bool:
        return not self.refused and bool(self.rows)


def _element_code(name: str) -> str | None:
    # "U1", "u01", "unsur_1", "unsur1" -> "U1"
    for prefix in ("unsur_", "unsur", "u"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return f"U{int(name[len(prefix) :])}"
    return None


def parse_paper_file(
    data: bytes, standard: ikm.Standard, day: date | None, today: date | None = None
) -> PaperImport:
    """Read typed-up paper survey forms: one row per respondent.

    Columns U1..U9 (2017) or U1..U14 (2004), a blank cell is "not answered"; optional date,
    gender, age band, education and occupation. A `date` column gives each row's day, else
    `day` (the survey period) is used. Names are never imported. Rows that fail are listed with
    their line numbers; the caller stores the file only when there are none. Ages are stored
    as bands (ikm.age_band); with `today` (the library's day), a survey day after it is refused.
    """
    csv_text = read_csv_text(data)
    delim, header = _detect_header(csv_text, standard)
    columns: dict[str, int] = {}
    warnings = [csv_text.warning] if csv_text.warning else []
    for i, name in enumerate(header):
        code = _element_code(name)
        target = code or _PROFILE_ALIASES.get(name)
        if target is None:
            continue  # unknown columns are refused in _detect_header
        if target == "_name":
            warnings.append(f"column {name!r} ignored: respondent names are never stored")
            continue
        if target == "_ignore":
            continue
        if target in columns:
            raise ImportFileError(f"column {name!r} is given twice")
        columns[target] = i
    if day is None and "date" not in columns:
        raise ImportFileError("no date column in the file: give the survey day with --date")

    digest = hashlib.sha256(data).hexdigest()
    result = PaperImport(standard, [], [], csv_text.encoding, delim, warnings, digest)
    for line, record, error in csv_text.rows(delim):
        if record is None:
            result.refused.append(PaperRefused(line, error))
            continue
        outcome = _paper_row(line, record, columns, standard, (day, today), len(header))
        (result.rows if isinstance(outcome, PaperRow) else result.refused).append(outcome)
    if not result.rows and not result.refused:
        result.warnings.append("no respondent rows in the file")
    return result


def _detect_header(csv_text: CsvText, std: ikm.Standard) -> tuple[str, list[str]]:
    best: tuple[int, str, list[str]] | None = None
    for delim in csv_text.delimiters():
        first = csv_text.first_record(delim)
        if first is None:
            continue
        names = header_names(first)
        known = sum(1 for n in names if _element_code(n))
        if known and (best is None or known > best[0]):
            best = (known, delim, names)
    if best is None:
        raise ImportFileError(
            "the first line is not a header with element columns U1, U2, ... "
            f"(the {std.code} standard has {', '.join(std.codes)})"
        )
    _, delim, names = best
    unknown = [
        n or f"(column {i + 1} has no name)"
        for i, n in enumerate(names)
        if not _element_code(n) and n not in _PROFILE_ALIASES
    ]
    if unknown:
        raise ImportFileError(
            f"unknown column(s): {', '.join(unknown)}; expected U1..U{len(std.codes)}, date, "
            "gender, age_band, education, occupation, suggestion (or tanggal, jenis_kelamin, "
            "umur, pendidikan, pekerjaan, saran)"
        )
    extra = [c for n in names if (c := _element_code(n)) and c not in std.codes]
    if extra:
        other = "2004 (14 elements)" if len(std.codes) == 9 else "2017 (9 elements)"
        raise ImportFileError(
            f"column(s) {', '.join(extra)} are not elements of {std.code} "
            f"(U1..U{len(std.codes)}); is this a {other} form? use --standard"
        )
    return delim, names


def _paper_row(
    line: int,
    record: list[str],
    columns: dict[str, int],
    std: ikm.Standard,
    days: tuple[date | None, date | None],
    width: int,
) -> PaperRow | PaperRefused:
    def get(name: str) -> str:
        i = columns.get(name)
        return record[i].strip() if i is not None and i < len(record) else ""

    if any(c.strip() for c in record[width:]):
        return PaperRefused(line, f"{len(record)} values but {width} columns")
    reasons: list[str] = []
    answers: dict[str, int] = {}
    for code in std.codes:
        raw = get(code)
        if not raw:
            continue
        if raw in {"1", "2", "3", "4"}:
            answers[code] = int(raw)
        else:
            reasons.append(f"{code} is {raw!r}, not 1-4 or blank")
    suggestion = " ".join(get("suggestion").split()) or None
    if suggestion and len(suggestion) > MAX_SUGGESTION:
        reasons.append(f"the suggestion is longer than {MAX_SUGGESTION} characters")
    if not answers and not reasons:
        reasons.append("no element is answered")
    day, today = days
    if "date" in columns and get("date"):
        day, err = parse_date(get("date"))
        if err:
            reasons.append(f"date {err}")
    if day is None and not reasons:
        reasons.append("no date (fill the date column or give --date)")
    if day is not None and today is not None and day > today:
        reasons.append(f"date {day.isoformat()} is in the future")
    profile: dict[str, str | None] = {}
    raw_gender = get("gender")
    gender = GENDER_OF.get(raw_gender.casefold(), "?")
    if gender == "?":
        reasons.append(f"gender {raw_gender!r} is not L/P (or Laki-laki/Perempuan)")
        gender = None
    profile["gender"] = gender
    for name, limit in PROFILE_MAX.items():
        value = " ".join(get(name).split()) or None
        if value and name == "age_band":
            try:
                value = ikm.age_band(value)  # real ages become bands: no row names one age
            except ValueError as e:
                reasons.append(str(e))
        if value and len(value) > limit:
            reasons.append(f"{name} is longer than {limit} characters")
        profile[name] = value
    if reasons:
        return PaperRefused(line, "; ".join(reasons))
    assert day is not None
    return PaperRow(line, day, answers, profile, suggestion)
