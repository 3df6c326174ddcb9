"""Joining a central server, on the kiosk: enrolment (device token, card keys, layout), the
records made before it joined, and the sync numbers staff and scripts see.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import (
    OutboxItem,
    QueuedSurvey,
    RefusedScan,
    SurveyAnswer,
    SurveyRespondent,
    SyncState,
    Visit,
)
from kiosk.adapters.db.outbox import KIND_ORDER
from kiosk.adapters.http.client import CentralClient
from kiosk.config import Settings
from kiosk.domain.cards import Keyring
from kiosk.domain.vocab import N_

log = logging.getLogger(__name__)
TOKEN_FILE = "sync-token"


def kiosk_version() -> str:
    try:
        return version("kiosk")
    except PackageNotFoundError:
        return "unknown"


def token_path(settings: Settings) -> Path:
    return settings.data_dir / TOKEN_FILE


def _write_private(path: Path, text: str) -> None:
    """Write a secret readable only by its owner: a temporary name, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _save_keys(settings: Settings, keys: dict[str, Any]) -> None:
    ring = Keyring(keys["current"], {k: bytes.fromhex(v) for k, v in keys["keys"].items()})
    tmp = settings.key_file.with_name(settings.key_file.name + ".tmp")
    ring.save(tmp)
    os.replace(tmp, settings.key_file)


LAYOUT_FILE = "layout.toml"


def layout_path(settings: Settings) -> Path:
    """Where the central layout is kept; point `layout.file` here to follow it."""
    return settings.data_dir / LAYOUT_FILE


def _save_layout(settings: Settings, body: str) -> None:
    """Check the central layout, then put it in place (a temporary name, then a rename)."""
    from kiosk.layout import load_layout

    path = layout_path(settings)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    load_layout(tmp)  # a broken layout never replaces a working one
    os.replace(tmp, path)


