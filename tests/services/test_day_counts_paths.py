"""The kept visit counts (migration 0011) under the writes that could break them: every path
that changes `visits` (retention unlinks, a member row deleted, NULL and empty fields, a
backup from before 0011 restored, `kiosk init` again, a downgrade and upgrade), periods cut at
the edges of months and years, and on PostgreSQL concurrent pushes and concurrent
transactions on one member's month. After each, the tables equal a recount of the visits and
the Trends figures equal the reports' figures."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, delete, insert, text, update
from sqlalchemy.engine import Engine

from kiosk.adapters.db.engine import alembic_config, init_db, make_engine, make_sessionmaker
from kiosk.adapters.db.models import Member, Visit
from kiosk.config import load_settings
from kiosk.domain.cards import Keyring
from kiosk.domain.categories import DEFAULT
from kiosk.domain.counts import VisitFilter
from kiosk.services import backup, day_counts, privacy, reports, sync_central
from kiosk.services.dashboard_reports import last_year
from tests.services.test_day_counts import fields, recount, stored

FIRST, LAST = date(2023, 11, 1), date(2025, 2, 28)  # a leap February and two year ends
SITES, ROOMS = ("PUSAT", "CAB1"), ("BACA", "ANAK", "REF")


def _visit(rng: random.Random, day: date, members: list[uuid.UUID]) -> dict[str, Any]:
    kind = rng.choice(("member", "member", "guest", "group"))
    group = kind == "group"
    member = rng.choice([*members, None]) if kind == "member" else None  # None: erased
    head = rng.randint(2, 30) if group else 1
    return {
        "id": uuid.uuid4(),
        "at_utc": datetime(day.year, day.month, day.day, 3, tzinfo=UTC),
        "local_day": day,
        "site": rng.choice(SITES),
        "kiosk_id": "k1",
        "room": rng.choice(ROOMS),
        "visitor_type": kind,
        "decision": "welcome",
        # NULL, empty and two spellings of one category
        "category": rng.choice((None, "", "Umum", "umum", "Pelajar", "SD")),
        "headcount": head,
        "children": head if group else 0,
        "adults": 0 if group else 1,
        "boys": rng.choice((None, head // 3)) if group else None,
        "girls": rng.choice((None, head // 4)) if group else None,
        "gender": None if group else rng.choice((None, "", "L", "P")),
        "member_id": member,
        "source": "form",
    }


def _fill(engine: Engine, per_day: int = 3, seed: int = 11) -> list[uuid.UUID]:
    """Visits on every day of [FIRST, LAST], some of them of ten members; the member ids."""
    rng = random.Random(seed)
    members = [uuid.uuid4() for _ in range(10)]
    rows = []
    day = FIRST
    while day <= LAST:
        rows += [_visit(rng, day, members) for _ in range(per_day)]
        day += timedelta(days=1)
    with engine.begin() as c:
        c.execute(
            insert(Member),
            [{"id": m, "number": f"M{i:05d}", "name": "Anggota"} for i, m in enumerate(members)],
        )
        c.execute(insert(Visit), rows)
    return members


@pytest.fixture
def filled(db_url: str) -> Iterator[tuple[Engine, list[uuid.UUID]]]:
    engine = make_engine(db_url)
    init_db(engine)
    yield engine, _fill(engine)
    engine.dispose()


def assert_kept(engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        assert stored(s) == recount(s)


def assert_reports_agree(s: Any, flt: VisitFilter) -> None:
    """Every figure Trends reads from the kept counts is the report's figure."""
    keyed, whole = day_counts.breakdown(s, flt)
    assert fields(whole, True) == fields(reports.visit_report(s, flt, "day").total, True), flt
    for by in ("day", "month", "year"):
        rows = reports.visit_report(s, flt, by).rows
        got = day_counts.per_period(s, flt, by)
        assert [(k, fields(c)) for k, c in got] == [(k, fields(c)) for k, c in rows], (flt, by)
    for key in ("site", "room", "category"):
        want = reports.keyed_counts(s, flt, key)[0]
        assert {k: fields(c) for k, c in keyed[key].items()} == {
            k: fields(c) for k, c in want.items()
        }, (flt, key)
    want_gender = {k: fields(c) for k, c in reports.per_gender(s, flt).items()}
    assert {k: fields(c) for k, c in keyed["gender"].items()} == want_gender, flt


