"""`kiosk doctor` (and the staff screen): what is wrong with this kiosk, and what to do.

Each check gives ok, warn or fail, one line of detail and, unless ok, one line of what to do.
The camera is probed by the caller (services never import OpenCV) and handed in.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from kiosk.adapters.db.engine import (
    DatabaseUnavailable,
    file_problem,
    integrity_problems,
    make_engine,
    schema_status,
    sqlite_file,
)
from kiosk.adapters.db.models import SyncState, Visit
from kiosk.config import Settings
from kiosk.domain.cards import CardKeyError, Keyring
from kiosk.services.backup import default_folder, list_backups
from kiosk.services.sync_joining import SyncStatus

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_FREE = 200 * 1024 * 1024  # below this a day of exports and backups may not fit
LOW_FREE = 1024 * 1024 * 1024
BACKUP_AGE = timedelta(days=2)
OFFLINE_TOO_LONG = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


CameraProbe = Callable[[str], tuple[bool, str]]  # camera setting -> (works, detail)


def run_checks(
    settings: Settings, camera: CameraProbe | None = None, now: datetime | None = None
) -> list[Check]:
    now = now or datetime.now(UTC)
    checks = [_database(settings, now), _key(settings), _disk(settings), _backups(settings, now)]
    if camera is not None:
        checks.insert(0, _camera(settings, camera))
    checks.append(_clock(settings, now))
    checks.append(_sync(settings, now))
    return checks


def _camera(settings: Settings, probe: CameraProbe) -> Check:
    works, detail = probe(settings.camera)
    if works:
        return Check("camera", OK, detail)
    return Check(
        "camera",
        FAIL,
        detail,
        "plug the camera in (a USB port at the back), check kiosk.camera in the settings "
        "(0 is the first webcam); members can still type their number on the keypad",
    )


def _database(settings: Settings, now: datetime) -> Check:
    try:
        engine = make_engine(settings.database_url, create=False)
    except DatabaseUnavailable as e:
        return Check("database", FAIL, str(e), "see the message; `kiosk restore FILE` or init")
    try:
        problems = integrity_problems(engine)
        if problems:
            return Check(
                "database",
                FAIL,
                f"damaged: {problems[0]}",
                "restore the newest backup with `kiosk restore FILE` (`kiosk backup --list`)",
            )
        current, head = schema_status(engine)
        if current != head:
            return Check(
                "database", FAIL, f"schema {current or 'empty'}, newest {head}", "run `kiosk init`"
            )
        with engine.connect() as conn:
            visits = conn.scalar(select(func.count()).select_from(Visit)) or 0
        path = sqlite_file(engine)
        if path is not None and stat.S_IMODE(path.stat().st_mode) & 0o077:
            return Check(
                "database",
                WARN,
                f"{path} is readable by other users",
                f"chmod 600 {path} (the kiosk sets it at its next start)",
            )
        moved = file_problem(engine)
        if moved:
            return Check("database", FAIL, moved, "restart the kiosk")
        where = str(path) if path else engine.url.render_as_string(hide_password=True)
        return Check("database", OK, f"{where}: schema {current}, {visits} visits, checked")
    except Exception as e:  # any driver error is a finding, not a crash of the doctor
        return Check("database", FAIL, f"{type(e).__name__}: {e}".splitlines()[0], "see above")
    finally:
        engine.dispose()


def _key(settings: Settings) -> Check:
    path = settings.key_file
    try:
        ring = Keyring.load(path)
    except CardKeyError as e:
        return Check("card key", FAIL, str(e).split(":")[0] + ": missing or unreadable", str(e))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("card key", WARN, f"{path} is readable by other users", f"chmod 600 {path}")
    return Check("card key", OK, f"{path}: current key {ring.current}, {len(ring.keys)} key(s)")


def _disk(settings: Settings) -> Check:
    folder = settings.data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    detail = f"{free / 2**30:.1f} GiB free at {settings.data_dir}"
    if free < MIN_FREE:
        return Check("disk", FAIL, detail, "free space: move old exports and backups off the PC")
    if free < LOW_FREE:
        return Check("disk", WARN, detail, "free some space soon (old exports, backups)")
    if not os.access(folder, os.W_OK):
        return Check("disk", FAIL, f"{folder} is read-only", "fix the mount or the folder owner")
    return Check("disk", OK, detail)


def _backups(settings: Settings, now: datetime) -> Check:
    found = list_backups(default_folder(settings))
    if not found:
        return Check(
            "backup",
            WARN,
            "no backup yet",
            "run `kiosk backup` (the systemd timer kiosk-backup.timer does it nightly)",
        )
    newest = found[-1]
    age = now - datetime.fromtimestamp(newest.stat().st_mtime, UTC)
    if age > BACKUP_AGE:
        return Check(
            "backup",
            WARN,
            f"newest backup {newest.name} is {age.days} days old",
            "check the nightly backup timer: `systemctl status kiosk-backup.timer`",
        )
    return Check("backup", OK, f"{len(found)} backup(s), newest {newest.name}")


def _clock(settings: Settings, now: datetime) -> Check:
    if now.year < 2025:
        return Check(
            "clock",
            FAIL,
            f"the clock says {now:%Y-%m-%d}",
            "set the date (a flat clock battery?) and turn on time sync: timedatectl set-ntp true",
        )
    try:
        engine = make_engine(settings.database_url, create=False)
    except DatabaseUnavailable:
        return Check("clock", OK, f"{now:%Y-%m-%d %H:%M} UTC")
    try:
        with engine.connect() as conn:
            newest = conn.scalar(select(func.max(Visit.at_utc)))
    except Exception:  # the database check reports database trouble
        newest = None
    finally:
        engine.dispose()
    if newest is not None and newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    if newest is not None and newest - now > timedelta(minutes=5):
        return Check(
            "clock",
            WARN,
            f"the newest visit ({newest:%Y-%m-%d %H:%M} UTC) is later than the clock",
            "the clock went back: check the date and time sync (timedatectl)",
        )
    return Check("clock", OK, f"{now:%Y-%m-%d %H:%M} UTC")


def _sync(settings: Settings, now: datetime) -> Check:
    try:
        engine = make_engine(settings.database_url, create=False)
    except DatabaseUnavailable:
        return Check("sync", WARN, "no database", "see the database check")
    state = None
    try:
        tables = set(inspect(engine).get_table_names())
        outbox = next((t for t in ("sync_outbox", "outbox") if t in tables), None)
        if outbox is None:
            return Check("sync", OK, "not set up: this kiosk keeps its visits on its own")
        with engine.connect() as conn:
            waiting = conn.scalar(text(f"SELECT count(*) FROM {outbox}")) or 0  # noqa: S608
            columns = {c["name"] for c in inspect(engine).get_columns("sync_state")}
            if "last_error_at" in columns:  # older schemas: `kiosk init` brings it
                state = conn.execute(select(SyncState).where(SyncState.id == 1)).first()
    except SQLAlchemyError:
        return Check("sync", WARN, "the database cannot be read", "see the database check")
    finally:
        engine.dispose()
    if state is not None and state.role == "kiosk" and state.last_error:
        status = SyncStatus(True, state.server_url, waiting, 0, state.last_push, None,
                            state.last_error, state.last_error_at)  # fmt: skip
        words, fix = status.problem or ("", "")
        at = state.last_error_at.replace(tzinfo=UTC) if state.last_error_at else None
        when = f" at {at:%Y-%m-%d %H:%M} UTC" if at else ""
        # Offline for a while is normal (a van on the road); a day without reaching the
        # server, or a refusal, needs a person.
        reached = [t.replace(tzinfo=UTC) for t in (state.last_push, state.last_pull) if t]
        offline = state.last_error.startswith("offline:")
        brief = offline and bool(reached) and now - max(reached) < OFFLINE_TOO_LONG
        detail = f"{waiting} records waiting; last problem{when}: {words}"
        return Check("sync", OK if brief else WARN, detail, "" if brief else fix)
    if waiting > 1000:
        return Check(
            "sync",
            WARN,
            f"{waiting} records wait to be sent",
            "check the network and the central server address; nothing is lost meanwhile",
        )
    return Check("sync", OK, f"{waiting} records waiting")
