"""A database made by an older kiosk upgrades with `kiosk init` and keeps every row.

The file under data/b8e8e93/ was made by the code of main at b8e8e93 (see data/README.md):
members, visits of every visitor type, decision and source, guests, groups, every refusal
reason, survey queue rows in every status and answers of every channel.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.adapters.db.engine import alembic_config, init_db, make_engine, schema_status
from kiosk.adapters.db.models import (
    Base,
    Guest,
    Member,
    QueuedSurvey,
    RefusedScan,
    SurveyAnswer,
    SurveyRespondent,
    Visit,
)
from kiosk.cli import main
from kiosk.domain.cards import Keyring, make_payload
from kiosk.domain.vocab import Admitted, Channel, Refusal, Source, SurveyStatus, VisitorType

DATA = Path(__file__).parent / "data" / "b8e8e93"
# The tables of the old schema (0002), parents first; later revisions add tables of their own.
TABLES = [
    "members",
    "guests",
    "groups",
    "visits",
    "refused_scans",
    "survey_queue",
    "survey_respondents",
    "survey_answers",
]


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the old data folder (database and card key) as this kiosk's data folder."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(folder))
    monkeypatch.setenv("KIOSK_SURVEY_CHANCE", "0")
    for var in ("KIOSK_CONFIG", "KIOSK_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    return folder


def kiosk(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, dict, str]:
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out.splitlines()[-1]) if out.strip() else {}, err


def kept() -> sqlite3.Connection:
    """The kept file, read-only: SQLite then writes no -wal/-shm beside it while tests copy it."""
    return sqlite3.connect(f"file:{DATA / 'kiosk.sqlite3'}?immutable=1", uri=True)


def _legacy_columns() -> dict[str, list[str]]:
    with kept() as db:
        return {t: [row[1] for row in db.execute(f'PRAGMA table_info("{t}")')] for t in TABLES}


LEGACY_COLUMNS = _legacy_columns()
HEAD = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()


def raw_rows(path: Path | None = None) -> dict[str, list[tuple]]:
    """Every row of the old schema's tables, as SQLite stores it (their old columns: later
    revisions add columns of their own, e.g. refused_scans.repeats); of the kept file when no
    path is given."""
    with sqlite3.connect(path) if path else kept() as db:
        return {
            t: db.execute(
                f'SELECT {", ".join(LEGACY_COLUMNS[t])} FROM "{t}" ORDER BY id'
            ).fetchall()
            for t in TABLES
        }


def typed_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of the old schema's tables and columns, as the models read them (the same on
    every database)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {}
        for name in TABLES:  # the old schema's columns only: later revisions add their own
            table = Base.metadata.tables[name]
            old = [table.c[c] for c in LEGACY_COLUMNS[name]]
            rows[name] = conn.execute(select(*old).order_by(table.c.id)).all()
    engine.dispose()
    return rows


def gender_backfill(url: str) -> tuple[int, int]:
    """What 0008 wrote: (visits whose gender is not their member's or guest's, or whose
    origin or purpose is not their guest's; visits with a gender)."""
    engine = make_engine(url)
    with Session(engine) as s:
        theirs = sa.func.coalesce(Member.gender, Guest.gender)
        q = (
            select(sa.func.count(), sa.func.count(Visit.gender))
            .select_from(Visit)
            .outerjoin(Member, Member.id == Visit.member_id)
            .outerjoin(Guest, Guest.id == Visit.guest_id)
        )
        wrong = s.scalar(
            q.with_only_columns(sa.func.count()).where(
                Visit.gender.is_distinct_from(theirs)
                | Visit.origin_code.is_distinct_from(Guest.origin_code)
                | Visit.purpose.is_distinct_from(Guest.purpose)
            )
        )
        given = s.scalar(q.with_only_columns(sa.func.count(Visit.gender)))
    engine.dispose()
    return int(wrong or 0), int(given or 0)


def test_kept_file_is_what_the_readme_says() -> None:
    rows = raw_rows()
    assert {t: len(r) for t, r in rows.items()} == {
        "members": 6,
        "guests": 3,
        "groups": 2,
        "visits": 15,
        "refused_scans": 7,
        "survey_queue": 4,
        "survey_respondents": 4,
        "survey_answers": 9,
    }
    with kept() as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]


