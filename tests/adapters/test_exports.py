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
from tests.support.visit_history import by_gender, daily_expected, fill_history, people, raw


@pytest.fixture
def history(service: KioskService) -> KioskService:
    return fill_history(service)


def test_daily_export_csv_and_xlsx_read_back(history: KioskService, tmp_path: Path) -> None:
    day = date(2026, 11, 25)
    want = {k[1:]: n for k, n in daily_expected(raw(history), day).items() if k[0] == "PUSAT"}
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
    folder.mkdir()
    path = exports.write_daily(
        history.daily_report(), folder, "xlsx", "id"
    )  # the clock's today: 11-25
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


def test_daily_export_of_every_site_has_a_site_column(
    history: KioskService, tmp_path: Path
) -> None:
    day = date(2026, 11, 25)
    rows = [r for r in raw(history) if r["day"] == day]
    want = daily_expected(rows, day)
    layout_rooms = {"PUSAT": history.rooms, "CAB-TABA": history.layout.site("CAB-TABA").rooms}
    with history.sessions() as s:
        report = reports.daily_report(s, day, None, layout_rooms)
    path = exports.write_daily(report, tmp_path / "all.xlsx", None, "en")
    cells = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    head = cells[0]
    assert head[:4] == ("Date", "Site", "Room", "Room name")
    assert head[6:] == (
        "Room visits", "Records", "Visitors (people)", "Male", "Female", "Gender not known"
    )  # fmt: skip
    kinds = {"Member": "member", "Guest": "guest", "Group": "group"}
    detail = {(r[1], r[2], kinds[r[4]], r[5] or ""): r[6] for r in cells[1:] if r[4] in kinds}
    assert detail == want  # BACA of the central library and of the branch are two rows
    room_totals = {(r[1], r[2]): r for r in cells[1:-1] if r[4] == "Total"}
    for (site, room), r in room_totals.items():
        mine = [v for v in rows if (v["site"], v["room"]) == (site, room)]
        assert r[3]  # the room's name from the layout
        assert (r[6], r[8], (r[9], r[10])) == (
            sum(v["heads"] for v in mine), people(mine), by_gender(mine)
        )  # fmt: skip
    last = cells[-1]
    assert last[2] == "ALL" and (last[6], last[8]) == (sum(want.values()), people(rows))
    assert last[9] + last[10] + last[11] == last[6]
