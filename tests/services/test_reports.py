"""Visit report queries against counts computed from the raw visit rows (tests/support)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.adapters.db.models import Visit
from kiosk.domain.cards import make_payload
from kiosk.domain.categories import category_map
from kiosk.services import members, reports
from kiosk.services.kiosk import KioskService
from tests.support.visit_history import (
    by_gender,
    category,
    expected,
    fill_history,
    people,
    raw,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def history(service: KioskService) -> KioskService:
    return fill_history(service)


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
        "member": 5,
        "guest": 2,
        "group": 21,
    }
    # The 00:30 WIB visit is stored at 17:30 UTC the day before and counted on the 25th.
    with history.sessions() as s:
        v = s.scalar(select(Visit).where(Visit.room == "KOL").order_by(Visit.at_utc))
    assert v.at_utc == datetime(2026, 11, 24, 17, 30, tzinfo=v.at_utc.tzinfo)
    assert v.local_day == date(2026, 11, 25)


@pytest.mark.parametrize("by", [b for b in reports.BY if b != "gender"])
def test_every_grouping_matches_the_raw_rows(history: KioskService, by: str) -> None:
    rows = raw(history)
    key = {
        "day": lambda r: r["day"],
        "hour": lambda r: r["hour"],
        "weekday": lambda r: r["day"].weekday(),
        "month": lambda r: (r["day"].year, r["day"].month),
        "year": lambda r: r["day"].year,
        "room": lambda r: (r["site"], r["room"]),
        "site": lambda r: r["site"],
        "category": lambda r: category(rows)(r) or "-",
        "purpose": lambda r: r["purpose"],
        "origin": lambda r: r["origin"],
    }[by]
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, by)
    assert got(report) == expected(rows, key)
    assert report.total.total == sum(r["heads"] for r in rows) == 8 + 3 + 21 + 30
    # people and gender in every row, from the raw rows
    for k, c in report.rows:
        mine = [r for r in rows if key(r) == k]
        assert c.visitors == people(mine), (by, k)
        assert (c.male, c.female) == by_gender(mine), (by, k)
        assert c.gender_unknown == c.total - c.male - c.female >= 0
    assert report.total.visitors == people(rows)
    assert (report.total.male, report.total.female) == by_gender(rows)


def test_a_room_code_of_two_sites_is_never_one_row(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 11, 25), date(2026, 11, 25))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, "room")
    rooms = {k: c.total for k, c in report.rows}
    assert rooms[("CAB-TABA", "BACA")] == 1 and rooms[("PUSAT", "BACA")] == 2
    json_rows = {(r["site"], r["room"]): r["total"] for r in report.to_json()["rows"]}
    assert json_rows == rooms


def test_a_member_in_two_rooms_is_two_room_visits_and_one_person(history: KioskService) -> None:
    # 25 Nov: Siti in KOL, REF and the branch's BACA; Budi in KOL and BACA; 2 guests; 21 in TK
    day = date(2026, 11, 25)
    with history.sessions() as s:
        [(_k, c)] = reports.visit_report(s, reports.VisitFilter(day, day), "day").rows
    assert (c.member, c.visitors, c.total) == (5, 2 + 2 + 21, 5 + 2 + 21)
    # members and guests by their gender, the group's 10 boys and 8 girls, 3 adults unknown
    assert (c.male, c.female, c.gender_unknown) == (2 + 2 + 10, 3 + 8, 3)


def test_filters_room_category_site_and_range(history: KioskService) -> None:
    rows = raw(history)
    cases = [
        (dict(room="BACA"), lambda r: r["room"] == "BACA"),
        (dict(category="TK"), lambda r: r["category"] == "TK"),
        (dict(category="umum"), lambda r: r["category"].casefold() == "umum"),
        (dict(category="PELAJAR"), lambda r: r["category"].casefold() == "pelajar"),
        (dict(site="PUSAT"), lambda r: r["site"] == "PUSAT"),
        (dict(site="CAB-TABA"), lambda r: r["site"] == "CAB-TABA"),
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


def test_hours_in_sql_are_local_hours(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        sql = reports.per_hour(s, flt)
    got_hours = {h: {k: getattr(c, k) for k in reports.VISITOR_TYPES if getattr(c, k)}
                 for h, c in sql.items()}  # fmt: skip
    assert got_hours == expected(raw(history), lambda r: r["hour"])
    assert 23 in sql and 0 in sql  # the 23:30 and 00:30 WIB visits


def test_empty_periods_are_listed_as_zero(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 11, 20), date(2026, 11, 30))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, "day")
    assert [k for k, _ in report.rows] == [date(2026, 11, d) for d in range(20, 31)]
    assert report.rows[0][1].total == 0


def test_daily_report_is_plain_data(history: KioskService) -> None:
    day = date(2026, 11, 25)
    rows = [r for r in raw(history) if r["day"] == day]
    with history.sessions() as s:
        report = reports.daily_report(s, day, "PUSAT", history.rooms)
        every = reports.daily_report(s, day, None, {"PUSAT": history.rooms})
    pusat = [r for r in rows if r["site"] == "PUSAT"]
    assert report.total == sum(r["heads"] for r in pusat)
    assert report.counts.visitors == people(pusat)
    assert every.total == sum(r["heads"] for r in rows) and every.counts.visitors == people(rows)
    assert report.room_names[("PUSAT", "BACA")][0]  # the layout's name, Bahasa Indonesia first
    assert {(r.site, r.room) for r in every.rows if r.room == "BACA"} == {
        ("PUSAT", "BACA"), ("CAB-TABA", "BACA")
    }  # fmt: skip
    for (site, room), c in every.rooms.items():
        mine = [r for r in rows if (r["site"], r["room"]) == (site, room)]
        assert (c.total, c.visitors, (c.male, c.female)) == (
            sum(r["heads"] for r in mine), people(mine), by_gender(mine)
        )  # fmt: skip
    assert report.to_json()["rows"][0].keys() == {
        "site", "room", "visitor_type", "category", "headcount", "records", "visitors", "male",
        "female",
    }  # fmt: skip


def test_group_headcount_not_rows(history: KioskService) -> None:
    with history.sessions() as s:
        rows = reports.daily_report(s, date(2026, 11, 26), "PUSAT").rows
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


def test_one_row_per_category_whatever_its_spelling(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 11, 24), date(2026, 11, 26))
    with history.sessions() as s:
        rows = dict(reports.visit_report(s, flt, "category").rows)
    # members "Umum"/"Pelajar" (member file) and guests "umum"/"pelajar" (the kiosk's list)
    assert {"umum", "pelajar", "TK", "SD"} == set(rows)
    assert (rows["umum"].member, rows["umum"].guest) == (4, 2)
    assert (rows["pelajar"].member, rows["pelajar"].guest) == (2, 1)


def _member_of_type(svc: KioskService, number: str, member_type: str, room: str) -> None:
    """A member whose type the member file spells its own way, with one visit on the 25th."""
    with svc.session() as s:
        members.add_member(s, number, "Rina", "P", member_type)
    card = make_payload(number, 1, svc.desk.keyring)
    at = datetime(2026, 11, 25, 11, 0, tzinfo=JAKARTA)
    assert svc.check_in(card, room, at=at, source="paper").counted


def test_member_types_count_in_the_category_they_map_to(history: KioskService) -> None:
    _member_of_type(history, "M003", "PNS/TNI/Polri", "REF")  # INLISLite's type: a default
    _member_of_type(history, "M004", "Honorer", "REF")  # the library's own, from the settings
    mapped = category_map({"honorer": "PEGAWAI"})
    flt = reports.VisitFilter(date(2026, 11, 24), date(2026, 11, 26), categories=mapped)
    with history.sessions() as s:
        rows = dict(reports.visit_report(s, flt, "category").rows)
        assert (rows["pegawai"].member, rows["pegawai"].visitors) == (2, 2)
        assert "Honorer" not in rows and "PNS/TNI/Polri" not in rows
        for spelling in ("PEGAWAI", "pns/tni/polri", " Honorer "):
            only = replace(flt, category=spelling)
            assert reports.visit_report(s, only, "day").total.member == 2
        # without the library's mapping "Honorer" is a row of its own, and a known name
        plain = reports.VisitFilter(flt.start, flt.end)
        rows = dict(reports.visit_report(s, plain, "category").rows)
        assert (rows["pegawai"].member, rows["Honorer"].member) == (1, 1)
        assert reports.visit_report(s, replace(plain, category="honorer"), "day").total.member == 1
        day = reports.daily_report(s, date(2026, 11, 25), "PUSAT", categories=mapped)
        ref = [r for r in day.rows if r.room == "REF" and r.category == "pegawai"]
        assert [(r.headcount, r.visitors) for r in ref] == [(2, 2)]


def test_a_member_type_mapped_to_no_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category 'guru besar'"):
        category_map({"Dosen": "guru besar"})


def test_an_unknown_category_is_refused_with_the_known_ones(history: KioskService) -> None:
    flt = reports.VisitFilter(date(2026, 11, 24), date(2026, 11, 26), category="Pelajr")
    with history.sessions() as s, pytest.raises(ValueError, match="unknown category") as e:
        reports.visit_report(s, flt, "day")
    assert "Pelajar" in str(e.value) and "mahasiswa" in str(e.value)
    known = reports.VisitFilter(flt.start, flt.end, category="mahasiswa")  # nobody yet: zeros
    with history.sessions() as s:
        assert reports.visit_report(s, known, "day").total.total == 0


def test_by_gender_splits_groups_by_their_boys_and_girls(history: KioskService) -> None:
    rows = raw(history)
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        report = reports.visit_report(s, flt, "gender")
    got_rows = dict(report.rows)
    assert list(got_rows) == ["L", "P", "-"]
    for g in ("L", "P"):
        mine = [r for r in rows if r["gender"] == g]
        children = sum(r["boys" if g == "L" else "girls"] for r in rows)
        c = got_rows[g]
        assert (c.member, c.guest) == tuple(
            sum(r["heads"] for r in mine if r["kind"] == k) for k in ("member", "guest")
        )
        assert c.group == children
        assert c.visitors == people(mine) + children
        assert (c.male, c.female) == ((c.total, 0) if g == "L" else (0, c.total))
    groups = [r for r in rows if r["kind"] == "group"]
    rest = sum(r["heads"] - r["boys"] - r["girls"] for r in groups)
    assert got_rows["-"].group == rest and got_rows["-"].gender_unknown == got_rows["-"].total
    assert sum(c.total for c in got_rows.values()) == report.total.total


@pytest.mark.parametrize("by", ["month", "gender", "room"])
def test_an_erased_member_leaves_the_same_counts(history: KioskService, by: str) -> None:
    """Erasing a member keeps their visits as anonymous counts: room visits and genders stay,
    and each of their visits is now one person of its own."""
    flt = reports.VisitFilter(date(2025, 1, 1), date(2026, 12, 31))
    with history.sessions() as s:
        before = reports.visit_report(s, flt, by)
    siti = [r for r in raw(history) if r["kind"] == "member" and r["gender"] == "P"]
    with history.session() as s:
        assert members.erase_member(s, "M001") == len(siti) > 1
    with history.sessions() as s:
        after = reports.visit_report(s, flt, by)
    figures = ("member", "guest", "group", "records", "male", "female")
    for (k, b), (k2, a) in zip(before.rows, after.rows, strict=True):
        assert k == k2 and [getattr(a, f) for f in figures] == [getattr(b, f) for f in figures]
    assert after.total.male == before.total.male and after.total.female == before.total.female
    assert after.total.visitors == before.total.visitors - 1 + len(siti)