def test_sqlite_upgrade_keeps_every_row(legacy: Path, capsys: pytest.CaptureFixture) -> None:
    db = legacy / "kiosk.sqlite3"
    before = raw_rows(db)
    code, init, err = kiosk(capsys, "init")
    assert code == 0, err
    assert init["schema"] == HEAD and init["new_card_key"] is False
    assert raw_rows(db) == before  # every old row and value, as stored

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # What 0005 added: no repeat counted on the old refusals, nobody's access logged.
        refusals = conn.execute("SELECT count(*), sum(repeats) FROM refused_scans").fetchone()
        assert refusals == (7, 0)
        assert conn.execute("SELECT count(*) FROM access_log").fetchone() == (0,)
        kinds = conn.execute(
            "SELECT visitor_type, decision, source, sum(headcount) FROM visits "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ).fetchall()
        assert ("group", "welcome", "scan", 21) in kinds
        assert ("member", "moved", "scan", 1) in kinds
        assert {k[2] for k in kinds} == {"scan", "barcode", "keypad", "form", "cli", "paper"}
        reasons = conn.execute("SELECT reason FROM refused_scans").fetchall()
        assert sorted(r for (r,) in reasons) == sorted(Refusal)
        statuses = conn.execute("SELECT status, count(*) FROM survey_queue GROUP BY 1").fetchall()
        assert dict(statuses) == {"closed": 2, "shown": 1, "pending": 1}
        channels = conn.execute("SELECT channel, count(*) FROM survey_answers GROUP BY 1")
        assert dict(channels.fetchall()) == {"mini": 2, "paper": 5, "rating": 2}

    assert gender_backfill(f"sqlite:///{db}") == (0, 14)

    # The upgraded file works: the reports count the old visits, an old card checks in.
    code, report, _ = kiosk(
        capsys, "report", "visits", "--from", "2026-11-01", "--to", "2026-12-31", "--by", "month"
    )
    assert code == 0
    room_visits = {k: report["total"][k] for k in ("member", "guest", "group", "total", "records")}
    assert room_visits == {"member": 11, "guest": 3, "group": 21, "total": 35, "records": 15}
    card = make_payload("A0001", 1, Keyring.load(legacy / "card-keys.toml"))
    code, visit, _ = kiosk(capsys, "checkin", card, "--room", "REF")
    assert (code, visit["decision"], visit["member_name"]) == (0, "welcome", "Siti Rahma")
    revoked = make_payload("A0004", 1, Keyring.load(legacy / "card-keys.toml"))
    assert kiosk(capsys, "checkin", revoked, "--room", "REF")[0] == 1  # still revoked


def test_old_survey_statuses_are_closed_like_the_service_closes_them(
    legacy: Path, capsys: pytest.CaptureFixture
) -> None:
    db = legacy / "kiosk.sqlite3"
    with sqlite3.connect(db) as conn:
        (member,) = conn.execute("SELECT id FROM members WHERE number = 'A0006'").fetchone()
        for n, status in enumerate(("answered", "skipped", "expired")):
            conn.execute(
                "INSERT INTO survey_queue VALUES (?, ?, 'PUSAT', 'permenpanrb-14-2017', 'U1,U2',"
                " '2026-10-01 02:00:00', '2026-10-01', '2026-10-15 02:00:00', ?)",
                (f"{n:032x}", member, status),
            )
    assert kiosk(capsys, "init")[0] == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT status, elements FROM survey_queue WHERE member_id = ?", (member,)
        ).fetchall()
    assert rows == [("closed", "")] * 3