# --- the month and day split at the edges ---------------------------------------------------
EDGES = [
    date(2023, 11, 1), date(2023, 11, 30), date(2023, 12, 31), date(2024, 1, 1),
    date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 28), date(2024, 2, 29),
    date(2024, 3, 1), date(2024, 3, 15), date(2024, 12, 31), date(2025, 1, 1),
    date(2025, 2, 28),
]  # fmt: skip


def test_whole_months_are_the_months_inside_the_period() -> None:
    """_parts covers every day of a period exactly once, whole months by the month counts."""
    for start in EDGES:
        for end in (e for e in EDGES if e >= start):
            flt = VisitFilter(start, end, None)
            covered: list[date] = []
            for table, lo, hi in day_counts._parts(flt, days_only=False):
                if table is day_counts.MonthCount:
                    assert lo.day == 1 and (hi + timedelta(days=1)).day == 1, (flt, lo, hi)
                covered += [lo + timedelta(d) for d in range((hi - lo).days + 1)]
            every = [start + timedelta(d) for d in range((end - start).days + 1)]
            assert sorted(covered) == every, flt


def test_edge_periods_equal_the_reports(filled: tuple[Engine, list[uuid.UUID]]) -> None:
    engine, _members = filled
    assert_kept(engine)
    with make_sessionmaker(engine)() as s:
        for start in EDGES:
            for end in (e for e in EDGES if e >= start):
                flt = VisitFilter(start, end, None, categories=DEFAULT)
                assert_reports_agree(s, flt)
                # the comparison period of the Trends page
                assert_reports_agree(
                    s, VisitFilter(last_year(start), last_year(end), None, categories=DEFAULT)
                )
        for flt in (
            VisitFilter(date(2024, 2, 29), date(2024, 2, 29), "PUSAT", categories=DEFAULT),
            VisitFilter(date(2023, 12, 31), date(2024, 1, 1), "CAB1", categories=DEFAULT),
            VisitFilter(date(2024, 1, 1), date(2024, 12, 31), None, room="ANAK",
                        categories=DEFAULT),
            VisitFilter(date(2023, 11, 2), date(2025, 2, 27), None, category="umum",
                        categories=DEFAULT),
        ):  # fmt: skip
            assert_reports_agree(s, flt)


# --- every path that changes visits ---------------------------------------------------------
def test_retention_unlinks_and_a_deleted_member_row(
    filled: tuple[Engine, list[uuid.UUID]], tmp_path: Path
) -> None:
    engine, members = filled
    cfg = load_settings(overrides={"data_dir": tmp_path, "member_visit_retention_days": 400})
    sessions = make_sessionmaker(engine)
    with sessions.begin() as s:  # `kiosk purge` a year and a bit after the last day
        assert privacy.purge(s, cfg, datetime(2025, 12, 1, tzinfo=UTC)).member_visit_links > 0
    assert_kept(engine)
    with sessions.begin() as s:  # a member row deleted by hand: ON DELETE SET NULL
        s.execute(delete(Member).where(Member.id == members[0]))
    assert_kept(engine)
    with sessions.begin() as s:  # visits moved across a month end and a year end
        s.execute(
            update(Visit)
            .where(Visit.local_day == date(2024, 1, 31))
            .values(local_day=date(2023, 12, 31), room="ANAK")
        )
        s.execute(update(Visit).where(Visit.visitor_type == "group").values(boys=None))
        s.execute(delete(Visit).where(Visit.local_day == date(2024, 2, 29)))
    assert_kept(engine)
    with sessions() as s:
        assert_reports_agree(s, VisitFilter(FIRST, LAST, None, categories=DEFAULT))


def test_init_again_and_a_downgrade_round_trip(filled: tuple[Engine, list[uuid.UUID]]) -> None:
    engine, _members = filled
    init_db(engine)
    assert_kept(engine)
    command.downgrade(alembic_config(engine), "0010")
    with engine.begin() as c:  # written while the tables are gone
        c.execute(delete(Visit).where(Visit.local_day < date(2024, 1, 1)))
    init_db(engine)
    assert_kept(engine)


def test_a_backup_from_before_0011_restored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    settings = load_settings(overrides={"data_dir": tmp_path, "db_url": url}, environ={})
    Keyring.generate(settings.key_file)
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0010")
    _fill(engine, per_day=1)
    made = backup.make_backup(settings)
    engine.dispose()
    (tmp_path / "kiosk.sqlite3").unlink()
    engine = make_engine(url)
    init_db(engine)  # a new, empty database at the newest schema
    backup.restore(settings, made.file)
    engine.dispose()
    engine = make_engine(url)
    init_db(engine)  # `kiosk init` after the restore
    assert_kept(engine)
    with make_sessionmaker(engine)() as s:
        assert stored(s)[0]
    engine.dispose()


