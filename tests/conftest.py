"""Test fixtures: real SQLite files, and a real PostgreSQL server if KIOSK_TEST_PG_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk.adapters.db.engine import init_db, make_engine
from kiosk.config import Settings, load_settings
from kiosk.domain.cards import Keyring
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
NO_PG = "KIOSK_TEST_PG_URL is not set: PostgreSQL storage tests need a server (see README)"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped at the end of the run."""
    if not PG_URL:
        pytest.skip(NO_PG)
    admin = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"kiosk_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - any failure means no usable server
        pytest.skip(f"PostgreSQL at {admin.render_as_string()} is not usable: {e}")
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _reset_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind; storage tests run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    url = request.getfixturevalue("pg_server_url")
    _reset_pg(url)
    return url


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(
        overrides={"data_dir": tmp_path, "db_url": db_url, "kiosk_id": "test-kiosk"}, environ={}
    )


@pytest.fixture
def clock() -> ManualClock:
    # 10:00 WIB on a Wednesday.
    return ManualClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))


@pytest.fixture
def service(settings: Settings, clock: ManualClock) -> Iterator[KioskService]:
    engine = make_engine(settings.database_url)
    init_db(engine)
    engine.dispose()
    Keyring.generate(settings.key_file)
    svc = KioskService.open(settings, clock=clock)
    yield svc
    svc.close()
