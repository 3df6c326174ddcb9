"""Enrolment and device tokens on the central side: one-time codes, token hashes, the list of
kiosks with what each last said about itself, and the limit on wrong codes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import (
    EnrolFailure,
    Group,
    Member,
    SyncChange,
    SyncKiosk,
    SyncState,
)
from kiosk.domain.cards import Keyring

CODE_LIFETIME = timedelta(hours=24)
CLOCK_TOLERANCE = timedelta(minutes=10)
# Wrong enrolment codes allowed per window, from one address and from everywhere together
# (a guesser with many addresses). Enrolling is rare: a person waits a few minutes at worst.
ENROL_WINDOW = timedelta(minutes=15)
ENROL_FAILURES_PER_CLIENT = 10
ENROL_FAILURES_OVERALL = 100


class SyncAuthError(PermissionError):
    """A device token that is unknown or revoked: the kiosk must be enrolled again."""


class TooManyAttempts(PermissionError):
    """Too many wrong enrolment codes lately: the server answers 429 with Retry-After."""

    def __init__(self, retry_after: int, overall: bool) -> None:
        minutes = max(1, -(-retry_after // 60))
        where = "in all" if overall else "from this address"
        super().__init__(
            f"too many wrong enrolment codes {where}: try again in {minutes} minute(s)"
        )
        self.retry_after = retry_after


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_central(s: Session) -> bool:
    """Mark this database as the central one; the first time, every member and group enters
    the pull sequence. Returns True when it was not central before."""
    state = s.get(SyncState, 1)
    if state is not None:
        if state.role != "central":
            raise ValueError("this database belongs to an enrolled kiosk, not the central server")
        return False
    s.add(SyncState(id=1, role="central", pull_cursor=0))
    s.flush()
    for kind, model in (("member", Member), ("group", Group)):
        ids = s.scalars(select(model.id)).all()
        s.add_all(SyncChange(kind=kind, record_id=i, deleted=False) for i in ids)
    return True


@dataclass(frozen=True)
class Enrolment:
    kiosk: str
    site: str
    location: str
    code: str
    expires: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "kiosk": self.kiosk,
            "site": self.site,
            "location": self.location,
            "code": self.code,
            "expires": self.expires.isoformat(),
        }


def add_kiosk(s: Session, kiosk_id: str, site: str, location: str) -> Enrolment:
    """A one-time enrolment code for `kiosk_id` (a new kiosk, or a replaced PC)."""
    make_central(s)
    raw = secrets.token_hex(6).upper()
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    now = utcnow()
    row = s.get(SyncKiosk, kiosk_id)
    if row is None:
        row = SyncKiosk(kiosk_id=kiosk_id, clock_flag=False)
        s.add(row)
    row.site, row.location = site, location
    row.code_hash, row.code_expires = digest(code), now + CODE_LIFETIME
    row.revoked_at = None
    return Enrolment(kiosk_id, site, location, code, now + CODE_LIFETIME)


def revoke_kiosk(s: Session, kiosk_id: str) -> None:
    row = s.get(SyncKiosk, kiosk_id)
    if row is None:
        raise LookupError(f"no kiosk {kiosk_id!r} (see `kiosk kiosks list`)")
    row.revoked_at = utcnow()
    row.code_hash = None


def list_kiosks(s: Session) -> list[dict[str, Any]]:
    rows = s.scalars(select(SyncKiosk).order_by(SyncKiosk.site, SyncKiosk.kiosk_id)).all()
    return [
        {
            "kiosk": r.kiosk_id,
            "site": r.site,
            "location": r.location,
            "enrolled": r.enrolled_at.isoformat() if r.enrolled_at else None,
            "revoked": r.revoked_at.isoformat() if r.revoked_at else None,
            "last_contact": r.last_contact.isoformat() if r.last_contact else None,
            "version": r.version,
            "queued": r.queued,
            "quarantined": r.quarantined,
            "camera": r.camera,
            "free_disk_mb": r.free_disk_mb,
            "clock_offset_s": r.clock_offset_s,
            "clock_flag": r.clock_flag,
        }
        for r in rows
    ]


def keys_message(key_file: Path) -> dict[str, Any]:
    ring = Keyring.load(key_file)
    keys = {kid: key.hex() for kid, key in sorted(ring.keys.items())}
    body = {"current": ring.current, "keys": keys}
    body["fingerprint"] = digest(json.dumps(body, sort_keys=True))
    return body


def layout_message(layout_file: Path) -> dict[str, str]:
    """The library's layout file (sites, floors, rooms) as the central server has it."""
    body = layout_file.read_text(encoding="utf-8")
    return {"text": body, "fingerprint": digest(body)}