# --- PostgreSQL: transactions at the same time ----------------------------------------------
def _pg(db_url: str) -> Engine:
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL (SQLite has one writer at a time)")
    engine = make_engine(db_url)
    init_db(engine)
    return engine


def _meanwhile(engine: Engine, first: Connection, work: Callable[[Connection], None]) -> None:
    """`work` in another transaction while `first`'s is open; `first` commits once `work` is
    done or waits for one of its locks, then `work`'s transaction commits."""
    pid = first.execute(text("SELECT pg_backend_pid()")).scalar()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with engine.begin() as c:
                work(c)
        except BaseException as e:  # noqa: BLE001 - raised again below
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    blocked = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
        ":pid = ANY(pg_blocking_pids(pid))"
    )
    with engine.connect() as watch:
        while t.is_alive() and not watch.execute(blocked, {"pid": pid}).scalar():
            t.join(0.05)  # poll: the other transaction is done or waits for `first`
    first.commit()
    t.join()
    if errors:
        raise errors[0]


def _two_visits(engine: Engine) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A member's two visits in one month, on different days and rooms (no count row shared)."""
    rng = random.Random(3)
    member = uuid.uuid4()
    v = [_visit(rng, date(2025, 3, d), []) for d in (3, 17)]
    for row, room in zip(v, ("BACA", "REF"), strict=True):
        row.update(visitor_type="member", member_id=member, room=room, headcount=1)
    with engine.begin() as c:
        c.execute(insert(Member).values(id=member, number="M1", name="Anggota"))
        c.execute(insert(Visit), v)
    return member, v[0]["id"], v[1]["id"]


def test_two_transactions_unlink_a_members_last_visits_of_a_month(db_url: str) -> None:
    """Each sees the other's visit still linked: the member's month must still go."""
    engine = _pg(db_url)
    _member, first, second = _two_visits(engine)
    unlink = update(Visit).values(member_id=None)
    with engine.connect() as a:
        a.execute(unlink.where(Visit.id == first))
        _meanwhile(engine, a, lambda b: b.execute(unlink.where(Visit.id == second)))
    assert_kept(engine)
    engine.dispose()


def test_a_visit_deleted_while_another_of_the_month_comes_in(db_url: str) -> None:
    """A member's visit deleted while the member's next visit of the month is stored: the
    month stays."""
    engine = _pg(db_url)
    member, first, second = _two_visits(engine)
    with engine.begin() as c:
        c.execute(delete(Visit).where(Visit.id == second))
    rng = random.Random(5)
    late = _visit(rng, date(2025, 3, 20), [])
    late.update(visitor_type="member", member_id=member, room="ANAK", headcount=1)
    with engine.connect() as b:
        b.execute(insert(Visit), [late])
        _meanwhile(engine, b, lambda a: a.execute(delete(Visit).where(Visit.id == first)))
    assert_kept(engine)
    engine.dispose()


