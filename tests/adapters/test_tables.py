"""The table model: one table per report, the same cells in CSV, XLSX, PDF and terminal text."""

from __future__ import annotations

import csv
from datetime import date, time
from pathlib import Path

from openpyxl import load_workbook

from kiosk.adapters.render import exports, report_tables
from kiosk.adapters.render.table import Word, text
from kiosk.domain.counts import Counts, DailyReport, DailyRow, VisitFilter, VisitReport
from kiosk.i18n import catalog


def visit_report(by: str, keys: list) -> VisitReport:
    rows = [(k, Counts(member=i + 1, guest=2, group=30 * i, records=3)) for i, k in enumerate(keys)]
    total = Counts()
    for _k, c in rows:
        total.merge(c)
    return VisitReport(VisitFilter(date(2026, 11, 1), date(2026, 11, 30)), by, rows, total)


def test_one_table_shows_the_same_cells_everywhere(tmp_path: Path) -> None:
    report = visit_report("hour", [8, 9, 23])
    table = report_tables.visit_table(report)
    exports.write_csv(tmp_path / "v.csv", table, "id")
    exports.write_xlsx(tmp_path / "v.xlsx", [table], "id")
    with (tmp_path / "v.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    sheet = list(load_workbook(tmp_path / "v.xlsx")["Jam"].iter_rows(values_only=True))
    assert rows[0] == list(sheet[0])
    assert rows[0][:5] == ["Jam", "Anggota", "Tamu", "Rombongan", "Jumlah"]
    assert rows[0][5:] == ["Pengunjung (orang)", "Laki-laki", "Perempuan", "Tidak diketahui"]
    assert [r[0] for r in rows[1:]] == ["08:00", "09:00", "23:00", "Jumlah"]
    assert [r[0] for r in sheet[1:]] == [time(8), time(9), time(23), "Jumlah"]  # real times
    assert [[int(v) for v in r[1:]] for r in rows[1:]] == [list(r[1:]) for r in sheet[1:]]
    lines = text(report_tables.visit_text_table(report), "id", 100).splitlines()
    assert lines[0].split() == rows[0][:5]  # the reader's headings, as in the files
    assert [ln.split() for ln in lines[2:]] == [r[:5] for r in rows[1:]]


def test_weekday_and_month_keys_are_words_of_the_catalogue() -> None:
    week = report_tables.visit_text_table(visit_report("weekday", [0, 6]))
    assert [ln.split()[0] for ln in text(week, "id").splitlines()[2:4]] == ["Senin", "Minggu"]
    months = report_tables.visit_table(visit_report("month", [(2026, 1), (2026, 8)]))
    assert "Agustus 2026" in text(months, "id") and "August 2026" in text(months, "en")


def test_every_word_of_the_tables_has_both_languages() -> None:
    day = date(2026, 11, 25)
    rows = [DailyRow("BACA", k, "Umum", 1, 1, "PUSAT") for k in ("member", "guest", "group")]
    daily = report_tables.daily_table(
        DailyReport(day, "PUSAT", rows, {("PUSAT", "BACA"): ("Baca", "Reading")})
    )
    tables = [daily] + [
        report_tables.visit_table(visit_report(b, [])) for b in report_tables.PERIOD_HEADINGS
    ]
    tables += [report_tables.keyed_table(k, {}) for k in report_tables.KEY_HEADINGS]
    tables += [report_tables.daily_table(DailyReport(day, None, rows, {}))]
    for table in tables:
        msgids = [c.heading for c in table.columns] + [table.title]
        msgids += [v for r in table.all_rows() for v in r if isinstance(v, Word)]
        for msgid in msgids:
            assert msgid in catalog("id") and msgid in catalog("en"), msgid