def enroll(s: Session, code: str, key_file: Path) -> dict[str, Any]:
    """Exchange a one-time code for a device token; the server keeps only the token's hash."""
    now = utcnow()
    row = s.scalar(select(SyncKiosk).where(SyncKiosk.code_hash == digest(code.strip().upper())))
    if row is None or row.code_expires is None or row.code_expires < now:
        raise SyncAuthError("enrolment code unknown, used or expired: ask for a new one")
    token = secrets.token_urlsafe(32)
    row.token_hash, row.code_hash, row.code_expires = digest(token), None, None
    row.enrolled_at, row.last_contact, row.revoked_at = now, now, None
    return {
        "token": token,
        "kiosk": row.kiosk_id,
        "site": row.site,
        "location": row.location,
        "keys": keys_message(key_file),
        "server_time": now.isoformat(),
    }


def authenticate(s: Session, token: str | None) -> SyncKiosk:
    if not token:
        raise SyncAuthError("no device token: enrol this kiosk with `kiosk enroll URL CODE`")
    row = s.scalar(select(SyncKiosk).where(SyncKiosk.token_hash == digest(token)))
    if row is None:
        raise SyncAuthError("device token unknown: enrol this kiosk again")
    if row.revoked_at is not None:
        raise SyncAuthError(f"kiosk {row.kiosk_id} was revoked: enrol it again")
    return row


def _kiosk_time(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return when.astimezone(UTC) if when.tzinfo else None


def note_status(kiosk: SyncKiosk, status: dict[str, Any], now: datetime) -> None:
    """What the kiosk says about itself, and how far its clock is from ours."""
    kiosk.last_contact = now
    ints = {"queued": "queued", "quarantined": "quarantined", "free_disk_mb": "free_disk_mb"}
    for key, attr in ints.items():
        value = status.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            setattr(kiosk, attr, value)
    for key in ("version", "camera"):
        value = status.get(key)
        if isinstance(value, str):
            setattr(kiosk, key, value[:40])
    sent = _kiosk_time(status.get("kiosk_time"))
    if sent is not None:
        offset = sent - now
        kiosk.clock_offset_s = int(offset.total_seconds())
        kiosk.clock_flag = abs(offset) > CLOCK_TOLERANCE


def check_enrol_limit(s: Session, client: str, now: datetime) -> None:
    """Raise TooManyAttempts while `client`, or everyone together, has had too many wrong
    codes within the window. Counted in the database, so every server process agrees."""
    since = now - ENROL_WINDOW
    for overall, limit in ((False, ENROL_FAILURES_PER_CLIENT), (True, ENROL_FAILURES_OVERALL)):
        q = select(EnrolFailure.at_utc).where(EnrolFailure.at_utc > since)
        if not overall:
            q = q.where(EnrolFailure.client == client)
        # The limit-th newest failure: once it leaves the window, fewer than `limit` remain.
        nth = s.scalar(q.order_by(EnrolFailure.at_utc.desc()).offset(limit - 1).limit(1))
        if nth is not None:
            wait = (nth + ENROL_WINDOW - now).total_seconds()
            raise TooManyAttempts(max(1, int(wait) + 1), overall)


def note_enrol_failure(s: Session, client: str, now: datetime) -> None:
    """Count one wrong code; failures older than the window are no longer needed."""
    s.execute(delete(EnrolFailure).where(EnrolFailure.at_utc <= now - ENROL_WINDOW))
    s.add(EnrolFailure(at_utc=now, client=client[:64]))