def test_concurrent_pushes_into_one_day_and_room(db_url: str, tmp_path: Path) -> None:
    """Four kiosks of one site push batches of the same day, room and members at once, half
    of them with an item the database refuses (the batch is then stored item by item), while
    members are erased: every visit stored, none caught in a deadlock, the tables equal a
    recount."""
    engine = _pg(db_url)
    settings = load_settings(overrides={"data_dir": tmp_path, "db_url": db_url}, environ={})
    Keyring.generate(settings.key_file)
    db = sync_central.CentralDatabase.open(settings)
    members = [uuid.uuid4() for _ in range(12)]
    with engine.begin() as c:
        c.execute(
            insert(Member),
            [{"id": m, "number": f"M{i:05d}", "name": "Anggota"} for i, m in enumerate(members)],
        )
    tokens = []
    for k in range(4):
        with db.sessions() as s, s.begin():
            code = sync_central.add_kiosk(s, f"k{k}", "PUSAT", "entrance").code
        tokens.append((f"k{k}", db.enroll(code, f"10.0.0.{k}")["token"]))
    day = date(2025, 3, 3)
    at = datetime(2025, 3, 3, 3, tzinfo=UTC)

    def body(rng: random.Random, kiosk: str) -> dict[str, Any]:
        items = []
        for _ in range(60):
            kind = rng.choice(("member", "guest"))
            record = {
                "id": str(uuid.uuid4()), "at_utc": at.isoformat(), "local_day": day.isoformat(),
                "site": "PUSAT", "kiosk_id": kiosk, "room": rng.choice(("BACA", "REF")),
                "visitor_type": kind, "decision": "welcome", "category": "Umum",
                "headcount": 1, "children": 0, "adults": 1, "boys": None, "girls": None,
                "gender": rng.choice(("L", "P")), "source": "form", "guest_id": None,
                "member_id": str(rng.choice(members)) if kind == "member" else None,
                "group_id": None,
            }  # fmt: skip
            items.append({"kind": "visit", "record": record, "meta": {"card_seq": 1}})
        if rng.random() < 0.5:  # one the database refuses: the batch is stored item by item
            bad = json.loads(json.dumps(items[0]))
            bad["record"].update(id=str(uuid.uuid4()), category="Um\x00um")
            items.append(bad)
        return json.loads(json.dumps({"items": items}))

    errors: list[BaseException] = []
    answers: list[dict[str, Any]] = []

    def kiosk(n: int) -> None:
        rng = random.Random(n)
        name, token = tokens[n]
        try:
            for _ in range(8):
                answers.append(db.push(token, body(rng, name)))
        except BaseException as e:  # noqa: BLE001 - raised below
            errors.append(e)

    def eraser() -> None:
        try:
            for m in members[:4]:
                with engine.begin() as c:
                    c.execute(update(Visit).where(Visit.member_id == m).values(member_id=None))
        except BaseException as e:  # noqa: BLE001 - raised below
            errors.append(e)

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=eraser))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(answers) == 32
    statuses = Counter(r and r["status"] for a in answers for r in a["results"])
    assert statuses["stored"] == 32 * 60 and set(statuses) <= {"stored", "refused"}, statuses
    db.close()
    assert_kept(engine)
    with make_sessionmaker(engine)() as s:
        assert_reports_agree(s, VisitFilter(day, day, "PUSAT", categories=DEFAULT))
        assert_reports_agree(s, VisitFilter(date(2025, 3, 1), date(2025, 3, 31), None))
    engine.dispose()


def test_a_push_caught_in_a_deadlock_leaves_its_visit_queued(db_url: str, tmp_path: Path) -> None:
    """The count rows are shared: a push storing item by item (a bad item in its batch) and
    another transaction taking the same site's rooms in the other order deadlock, and
    PostgreSQL cancels one of them. A visit of the push cancelled so is not refused (the kiosk
    would set it aside for staff) but left unanswered: the kiosk sends it again."""
    engine = _pg(db_url)
    settings = load_settings(overrides={"data_dir": tmp_path, "db_url": db_url}, environ={})
    Keyring.generate(settings.key_file)
    db = sync_central.CentralDatabase.open(settings)
    with db.sessions() as s, s.begin():
        code = sync_central.add_kiosk(s, "k0", "PUSAT", "entrance").code
    token = db.enroll(code, "10.0.0.1")["token"]
    rng = random.Random(9)
    day = date(2025, 3, 3)

    def guest(room: str, category: str = "Umum") -> dict[str, Any]:
        row = _visit(rng, day, [])
        row.update(visitor_type="guest", member_id=None, room=room, category=category,
                   headcount=1, children=0, adults=1, boys=None, girls=None, gender="L",
                   kiosk_id="k0", site="PUSAT")  # fmt: skip
        return row

    def item(row: dict[str, Any]) -> dict[str, Any]:
        record = {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
        record.update(id=str(row["id"]), guest_id=None, group_id=None)
        return {"kind": "visit", "record": record}

    items = [item(guest("REF")), item(guest("BACA")), item(guest("KOL", "Um\x00um"))]
    answers: list[dict[str, Any]] = []
    with engine.connect() as other:
        other.execute(text("SET deadlock_timeout = '60s'"))  # the push finds the deadlock
        other.execute(insert(Visit), [guest("BACA")])  # holds BACA's counts of the day
        pid = other.execute(text("SELECT pg_backend_pid()")).scalar()
        t = threading.Thread(target=lambda: answers.append(db.push(token, {"items": items})))
        t.start()  # stores REF's visit, then waits for BACA's counts
        blocked = text(
            "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
        )
        with engine.connect() as watch:
            while not watch.execute(blocked, {"pid": pid}).scalar():
                t.join(0.05)
        other.execute(insert(Visit), [guest("REF")])  # waits for the push: a deadlock
        other.commit()
        t.join()
    db.close()
    ref, baca, bad = answers[0]["results"]
    assert ref["status"] == "stored" and bad["status"] == "refused"
    assert baca is None or baca["status"] == "stored", baca
    assert_kept(engine)
    engine.dispose()
