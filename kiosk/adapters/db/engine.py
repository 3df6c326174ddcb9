"""Engines and sessions. SQLite gets the pragmas that make a kiosk's writes durable.

A SQLite file is also watched: deleted or replaced under a running kiosk (a careless copy, a
restore while running), every later statement fails with DatabaseFileChanged instead of
writing visits into a file nobody will ever read again.
"""

from __future__ import annotations

import os
import stat
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.adapters.db import outbox  # noqa: F401  (registers the outbox listener)
from kiosk.resources import MIGRATIONS

_WATCHED: weakref.WeakKeyDictionary[Engine, FileIdentity] = weakref.WeakKeyDictionary()
DB_FILE_MODE = 0o600  # names of members live in the database, its WAL and its shared memory


class DatabaseFileChanged(SQLAlchemyError):
    """The SQLite file this process opened was deleted or replaced: nothing more is written."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or written (read-only media, missing, damaged)."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a visit survives a power cut once committed
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA secure_delete=ON")  # an erased member's name is overwritten, not freed
    cur.close()


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named when the kiosk opened it (device and inode)."""

    path: Path
    dev: int
    ino: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        st = path.stat()
        return cls(path, st.st_dev, st.st_ino)

    def problem(self) -> str | None:
        """None while the path still names the opened file, else a one-line reason."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return f"the database file {self.path} was deleted while the kiosk ran"
        except OSError as e:
            return f"the database file {self.path} cannot be checked: {e.strerror}"
        if (st.st_dev, st.st_ino) != (self.dev, self.ino):
            return f"the database file {self.path} was replaced while the kiosk ran"
        return None


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite engine (None for PostgreSQL or an in-memory database)."""
    u = engine.url
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


def file_problem(engine: Engine) -> str | None:
    """Why the engine's database file can no longer be trusted, or None."""
    watch = _WATCHED.get(engine)
    return watch.problem() if watch is not None else None


def _private(path: Path) -> None:
    """Database, WAL and shared memory readable by the kiosk's own user only."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                p.chmod(DB_FILE_MODE)
        except FileNotFoundError:
            pass
        except PermissionError:  # not ours to change (a shared folder): leave it as it is
            pass


def _prepare_sqlite_file(path: Path, create: bool) -> None:
    folder = path.parent
    if not path.exists():
        if not create:
            raise DatabaseUnavailable(
                f"no database at {path}: restore the newest backup (`kiosk restore FILE`), "
                "or run `kiosk init` on a new installation"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Made here with owner-only rights; SQLite gives its -wal and -shm the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE))
        except FileExistsError:
            pass
        except OSError as e:
            raise DatabaseUnavailable(_unwritable(path, e)) from None
    elif not os.access(folder, os.W_OK) or not os.access(path, os.W_OK):
        raise DatabaseUnavailable(_unwritable(path, None))
    _private(path)


def _unwritable(path: Path, e: OSError | None) -> str:
    why = f" ({e.strerror})" if e is not None and e.strerror else ""
    return (
        f"cannot write the database at {path}{why}: the folder or drive is read-only "
        "(write-protected card, read-only mount, wrong owner); set storage.data_dir to a "
        "writable folder or fix the mount"
    )


def make_engine(url: str, create: bool = True) -> Engine:
    """An engine for `url`. For a SQLite file, `create=False` refuses a missing file (a
    running kiosk must not start on an empty database because its file disappeared)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        engine = create_engine(u)
        event.listen(engine, "connect", _sqlite_pragmas)
        path = sqlite_file(engine)
        if path is not None:
            _prepare_sqlite_file(path, create)
            _WATCHED[engine] = FileIdentity.of(path)

            def guard(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
                problem = file_problem(engine)
                if problem is not None:
                    raise DatabaseFileChanged(problem)

            event.listen(engine, "before_cursor_execute", guard)
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


def integrity_problems(engine: Engine, quick: bool = True) -> list[str]:
    """SQLite's own check of the file (quick_check, or the full integrity_check); [] is fine.

    PostgreSQL keeps its own checksums: nothing to check from here.
    """
    if engine.url.get_backend_name() != "sqlite":
        return []
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text(f"PRAGMA {pragma}"))]
    except SQLAlchemyError as e:  # "file is not a database", "disk image is malformed"
        return [str(getattr(e, "orig", e))]
    return [] if rows == ["ok"] else rows


def checkpoint(engine: Engine) -> bool:
    """Fold the WAL into the database and empty it, so erased rows stay in no side file.

    False when another connection kept reading throughout (busy_timeout): the WAL is then
    emptied at the next checkpoint; PostgreSQL has no such file (True).
    """
    if engine.url.get_backend_name() != "sqlite":
        return True
    with engine.connect() as conn:
        busy = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()
        conn.commit()
    return not (busy and busy[0])
