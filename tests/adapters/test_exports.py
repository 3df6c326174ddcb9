"""The daily export's CSV and XLSX files, read back and compared with the raw visit rows."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.adapters.render import exports
from kiosk.services import reports
from kiosk.services.kiosk import KioskService
from tests.support.visit_history import daily_expected, fill_history, raw


@pytest.fixture
def history(service: KioskService) -> KioskService:
    return fill_history(service)


def test_daily_export_csv_and_xlsx_read_back(history: KioskService, tmp_path: Path) -> None:
    day = date(2026, 11, 25)
    want = daily_expected(raw(history), day)
    names = {"id": {"member": "Anggota", "guest": "Tamu", "group": "Rombongan"}}
    names["en"] = {"member": "Member", "guest": "Guest", "group": "Group"}
    for lang in ("id", "en"):
        kinds = {v: k for k, v in names[lang].items()}
        total_word = {"id": "Jumlah", "en": "Total"}[lang]
        with history.sessions() as s:
            report = reports.daily_report(s, day, "PUSAT", history.rooms)
        path = exports.write_daily(report, tmp_path / lang / "d.csv", None, lang)
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        header, body = table[0], table[1:]
        assert header[0] == ("Tanggal" if lang == "id" else "Date")
        detail = {(r[1], kinds[r[3]], r[4]): int(r[5]) for r in body if r[3] != total_word}
        assert detail == want
        totals = {r[1]: int(r[5]) for r in body if r[3] == total_word}
        all_word = {"id": "SEMUA", "en": "ALL"}[lang]
        assert totals.pop(all_word) == sum(want.values())
        for room, n in totals.items():
            assert n == sum(v for (r, _k, _c), v in want.items() if r == room)
        assert {r[0] for r in body} == {"2026-11-25"}

    folder = tmp_path / "usb"
    path = history.export_today(folder)  # the clock's today is 2026-11-25
    assert path.parent == folder and path.suffix == ".xlsx"
    ws = load_workbook(path).worksheets[0]
    cells = list(ws.iter_rows(values_only=True))
    assert cells[0][0] == "Tanggal"
    kinds = {v: k for k, v in names["id"].items()}
    detail = {(r[1], kinds[r[3]], r[4] or ""): r[5] for r in cells[1:] if r[3] != "Jumlah"}
    assert detail == want
    assert all(isinstance(r[0], datetime) and r[0].date() == day for r in cells[1:])
    assert all(isinstance(r[5], int) for r in cells[1:])
    assert ws.cell(2, 1).number_format == "yyyy-mm-dd"