def test_a_stray_word_stops_the_upgrade_and_changes_nothing(
    legacy: Path, capsys: pytest.CaptureFixture
) -> None:
    db = legacy / "kiosk.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE refused_scans SET reason = 'lost_card' WHERE reason = 'expired'")
    before = raw_rows(db)
    code, _, err = kiosk(capsys, "init")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "unexpected" not in err
    assert "refused_scans.reason = 'lost_card' (1 rows)" in err
    assert raw_rows(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]


def test_the_database_refuses_words_outside_the_vocabulary(db_url: str) -> None:
    """One valid row per table; then each vocabulary column set to a stray word is refused
    by the database itself, naming the constraint."""
    engine = make_engine(db_url)
    init_db(engine)
    now, day = datetime(2026, 11, 25, 3, 0, tzinfo=UTC), date(2026, 11, 25)
    place = {"site": "PUSAT", "kiosk_id": "k1", "room": "REF", "at_utc": now, "local_day": day}
    with Session(engine) as s, s.begin():
        member = Member(number="A0001", name="Siti Rahma")
        respondent = SurveyRespondent(
            standard="permenpanrb-14-2017", local_day=day, site="PUSAT", channel=Channel.MINI
        )
        s.add_all([member, respondent])
        s.flush()
        s.add_all(
            [
                Visit(
                    **place,
                    visitor_type=VisitorType.MEMBER,
                    decision=Admitted.WELCOME,
                    source=Source.SCAN,
                    member_id=member.id,
                ),
                RefusedScan(**place, reason=Refusal.EXPIRED, excerpt="LKG1:..."),
                QueuedSurvey(
                    member_id=member.id,
                    site="PUSAT",
                    standard="permenpanrb-14-2017",
                    elements="U1,U2",
                    queued_at=now,
                    queued_day=day,
                    expires_at=now,
                ),
                SurveyAnswer(
                    respondent_id=respondent.id,
                    standard="permenpanrb-14-2017",
                    element="U1",
                    value=4,
                    local_day=day,
                    site="PUSAT",
                    channel="rating",  # a plain string of the list is fine
                ),
            ]
        )
    with Session(engine) as s:
        assert s.scalar(select(QueuedSurvey.status)) is SurveyStatus.PENDING
        assert s.scalar(select(SurveyAnswer.channel)) is Channel.RATING
    for table, column in [
        ("visits", "visitor_type"),
        ("visits", "decision"),
        ("visits", "source"),
        ("refused_scans", "reason"),
        ("survey_queue", "status"),
        ("survey_respondents", "channel"),
        ("survey_answers", "channel"),
    ]:
        with engine.connect() as conn, pytest.raises(IntegrityError, match=f"ck_{table}_{column}"):
            conn.execute(text(f"UPDATE {table} SET {column} = 'zz'"))
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_keeps_every_row(
    pg_server_url: str, legacy: Path, capsys: pytest.CaptureFixture
) -> None:
    """The same rows, loaded into a PostgreSQL database at the old schema, then upgraded."""
    from tests.conftest import _reset_pg

    _reset_pg(pg_server_url)
    source = typed_rows(f"sqlite:///{legacy / 'kiosk.sqlite3'}")
    engine = make_engine(pg_server_url)
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        for name in TABLES:
            model = Base.metadata.tables[name]
            # Only the old columns: the models' newer ones (with their defaults) are not there.
            table = sa.table(name, *(sa.column(c, model.c[c].type) for c in LEGACY_COLUMNS[name]))
            if source[name]:
                conn.execute(insert(table), [r._asdict() for r in source[name]])
    assert schema_status(engine)[0] == "0002"
    engine.dispose()

    code, init, err = kiosk(capsys, "init", "--db", pg_server_url)
    assert (code, init.get("schema")) == (0, HEAD), err
    assert typed_rows(pg_server_url) == source
    engine = make_engine(pg_server_url)
    with Session(engine) as s:
        assert s.scalars(select(RefusedScan.repeats)).all() == [0] * 7
        assert s.scalar(text("SELECT count(*) FROM access_log")) == 0
    engine.dispose()
    assert gender_backfill(pg_server_url) == (0, 14)
