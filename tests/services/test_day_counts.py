"""The day counts the database keeps (migration 0011's triggers) against the visits themselves,
on SQLite and PostgreSQL: after a history written by COPY (PostgreSQL) or bulk inserts
(SQLite), check-ins through the kiosk's own code, member erasures, visits deleted and corrected
by hand, the tables equal a recount of the visits, and every figure the Trends page reads from
them equals `kiosk report visits`' figure for the same period, site, room or category."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker
from kiosk.adapters.db.models import DayCount, Member, MemberMonth, MonthCount, Visit
from kiosk.config import load_settings
from kiosk.domain.cards import Keyring
from kiosk.domain.categories import DEFAULT
from kiosk.domain.clock import local_day
from kiosk.domain.counts import Counts, VisitFilter
from kiosk.services import day_counts, reports
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService
from kiosk.services.members import erase_member

TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_history.py"
YEAR = local_day(datetime.now(UTC)).year - 1  # two whole years: YEAR - 1 and YEAR


def fields(c: Counts, people: bool = False) -> tuple[int, ...]:
    out = (c.member, c.guest, c.group, c.records, c.male, c.female)
    return (*out, c.visitors) if people else out


def recount(s: Any) -> tuple[Counter, Counter, set]:
    """The day and month counts and the member months, counted again in Python from every
    visit."""
    days: Counter = Counter()
    months: Counter = Counter()
    members = set()
    for v in s.scalars(select(Visit)):
        key = (v.site, v.room, str(v.visitor_type), v.category or "", v.gender or "")
        unnamed = int(v.visitor_type == "member" and v.member_id is None)
        for i, n in enumerate((v.headcount, 1, v.boys or 0, v.girls or 0, unnamed)):
            days[(v.local_day, *key, i)] += n
            months[(v.local_day.replace(day=1), *key, i)] += n
        if v.member_id is not None:
            members.add((v.local_day.replace(day=1), v.site, v.member_id))
    return +days, +months, members


def stored(s: Any) -> tuple[Counter, Counter, set]:
    days: Counter = Counter()
    months: Counter = Counter()
    for table, out in ((DayCount, days), (MonthCount, months)):
        for c in s.scalars(select(table)):
            at = c.local_day if table is DayCount else c.month
            key = (at, c.site, c.room, c.visitor_type, c.category, c.gender)
            for i, n in enumerate((c.heads, c.records, c.boys, c.girls, c.unnamed)):
                out[(*key, i)] += n
    members = {(m.month, m.site, m.member_id) for m in s.scalars(select(MemberMonth))}
    return +days, +months, members


@pytest.fixture
def history(db_url: str, tmp_path: Path) -> Any:
    """Two years of the city's visits, then the writes that change counts after the fact."""
    done = subprocess.run(
        [sys.executable, str(TOOL), "--db", db_url, "--years", "2", "--last-year", str(YEAR),
         "--visits", "6000", "--members", "60", "--sites", "17"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    settings = load_settings(
        overrides={"data_dir": tmp_path, "db_url": db_url, "kiosk_id": "pusat-1"}, environ={}
    )
    Keyring.generate(settings.key_file)
    engine = make_engine(db_url)
    init_db(engine)
    sessions = make_sessionmaker(engine)
    svc = KioskService.open(settings)
    for i, room in enumerate(("BACA", "ANAK", "BACA", "REF")):  # check-ins through the kiosk
        form = GuestForm(("pelajar", "umum")[i % 2], "LP"[i % 2], "16.73", "membaca")
        at = datetime(YEAR, 6, 3 + i, 3, 0, tzinfo=UTC)
        svc.guest_check_in(form, room, at=at)
    svc.close()
    with sessions.begin() as s:
        for number in s.scalars(select(Member.number).order_by(Member.number).limit(3)):
            assert erase_member(s, number) > 0
        hand = select(Visit.id).order_by(Visit.id)
        s.execute(delete(Visit).where(Visit.id.in_(hand.limit(40).scalar_subquery())))
        later = hand.offset(100).limit(60).scalar_subquery()
        s.execute(update(Visit).where(Visit.id.in_(later)).values(room="REF", gender=None))
        moved = hand.offset(300).limit(20).scalar_subquery()
        s.execute(update(Visit).where(Visit.id.in_(moved)).values(local_day=date(YEAR, 2, 28)))
    yield sessions
    engine.dispose()


def test_the_tables_equal_a_recount_of_the_visits(history: Any) -> None:
    with history() as s:
        days, months, members = stored(s)
        assert days and months and members
        assert (days, months, members) == recount(s)


FILTERS = [
    VisitFilter(date(YEAR - 1, 1, 1), date(YEAR, 12, 31), None, categories=DEFAULT),
    VisitFilter(date(YEAR - 1, 2, 14), date(YEAR, 11, 17), None, categories=DEFAULT),
    VisitFilter(date(YEAR, 3, 3), date(YEAR, 3, 20), None, categories=DEFAULT),
    VisitFilter(date(YEAR, 4, 1), date(YEAR, 4, 30), "PUSAT", categories=DEFAULT),
    VisitFilter(date(YEAR - 1, 5, 9), date(YEAR, 5, 31), "PUSAT", categories=DEFAULT),
    VisitFilter(date(YEAR, 1, 1), date(YEAR, 12, 31), None, room="BACA", categories=DEFAULT),
    VisitFilter(date(YEAR, 1, 1), date(YEAR, 12, 31), None, category="PELAJAR", categories=DEFAULT),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f"{f.start}-{f.end}-{f.site}-{f.room}")
def test_trend_figures_are_the_reports_figures(history: Any, flt: VisitFilter) -> None:
    with history() as s:
        expected = reports.visit_report(s, flt, "day").total
        assert expected.records > 0
        keyed, whole = day_counts.breakdown(s, flt)
        assert fields(whole, True) == fields(expected, True)
        for by in ("day", "month", "year"):
            rows = reports.visit_report(s, flt, by).rows
            got = day_counts.per_period(s, flt, by)
            assert [k for k, _ in got] == [k for k, _ in rows], by
            assert [fields(c) for _, c in got] == [fields(c) for _, c in rows], by
        weeks: dict[date, Counts] = {}
        for day, c in reports.visit_report(s, flt, "day").rows:
            first = flt.start + timedelta(weeks=(day - flt.start).days // 7)
            weeks.setdefault(first, Counts()).merge(c)
        got = day_counts.per_period(s, flt, "week")
        assert [(k, fields(c)) for k, c in got] == [(k, fields(c)) for k, c in weeks.items()]
        for key in ("site", "room", "category"):
            want = reports.keyed_counts(s, flt, key)[0]
            assert {k: fields(c) for k, c in keyed[key].items()} == {
                k: fields(c) for k, c in want.items()
            }, key
        want_gender = reports.per_gender(s, flt)
        assert {k: fields(c) for k, c in keyed["gender"].items()} == {
            k: fields(c) for k, c in want_gender.items()
        }


def test_the_upgrade_counts_the_visits_already_stored(db_url: str) -> None:
    """Visits stored before migration 0011 are counted when it runs."""
    from alembic import command

    from kiosk.adapters.db.engine import alembic_config

    done = subprocess.run(
        [sys.executable, str(TOOL), "--db", db_url, "--years", "1", "--last-year", str(YEAR),
         "--visits", "2000", "--members", "30"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), "0010")  # the tables and triggers go
    init_db(engine)
    with make_sessionmaker(engine)() as s:
        visits = s.scalar(select(func.count()).select_from(Visit))
        assert visits and s.scalar(select(func.sum(DayCount.records))) == visits
        assert stored(s) == recount(s)
    engine.dispose()