def enroll(settings: Settings, url: str, code: str) -> dict[str, Any]:
    """Exchange an enrolment code for a device token, the card keys, the site and location.

    Records this kiosk made before it joined are queued for the server too.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        init_db(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as s:
            state = s.get(SyncState, 1)
            if state is not None and state.role == "central":  # checked before the code is used
                raise ValueError("this is the central database: kiosks enrol elsewhere")
        with CentralClient(url) as client:
            answer = client.post("/enroll", {"code": code, "version": kiosk_version()})
        # The token first: a code is spent once, so what it bought is kept before anything else.
        _write_private(token_path(settings), answer["token"] + "\n")
        _save_keys(settings, answer["keys"])
        with sessions() as s, s.begin():
            state = s.get(SyncState, 1)
            first = state is None
            if first:
                state = SyncState(id=1, role="kiosk", pull_cursor=0)
                s.add(state)
            state.server_url = url.rstrip("/")
            state.kiosk_id, state.site = answer["kiosk"], answer["site"]
            state.location = answer["location"]
            state.keys_fingerprint = answer["keys"]["fingerprint"]
            state.last_error = state.last_error_at = None
            if first:
                s.flush()
                queued = backfill(s, state.site, state.kiosk_id)
            else:
                queued = 0
    finally:
        engine.dispose()
    mismatch = {
        key: answer[field]
        for key, field, mine in (
            ("kiosk.id", "kiosk", settings.kiosk_id),
            ("kiosk.site", "site", settings.site),
            ("kiosk.location", "location", settings.location),
        )
        if mine != answer[field]
    }
    return {
        "server": url.rstrip("/"),
        "kiosk": answer["kiosk"],
        "site": answer["site"],
        "location": answer["location"],
        "card_key_file": str(settings.key_file),
        "token_file": str(token_path(settings)),
        "queued_from_before": queued,
        "settings_to_change": mismatch,
    }


def backfill(s: Session, site: str, kiosk_id: str) -> int:
    """Queue what this kiosk recorded before it was enrolled (its own rows only)."""
    own_visits = select(Visit.id).where(Visit.site == site, Visit.kiosk_id == kiosk_id)
    sources: dict[str, Any] = {
        "guest": select(Visit.guest_id).where(
            Visit.site == site, Visit.kiosk_id == kiosk_id, Visit.guest_id.is_not(None)
        ),
        "survey_respondent": select(SurveyRespondent.id).where(SurveyRespondent.site == site),
        "survey_answer": select(SurveyAnswer.id).where(SurveyAnswer.site == site),
        "visit": own_visits,
        "refused_scan": select(RefusedScan.id).where(
            RefusedScan.site == site, RefusedScan.kiosk_id == kiosk_id
        ),
        "survey_queue": select(QueuedSurvey.id).where(QueuedSurvey.site == site),
    }
    total = 0
    now = datetime.now(UTC)
    for kind in sorted(sources, key=KIND_ORDER.__getitem__):
        ids = s.scalars(sources[kind]).all()
        if ids:
            rows = [
                {"kind": kind, "record_id": i, "created_at": now, "quarantined": False} for i in ids
            ]
            s.execute(insert(OutboxItem).values(attempts=0), rows)
            total += len(ids)
    return total


class NotEnrolled(ValueError):
    """The kiosk has no server yet: `kiosk enroll URL CODE`."""


# --- status ------------------------------------------------------------------------------------


# What went wrong in the last sync round, in staff words (the staff screen translates them,
# `kiosk doctor` says them), and what to do. Stored as "<kind>: <detail>" in last_error.
SYNC_PROBLEMS: dict[str, tuple[str, str]] = {
    "offline": (
        N_("the central server cannot be reached (network or server down); visits stay on "
           "this kiosk and are sent later"),
        "check the network and the central server address; nothing is lost meanwhile",
    ),
    "enrolment": (
        N_("the central server no longer accepts this kiosk: ask the administrator for a "
           "new enrolment code"),
        "enrol the kiosk again: kiosk enroll URL CODE (a new code from kiosk kiosks add)",
    ),
    "refused": (
        N_("the central server refused what this kiosk sent: tell the administrator"),
        "see kiosk sync status and the central server's log",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server: str | None
    queued: int
    quarantined: int
    last_push: datetime | None
    last_pull: datetime | None
    last_error: str | None
    last_error_at: datetime | None = None

    @property
    def problem(self) -> tuple[str, str] | None:
        """The last round's trouble as (staff words, what to do), or None."""
        if not self.last_error:
            return None
        kind = self.last_error.split(":", 1)[0]
        return SYNC_PROBLEMS.get(kind, SYNC_PROBLEMS["refused"])

    def to_json(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "quarantined": self.quarantined,
            "last_push": self.last_push.isoformat() if self.last_push else None,
            "last_pull": self.last_pull.isoformat() if self.last_pull else None,
            "server": self.server,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
        }


def sync_status(s: Session) -> SyncStatus:
    state = s.get(SyncState, 1)
    counts = dict(
        s.execute(select(OutboxItem.quarantined, func.count()).group_by(OutboxItem.quarantined))
        .tuples()
        .all()
    )
    kiosk = state is not None and state.role == "kiosk"
    return SyncStatus(
        enrolled=kiosk,
        server=state.server_url if kiosk else None,
        queued=int(counts.get(False, 0)),
        quarantined=int(counts.get(True, 0)),
        last_push=state.last_push if kiosk else None,
        last_pull=state.last_pull if kiosk else None,
        last_error=state.last_error if kiosk else None,
        last_error_at=state.last_error_at if kiosk else None,
    )


def status_of(settings: Settings) -> SyncStatus:
    """The sync numbers of the kiosk database named by `settings` (for `kiosk sync status`)."""
    engine = make_engine(settings.database_url)
    try:
        current, head = schema_status(engine)
        if current != head:
            raise NotEnrolled("the kiosk database is not ready: run `kiosk init`")
        with make_sessionmaker(engine)() as s:
            return sync_status(s)
    finally:
        engine.dispose()


def quarantined_items(s: Session, limit: int = 50) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(OutboxItem).where(OutboxItem.quarantined.is_(True)).order_by(OutboxItem.id)
    ).all()[:limit]
    return [{"kind": r.kind, "id": str(r.record_id), "error": r.error} for r in rows]
