"""Migrations from empty, on SQLite and PostgreSQL, match the models exactly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kiosk.adapters.db.engine import alembic_config, init_db, make_engine, schema_status
from kiosk.adapters.db.models import Base


def test_init_from_empty_reaches_head_and_matches_models(db_url: str) -> None:
    engine = make_engine(db_url)
    assert schema_status(engine)[0] is None
    revision = init_db(engine)
    current, head = schema_status(engine)
    assert current == head == revision
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    engine.dispose()


def test_init_twice_is_harmless_and_downgrade_round_trips(db_url: str) -> None:
    engine = make_engine(db_url)
    init_db(engine)
    init_db(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    init_db(engine)
    assert "visits" in inspect(engine).get_table_names()
    engine.dispose()


def test_report_indexes_exist(db_url: str) -> None:
    engine = make_engine(db_url)
    init_db(engine)
    names = {ix["name"] for ix in inspect(engine).get_indexes("visits")}
    assert {"ix_visits_day_room", "ix_visits_site_day", "ix_visits_member_at"} <= names
    assert "ix_visits_counting" in names and "ix_visits_report" not in names  # 0008
    engine.dispose()


def test_sqlite_pragmas_make_writes_durable(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_vocabulary_checks_are_named_alike_and_go_on_downgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    init_db(engine)

    def checks() -> set[str]:
        found = inspect(engine)
        return {
            c["name"]
            for t in ("visits", "refused_scans", "survey_queue", "survey_respondents")
            for c in found.get_check_constraints(t)
        }

    assert checks() == {
        "ck_visits_visitor_type",
        "ck_visits_decision",
        "ck_visits_source",
        "ck_refused_scans_reason",
        "ck_survey_queue_status",
        "ck_survey_respondents_channel",
    }
    command.downgrade(alembic_config(engine), "0002")
    assert checks() == set()
    init_db(engine)
    assert len(checks()) == 6
    engine.dispose()


def test_0009_moves_peer_copies_out_of_the_kiosks_own_visits(tmp_path) -> None:
    """Before 0009 a kiosk kept its site's other kiosks' visits in `visits`; they move to
    `peer_visits`. Its own visits, and other kiosks' rows still queued to be sent, stay."""
    import uuid

    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0007")
    ids = {name: uuid.uuid4().hex for name in ("own", "peer", "queued", "other_site")}
    rows = {"own": "k1", "peer": "k2", "queued": "k3", "other_site": "k4"}
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO sync_state (id, role, kiosk_id, site, pull_cursor) "
                "VALUES (1, 'kiosk', 'k1', 'PUSAT', 0)"
            )
        )
        for name, kiosk in rows.items():
            site = "CAB" if name == "other_site" else "PUSAT"
            c.execute(
                text(
                    "INSERT INTO visits (id, at_utc, local_day, site, kiosk_id, room, "
                    "visitor_type, decision, headcount, children, adults, source) VALUES "
                    "(:id, '2026-12-01 02:00:00', '2026-12-01', :site, :kiosk, 'BACA', "
                    "'member', 'welcome', 1, 0, 1, 'scan')"
                ),
                {"id": ids[name], "site": site, "kiosk": kiosk},
            )
        c.execute(
            text(
                "INSERT INTO sync_outbox (kind, record_id, created_at, quarantined, attempts) "
                "VALUES ('visit', :id, '2026-12-01 02:00:00', 0, 0)"
            ),
            {"id": ids["queued"]},
        )
    init_db(engine)
    with engine.connect() as c:
        kept = set(c.execute(text("SELECT id FROM visits")).scalars())
        moved = set(c.execute(text("SELECT id FROM peer_visits")).scalars())
    assert kept == {ids["own"], ids["queued"], ids["other_site"]}
    assert moved == {ids["peer"]}
    engine.dispose()
