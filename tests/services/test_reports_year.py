"""The yearly tables (kiosk report year) against counts computed from the raw visit rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest

from kiosk.services import reports
from kiosk.services.kiosk import KioskService
from tests.support.visit_history import category, fill_history, people, raw


@pytest.fixture
def history(service: KioskService) -> KioskService:
    return fill_history(service)


def months(rows: list[dict], key) -> dict:
    out: dict = defaultdict(lambda: [0] * 12)
    for r in rows:
        out[key(r)][r["day"].month - 1] += r["heads"]
    return dict(out)


@pytest.mark.parametrize("site", [None, "PUSAT", "CAB-TABA"])
def test_year_tables_match_the_raw_rows(history: KioskService, site: str | None) -> None:
    rows = [r for r in raw(history) if r["day"].year == 2026 and site in (None, r["site"])]
    with history.sessions() as s:
        rep = reports.year_report(s, 2026, site)
    named = category(rows)
    assert rep.categories == months(rows, lambda r: named(r) or "-")
    # two sites each with a room BACA: never one row
    assert rep.rooms == months(rows, lambda r: (r["site"], r["room"]))
    male = months(rows, lambda r: "L")
    for r in rows:  # a group's boys and girls by gender, the rest of it not given
        g = r["gender"] if r["gender"] in ("L", "P") else None
        boys, girls = (
            (r["heads"] if g == "L" else r["boys"]),
            (r["heads"] if g == "P" else r["girls"]),
        )
        m = r["day"].month - 1
        male.setdefault("P", [0] * 12)[m] += girls
        male.setdefault("-", [0] * 12)[m] += r["heads"] - boys - girls
        male["L"][m] += boys - r["heads"]
    want = {k: male.get(k, [0] * 12) for k in ("L", "P", "-")}
    assert rep.genders == want
    assert rep.total == sum(r["heads"] for r in rows)
    assert rep.visitors == people(rows)
    assert rep.opening_days == len({r["day"] for r in rows})
    guests = [r for r in rows if r["kind"] == "guest"]
    purposes: dict = defaultdict(int)
    for r in guests:
        purposes[r["purpose"]] += r["heads"]
    assert rep.purposes == dict(purposes)
    origins = {code: n for code, (_name, n) in rep.origins.items()}
    assert origins == ({"16.73": len(guests)} if guests else {})
    if guests:
        assert rep.origins["16.73"][0] == "Kota Lubuk Linggau"  # the name, not the code
    groups: dict = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        if r["kind"] == "group":
            g = groups[r["category"]]
            g[0], g[1], g[2], g[3] = (
                g[0] + 1,
                g[1] + r["heads"],
                g[2] + r["boys"],
                g[3] + r["girls"],
            )
    assert rep.groups == {k: tuple(v) for k, v in groups.items()}
    hours: dict = defaultdict(int)
    for r in rows:
        hours[r["hour"]] += r["heads"]
    assert {h: n for h, n in rep.hours.items() if n} == dict(hours)  # 23:30 and 00:30 WIB too


def test_list_of_visits_is_every_raw_row_in_time_order(history: KioskService) -> None:
    rows = raw(history)
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        lines = reports.visit_list(s, flt)
        baca = reports.visit_list(s, replace(flt, site="CAB-TABA", room="BACA"))
    assert len(lines) == len(rows)
    assert sum(v.headcount for v in lines) == sum(r["heads"] for r in rows)
    assert [(v.day, v.time) for v in lines] == sorted((v.day, v.time) for v in lines)
    want = sorted((r["day"], f"{r['hour']:02d}", r["site"], r["room"]) for r in rows)
    assert sorted((v.day, v.time[:2], v.site, v.room) for v in lines) == want
    assert [(v.site, v.room, v.who) for v in baca] == [("CAB-TABA", "BACA", "M001")]
    named = category(rows)
    assert sorted(v.category for v in lines) == sorted(named(r) or "-" for r in rows)
    assert {v.who for v in lines if v.visitor_type == "guest"} == {""}  # never a name
