"""Visit exports for staff: CSV and XLSX, headings in Bahasa Indonesia (English on request).

XLSX cells hold real numbers and real dates (not text), one sheet per view, so Excel and
LibreOffice can sum and chart them. CSV is UTF-8 with a BOM and `;`-free commas, which both
spreadsheet programs open directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kiosk.adapters.files.atomic import atomic_open, write_bytes
from kiosk.services.reports import DailyRow, VisitReport, daily_rows, key_text

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "date": "Tanggal",
        "room": "Ruang",
        "room_name": "Nama ruang",
        "visitor_type": "Jenis pengunjung",
        "category": "Kategori",
        "visitors": "Jumlah pengunjung",
        "records": "Jumlah entri",
        "member": "Anggota",
        "guest": "Tamu",
        "group": "Rombongan",
        "total": "Jumlah",
        "all": "SEMUA",
        "day": "Tanggal",
        "hour": "Jam",
        "weekday": "Hari",
        "month": "Bulan",
        "year": "Tahun",
        "daily_title": "Kunjungan harian",
        "visits_title": "Laporan kunjungan",
        "by_room": "Per ruang",
        "by_category": "Per kategori",
    },
    "en": {
        "date": "Date",
        "room": "Room",
        "room_name": "Room name",
        "visitor_type": "Visitor type",
        "category": "Category",
        "visitors": "Visitors",
        "records": "Records",
        "member": "Member",
        "guest": "Guest",
        "group": "Group",
        "total": "Total",
        "all": "ALL",
        "day": "Date",
        "hour": "Hour",
        "weekday": "Weekday",
        "month": "Month",
        "year": "Year",
        "daily_title": "Daily visits",
        "visits_title": "Visit report",
        "by_room": "By room",
        "by_category": "By category",
    },
}
WEEKDAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}
FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """CSV text a spreadsheet would run as a formula (`=HYPERLINK(...)` as a member category)
    gets a leading apostrophe, so it opens as text; numbers pass unchanged. (XLSX cells are
    typed: there such text is written as a string cell.)"""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def words(lang: str) -> dict[str, str]:
    if lang not in WORDS:
        raise ValueError("--lang must be id or en")
    return WORDS[lang]


def month_name(month: int, lang: str) -> str:
    return MONTHS[lang].split()[month - 1]


class MonthStart(date):
    """The first day of a month, shown in spreadsheets as the month ("March 2025")."""


def key_cell(by: str, key: Any, lang: str) -> Any:
    """A period key as a typed spreadsheet value: hours as times, months as dates."""
    if by == "hour":
        return time(key)
    if by == "month":
        return MonthStart(key[0], key[1], 1)
    return key_label(by, key, lang)


def key_label(by: str, key: Any, lang: str) -> Any:
    """A period key as a spreadsheet value: real dates and numbers, names for weekdays."""
    if by == "day":
        return key
    if by == "hour":
        return f"{key:02d}:00"
    if by == "weekday":
        return WEEKDAYS[lang][key]
    if by == "month":
        return f"{month_name(key[1], lang)} {key[0]}"
    return key


# --- daily export ---------------------------------------------------------------------------


def daily_table(
    rows: Sequence[DailyRow], day: date, lang: str, room_names: dict[str, str] | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: room x visitor type x category, then a total per room and overall."""
    w = words(lang)
    names = room_names or {}
    header = [w["date"], w["room"], w["room_name"], w["visitor_type"], w["category"]]
    header += [w["visitors"], w["records"]]
    out: list[list[Any]] = []
    grand = [0, 0]
    for room in sorted({r.room for r in rows}):
        mine = [r for r in rows if r.room == room]
        for r in mine:
            out.append(
                [day, room, names.get(room, ""), w[r.visitor_type], r.category]
                + [r.headcount, r.records]
            )
        heads, recs = sum(r.headcount for r in mine), sum(r.records for r in mine)
        out.append([day, room, names.get(room, ""), w["total"], "", heads, recs])
        grand[0] += heads
        grand[1] += recs
    out.append([day, w["all"], "", w["total"], "", grand[0], grand[1]])
    return header, out


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> Path:
    with atomic_open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([safe_text(v) for v in header])
        for row in rows:
            writer.writerow([safe_text(v.isoformat() if isinstance(v, date) else v) for v in row])
    return path


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> Path:
    """One sheet per (title, header, rows); dates formatted as dates, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])  # Excel's limit on sheet names
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for row_cells in ws.iter_rows():
            for cell in row_cells:
                if cell.data_type == "f":  # text from the database is never a formula
                    cell.data_type = "s"
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, MonthStart):
                    cell.number_format = "mmmm yyyy"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, time):
                    cell.number_format = "hh:mm"
        for i, name in enumerate(header, start=1):
            width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200]]) + 2
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width, 40)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()  # built in memory: a full disk fails in one clean write below
    wb.save(buffer)
    return write_bytes(path, buffer.getvalue())


def write_daily(
    s: Session,
    day: date,
    site: str | None,
    folder_or_file: Path,
    fmt: str | None = None,
    lang: str = "id",
    rooms: Iterable[Any] = (),
) -> Path:
    """The daily export (kiosk export daily, the staff screen's USB button).

    `folder_or_file`: a file path (its suffix gives the format) or a folder, where the file is
    named kunjungan-<site>-<day>.<fmt>.
    """
    path = Path(folder_or_file)
    if path.suffix.lower().lstrip(".") in FORMATS:
        fmt = path.suffix.lower().lstrip(".")
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        fmt = fmt or "xlsx"
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        path.mkdir(parents=True, exist_ok=True)
        path = path / f"kunjungan-{site or 'semua'}-{day.isoformat()}.{fmt}"
    names = {r.code: (r.name if lang == "id" else r.name_en) for r in rooms}
    header, table = daily_table(daily_rows(s, day, site), day, lang, names)
    if fmt == "csv":
        return write_csv(path, header, table)
    return write_xlsx(path, [(f"{words(lang)['daily_title']} {day.isoformat()}", header, table)])


# --- visit report ---------------------------------------------------------------------------


def report_table(
    report: VisitReport, lang: str, typed: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a visit report; `typed` keys (times, dates) for spreadsheets."""
    w = words(lang)
    header = [w[report.by], w["member"], w["guest"], w["group"], w["total"]]
    key = key_cell if typed else key_label
    rows = [[key(report.by, k, lang), c.member, c.guest, c.group, c.total] for k, c in report.rows]
    t = report.total
    rows.append([w["total"], t.member, t.guest, t.group, t.total])
    return header, rows


def keyed_table(
    title_key: str, counts: dict[str, Any], lang: str
) -> tuple[list[str], list[list[Any]]]:
    w = words(lang)
    header = [w[title_key], w["member"], w["guest"], w["group"], w["total"]]
    rows = [[k, c.member, c.guest, c.group, c.total] for k, c in sorted(counts.items())]
    return header, rows


def report_json_rows(report: VisitReport) -> list[dict[str, Any]]:
    return [{"key": key_text(report.by, k), **c.to_json()} for k, c in report.rows]
