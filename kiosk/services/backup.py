"""Backups: an online copy of the SQLite database, verified, a number kept; restore refuses a
copy that fails its check.

A backup is one SQLite file made with SQLite's backup API while the kiosk runs (a consistent
snapshot; check-ins go on), written under a temporary name, synced, renamed, then opened
again and checked with `integrity_check` before older backups are removed. The card key file
is copied beside the backups (owner-only), because a database without its key is a kiosk
whose cards are all refused. PostgreSQL (the central side) is backed up with its own tools:
`pg_dump --format=custom` nightly, `pg_restore` to restore (see `PG_GUIDANCE`).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.adapters.db.engine import sqlite_file
from kiosk.adapters.files.atomic import PRIVATE, atomic_path
from kiosk.config import Settings
from kiosk.domain.clock import local_time

PREFIX = "kiosk-backup-"
SUFFIX = ".sqlite3"
KEY_COPY = "card-keys.toml"
NAME = re.compile(rf"^{PREFIX}(\d{{8}}-\d{{6}}){re.escape(SUFFIX)}$")
REQUIRED_TABLES = {"alembic_version", "members", "visits"}
PG_GUIDANCE = (
    "the central PostgreSQL database is backed up with PostgreSQL's own tools: "
    "`pg_dump --format=custom --file kiosk-$(date +%F).dump DBNAME` nightly (cron or a systemd "
    "timer), and `pg_restore --clean --dbname DBNAME FILE` to restore"
)


class BackupError(RuntimeError):
    """A backup could not be made, or a file is not a usable backup; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    file: Path
    bytes: int
    visits: int
    members: int
    removed: tuple[Path, ...]
    key_copied: bool

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "bytes": self.bytes,
            "visits": self.visits,
            "members": self.members,
            "verified": True,
            "removed": [str(p) for p in self.removed],
            "card_key_copied": self.key_copied,
        }


def default_folder(settings: Settings) -> Path:
    return settings.data_dir / "backups"


def database_file(settings: Settings) -> Path:
    from sqlalchemy import create_engine

    engine = create_engine(settings.database_url)
    try:
        path = sqlite_file(engine)
    finally:
        engine.dispose()
    if path is None:
        raise BackupError(f"`kiosk backup` copies a SQLite file; {PG_GUIDANCE}")
    return path


def verify(path: Path) -> dict[str, int]:
    """Open a backup read-only and check it; counts of members and visits, or BackupError."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise BackupError(f"{path}: cannot be opened: {e}") from None
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            raise BackupError(f"{path}: fails its check (integrity: {check[0]})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(
                f"{path}: fails its check (not a kiosk database: no {', '.join(sorted(missing))})"
            )
        members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        visits = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    except sqlite3.DatabaseError as e:  # "file is not a database", "malformed"
        raise BackupError(f"{path}: fails its check (not a usable database: {e})") from None
    finally:
        conn.close()
    return {"members": members, "visits": visits}


def list_backups(folder: Path) -> list[Path]:
    """Backups in `folder`, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAME.match(p.name))


def make_backup(
    settings: Settings, folder: Path | None = None, keep: int = 7, now: datetime | None = None
) -> BackupResult:
    """Copy the live database to `folder` (default data_dir/backups), verify it, keep `keep`."""
    if keep < 1:
        raise ValueError("--keep must be 1 or more")
    source = database_file(settings)
    if not source.is_file():
        raise BackupError(f"no database at {source}: nothing to back up")
    folder = folder or default_folder(settings)
    stamp = local_time(now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{PREFIX}{stamp}{SUFFIX}"
    try:
        with atomic_path(target, PRIVATE) as tmp:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # a consistent snapshot while the kiosk keeps writing
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst.close()
                src.close()
            counts = verify(tmp)
    except sqlite3.Error as e:
        raise BackupError(f"backup of {source} failed: {e}") from None
    except OSError as e:
        raise BackupError(f"cannot write the backup to {folder}: {e.strerror or e}") from None
    removed = tuple(list_backups(folder)[:-keep])
    for old in removed:
        old.unlink(missing_ok=True)
    key_copied = _copy_key(settings.key_file, folder / KEY_COPY)
    return BackupResult(
        target, target.stat().st_size, counts["visits"], counts["members"], removed, key_copied
    )


def _copy_key(key_file: Path, copy: Path) -> bool:
    if not key_file.is_file() or key_file.stat().st_size == 0:
        return False
    with atomic_path(copy, PRIVATE) as tmp:
        shutil.copyfile(key_file, tmp)
    return True


@dataclass(frozen=True)
class RestoreResult:
    file: Path
    database: Path
    members: int
    visits: int
    kept_as: Path | None
    key_restored: bool

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "database": str(self.database),
            "members": self.members,
            "visits": self.visits,
            "previous_database_kept_as": str(self.kept_as) if self.kept_as else None,
            "card_key_restored": self.key_restored,
        }


def restore(settings: Settings, backup: Path, now: datetime | None = None) -> RestoreResult:
    """Put a verified backup in place of the database (stop the kiosk first: a running kiosk
    notices its file was replaced and stops greeting). The replaced database is kept beside
    it; a missing card key is restored from the copy beside the backup, an existing one is
    never touched."""
    counts = verify(backup)
    target = database_file(settings)
    kept_as = None
    stamp = local_time(now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    try:
        if target.exists():
            kept_as = target.with_name(f"{target.name}.before-restore-{stamp}")
            with atomic_path(kept_as, PRIVATE) as tmp:
                _sqlite_copy(target, tmp)
        with atomic_path(target, PRIVATE) as tmp:
            shutil.copyfile(backup, tmp)
            os.chmod(tmp, PRIVATE)
        for side in ("-wal", "-shm"):  # the old WAL belongs to the old file
            target.with_name(target.name + side).unlink(missing_ok=True)
    except OSError as e:
        raise BackupError(f"cannot restore into {target}: {e.strerror or e}") from None
    key_restored = False
    copy = backup.parent / KEY_COPY
    key = settings.key_file
    if (not key.exists() or key.stat().st_size == 0) and copy.is_file():
        with atomic_path(key, PRIVATE) as tmp:
            shutil.copyfile(copy, tmp)
        key_restored = True
    return RestoreResult(backup, target, counts["members"], counts["visits"], kept_as, key_restored)


def _sqlite_copy(source: Path, target: Path) -> None:
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError:  # a damaged database is kept byte for byte
        shutil.copyfile(source, target)
