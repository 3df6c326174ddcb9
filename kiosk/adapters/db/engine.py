"""Engines and sessions. SQLite gets the pragmas that make a kiosk's writes durable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kiosk.adapters.db import outbox  # noqa: F401  (registers the outbox listener)
from kiosk.resources import MIGRATIONS


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a visit survives a power cut once committed
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if u.get_backend_name() == "postgresql" and u.get_driver_name() in ("psycopg2", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    return create_engine(u, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def init_db(engine: Engine) -> str:
    """Create or upgrade the database to the newest schema; returns the revision."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(current revision, newest revision) so callers can say "run kiosk init"."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head() or ""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision(), head
