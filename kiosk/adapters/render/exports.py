"""Tables as CSV and XLSX files for staff, headings in Bahasa Indonesia (English on request).

XLSX cells hold real numbers and real dates (not text), one sheet per table, so Excel and
LibreOffice can sum and chart them. CSV is UTF-8 with a BOM and `;`-free commas, which both
spreadsheet programs open directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import Any

from kiosk.adapters.files.atomic import atomic_open, write_bytes
from kiosk.adapters.render.report_tables import daily_table
from kiosk.adapters.render.table import Fixed, MonthStart, Table, label, typed
from kiosk.domain.counts import DailyReport
from kiosk.i18n import LANGUAGES

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """CSV text a spreadsheet would run as a formula (`=HYPERLINK(...)` as a member category)
    gets a leading apostrophe, so it opens as text; numbers pass unchanged. (XLSX cells are
    typed: there such text is written as a string cell.)"""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"--lang must be one of {', '.join(LANGUAGES)}")
    return lang


def write_csv(path: Path, table: Table, lang: str) -> Path:
    """The table's rows (and totals) under its headings, cells as people read them."""
    check_lang(lang)
    with atomic_open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([safe_text(v) for v in table.headings(lang)])
        for row in table.all_rows():
            cells = [label(v, c, lang) for v, c in zip(row, table.columns, strict=True)]
            writer.writerow([safe_text(v.isoformat() if isinstance(v, date) else v) for v in cells])
    return path


def write_xlsx(path: Path, tables: Sequence[Table], lang: str) -> Path:
    """One sheet per table, named by its title; dates formatted as dates, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    check_lang(lang)
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.title_text(lang)[:31])  # Excel's limit on sheet names
        header = table.headings(lang)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        rows = [
            [typed(v, c, lang) for v, c in zip(row, table.columns, strict=True)]
            for row in table.all_rows()
        ]
        for row in rows:
            ws.append(row)
        for row_cells in ws.iter_rows():
            for cell in row_cells:
                if cell.data_type == "f":  # text from the database is never a formula
                    cell.data_type = "s"
        for i in table.hidden:
            ws.row_dimensions[i + 2].hidden = True  # below the heading row
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, Fixed):
                    cell.number_format = "0." + "0" * cell.value.digits
                elif isinstance(cell.value, MonthStart):
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


def write_daily(report: DailyReport, folder_or_file: Path, fmt: str | None, lang: str) -> Path:
    """The daily export (kiosk export daily, the staff screen's USB button).

    `folder_or_file`: a file path (its suffix gives the format) or a folder, where the file is
    named kunjungan-<site>-<day>.<fmt>.
    """
    check_lang(lang)
    path = Path(folder_or_file)
    if path.suffix.lower().lstrip(".") in FORMATS:
        fmt = path.suffix.lower().lstrip(".")
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        fmt = fmt or "xlsx"
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        path.mkdir(parents=True, exist_ok=True)
        path = path / f"kunjungan-{report.site or 'semua'}-{report.day.isoformat()}.{fmt}"
    table = daily_table(report)
    if fmt == "csv":
        return write_csv(path, table, lang)
    return write_xlsx(path, [table], lang)
