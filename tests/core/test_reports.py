"""Visit reports and the daily export against counts computed here from the raw visit rows.

The visits cross local midnight (23:30 and 00:30 WIB), several rooms and sites, members,
guests and groups with headcounts. Expected numbers come from `at_utc` converted with zoneinfo
in the test, not from the stored `local_day` the reports use.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk.adapters.db.models import Visit
from kiosk.adapters.render import exports
from kiosk.domain.cards import make_payload
from kiosk.domain.clock import parse_at
from kiosk.services import groups, members, reports
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def history(service: KioskService) -> KioskService:
    svc = service
    svc.settings = svc.settings.__class__(**{**svc.settings.__dict__, "survey_chance": 0.0})
    with svc.session() as s:
        members.add_member(s, "M001", "Siti", "P", "Umum")
        members.add_member(s, "M002", "Budi", "L", "Pelajar")
        tk = groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK Pertiwi", "TK", 20, 3).code
        sd = groups.add_group(s, "PUSAT", date(2026, 11, 26), "SD Negeri 5", "SD", 30, 2).code

    def member(number: str, room: str, at: str) -> None:
        card = make_payload(number, 1, svc.desk.keyring)
        assert svc.check_in(card, room, at=parse_at(at), source="paper").counted

    def guest(category: str, room: str, at: str) -> None:
        form = GuestForm(category, "L", "16.73", "membaca")
        assert svc.guest_check_in(form, room, at=parse_at(at)).counted

    member("M001", "BACA", "2026-11-24T23:30")  # late event: still the 24th
    member("M002", "KOL", "2026-11-25T00:30")  # 17:30 UTC on the 24th, but the 25th in WIB
    member("M001", "KOL", "2026-11-25T09:10")
    member("M001", "REF", "2026-11-25T09:50")  # moved: another room visit
    member("M002", "BACA", "2026-11-25T14:05")
    guest("umum", "BACA", "2026-11-25T10:15")
    guest("pelajar", "ANAK", "2026-11-25T23:30")
    guest("umum", "PAV", "2026-11-26T00:30")
    assert svc.group_check_in(tk, 18, 3, "ANAK", at=parse_at("2026-11-25T09:00")).counted
    assert svc.group_check_in(sd, 28, 2, "BACA", at=parse_at("2026-11-26T10:00")).counted
    member("M002", "BACA", "2026-12-01T08:00")
    member("M001", "BACA", "2025-12-01T08:00")  # last year, for year over year
    return svc


def raw(svc: KioskService) -> list[dict]:
    with svc.sessions() as s:
        rows = s.scalars(select(Visit)).all()
    out = []
    for v in rows:
        local = v.at_utc.astimezone(JAKARTA)
        out.append(
            {
                "day": local.date(),
                "hour": local.hour,
                "room": v.room,
                "kind": v.visitor_type,
                "category": v.category or "",
                "site": v.site,
                "heads": v.headcount,
            }
        )
    return out


def expected(rows: list[dict], key, keep=lambda r: True) -> dict:
    out: dict = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if keep(r):
            out[key(r)][r["kind"]] += r["heads"]
    return {k: dict(v) for k, v in out.items()}


def got(report: reports.VisitReport) -> dict:
    out = {}
    for k, c in report.rows:
        d = {kind: getattr(c, kind) for kind in reports.VISITOR_TYPES if getattr(c, kind)}
        if d:
            out[k] = d
    return out


def test_the_day_boundary_is_local_midnight(history: KioskService) -> None:
    rows = raw(history)
    assert expected(rows, lambda r: r["day"])[date(2026, 11, 25)] == {
        "member": 4,
        "guest": 2,
        "group": 21,
    }
    # The 00:30 WIB visit is stored at 17:30 UTC the day before and counted on the 25th.
    with history.sessions() as s:
        v = s.scalar(select(Visit).where(Visit.room == "KOL").order_by(Visit.at_utc))
    assert v.at_utc == datetime(2026, 11, 24, 17, 30, tzinfo=v.at_utc.tzinfo)
    assert v.local_day == date(2026, 11, 25)


@pytest.mark.parametrize("by", reports.BY)
def test_every_grouping_matches_the_raw_rows(history: KioskService, by: str) -> None:
    rows = raw(history)
    key = {
        "day": lambda r: r["day"],
        "hour": lambda r: r["hour"],
        "weekday": lambda r: r["day"].weekday(),
        "month": lambda r: (r["day"].year, r["day"].month),
        "year": lambda r: r["day"].year,
    }[by]
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, by)
    assert got(report) == expected(rows, key)
    assert report.total.total == sum(r["heads"] for r in rows) == 7 + 3 + 21 + 30


def test_filters_room_category_site_and_range(history: KioskService) -> None:
    rows = raw(history)
    cases = [
        (dict(room="BACA"), lambda r: r["room"] == "BACA"),
        (dict(category="TK"), lambda r: r["category"] == "TK"),
        (dict(category="umum"), lambda r: r["category"] == "umum"),
        (dict(site="PUSAT"), lambda r: r["site"] == "PUSAT"),
        (dict(site="CAB-TABA"), lambda r: False),
    ]
    start, end = date(2026, 11, 25), date(2026, 11, 26)
    for kwargs, keep in cases:
        flt = reports.VisitFilter(start, end, **kwargs)
        in_range = lambda r, keep=keep: keep(r) and start <= r["day"] <= end  # noqa: E731
        with history.sessions() as s:
            assert got(reports.visit_report(s, flt, "day")) == expected(
                rows, lambda r: r["day"], in_range
            ), kwargs
            assert got(reports.visit_report(s, flt, "hour")) == expected(
                rows, lambda r: r["hour"], in_range
            ), kwargs
    with pytest.raises(ValueError):
        reports.VisitFilter(end, start)


def test_hours_in_sql_equal_hours_in_python(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        sql, py = reports.per_hour(s, flt), reports.per_hour_python(s, flt)
    assert {h: c.to_json() for h, c in sql.items()} == {h: c.to_json() for h, c in py.items()}
    assert 23 in sql and 0 in sql  # the 23:30 and 00:30 WIB visits


def test_empty_periods_are_listed_as_zero(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 11, 20), date(2026, 11, 30))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, "day")
    assert [k for k, _ in report.rows] == [date(2026, 11, d) for d in range(20, 31)]
    assert report.rows[0][1].total == 0


def daily_expected(rows: list[dict], day: date) -> dict:
    out: dict = defaultdict(int)
    for r in rows:
        if r["day"] == day:
            out[(r["room"], r["kind"], r["category"])] += r["heads"]
    return dict(out)


def test_daily_export_csv_and_xlsx_read_back(history: KioskService, tmp_path: Path) -> None:
    day = date(2026, 11, 25)
    want = daily_expected(raw(history), day)
    names = {"id": {"member": "Anggota", "guest": "Tamu", "group": "Rombongan"}}
    names["en"] = {"member": "Member", "guest": "Guest", "group": "Group"}
    for lang in ("id", "en"):
        kinds = {v: k for k, v in names[lang].items()}
        total_word = exports.words(lang)["total"]
        with history.sessions() as s:
            path = exports.write_daily(
                s, day, "PUSAT", tmp_path / lang / "d.csv", lang=lang, rooms=history.rooms
            )
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        header, body = table[0], table[1:]
        assert header[0] == ("Tanggal" if lang == "id" else "Date")
        detail = {(r[1], kinds[r[3]], r[4]): int(r[5]) for r in body if r[3] != total_word}
        assert detail == want
        totals = {r[1]: int(r[5]) for r in body if r[3] == total_word}
        all_word = exports.words(lang)["all"]
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


def test_group_headcount_not_rows(history: KioskService) -> None:
    with history.sessions() as s:
        rows = reports.daily_rows(s, date(2026, 11, 26), "PUSAT")
    [grp] = [r for r in rows if r.visitor_type == "group"]
    assert (grp.headcount, grp.records, grp.category) == (30, 1, "SD")


def test_months_of_years_for_year_over_year(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        per_year = reports.months_of_years(s, [2025, 2026], flt)
    rows = raw(history)
    for year in (2025, 2026):
        want = [
            sum(r["heads"] for r in rows if r["day"].year == year and r["day"].month == m)
            for m in range(1, 13)
        ]
        assert per_year[year] == want
