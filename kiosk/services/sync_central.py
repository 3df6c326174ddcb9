"""The central side of sync: enrolment, device tokens, push ingest and pull deltas.

Stateless: every call reads what it needs from the database, and a record pushed twice is
stored once because of its UUID primary key (INSERT ... ON CONFLICT DO NOTHING), never
because a server remembered it. Several server processes can run on one PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kiosk.adapters.db.engine import make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import (
    Group,
    Guest,
    Member,
    QueuedSurvey,
    SurveyRespondent,
    SyncChange,
    SyncKiosk,
    SyncReceipt,
    SyncState,
    UTCDateTime,
    Visit,
)
from kiosk.adapters.db.outbox import KIND_ORDER, MODEL_OF
from kiosk.config import Settings
from kiosk.domain.cards import Keyring
from kiosk.services.sync_records import RecordError, from_wire, row_to_wire, to_wire

CODE_LIFETIME = timedelta(hours=24)
CLOCK_TOLERANCE = timedelta(minutes=10)
PULL_PAGE = 2000
PEER_WINDOW = timedelta(hours=12)  # how far back a kiosk hears of its site's other visits
MAX_BATCH = 2000
OPEN_PROMPT = ("pending", "shown")


class StoreRefused(RuntimeError):
    """The database driver refused a batch (for example a NUL character in a text)."""


class SyncAuthError(PermissionError):
    """A device token that is unknown or revoked: the kiosk must be enrolled again."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- central role and enrolment ---------------------------------------------------------------


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


# --- push ------------------------------------------------------------------------------------


def _insert(s: Session, model: type, rows: list[dict[str, Any]], key: str = "id") -> set[Any]:
    """Insert rows that are not there yet; the keys of the rows inserted."""
    if not rows:
        return set()
    if s.get_bind().dialect.name == "postgresql":
        return _insert_pg(s, model, rows, key)
    col = getattr(model, key)
    stmt = sqlite.insert(model).on_conflict_do_nothing(index_elements=[key]).returning(col)
    return set(s.scalars(stmt, rows).all())


def _insert_pg(s: Session, model: type, rows: list[dict[str, Any]], key: str) -> set[Any]:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING. A multi-row
    INSERT of the same 500 visits and receipts took 0.51 s against 0.11 s (profiled on this
    machine): the driver parses its long statement anew for every batch."""
    table = model.__table__
    cols = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    cols = [c for c in cols if any(c.key in r for r in rows[:1]) or c.default is not None]
    stage = f"_in_{table.name}"
    names = ", ".join(c.name for c in cols)
    s.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
    )
    naive = [isinstance(c.type, UTCDateTime) for c in cols]
    defaults = [
        c.default.arg if c.default is not None and c.key not in rows[0] else None for c in cols
    ]
    raw = s.connection().connection.driver_connection
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
                for r in rows:
                    values = []
                    for c, is_time, default in zip(cols, naive, defaults, strict=True):
                        v = r.get(c.key)
                        if v is None and default is not None:
                            v = default(None) if callable(default) else default
                        if is_time and v is not None:
                            v = v.astimezone(UTC).replace(tzinfo=None)
                        values.append(v)
                    copy.write_row(values)
            cur.execute(
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "
                f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
            )
            new = {row[0] for row in cur.fetchall()}
            cur.execute(f"DELETE FROM {stage}")
    except psycopg.Error as e:  # raised by the driver itself, outside SQLAlchemy
        raise StoreRefused(" ".join(str(e).split())) from e
    return new


def _record_time(kind: str, row: dict[str, Any]) -> datetime | None:
    for key in ("at_utc", "created_at", "queued_at"):
        if row.get(key) is not None:
            return row[key]
    return None


@dataclass
class _Item:
    index: int
    kind: str
    row: dict[str, Any]
    meta: dict[str, Any]
    flags: list[str]


def push(s: Session, kiosk: SyncKiosk, body: Any) -> dict[str, Any]:
    """Store a batch: one answer per item (stored, duplicate or refused), in one transaction."""
    now = utcnow()
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise RecordError("a push is {items: [...]}")
    items_in = body["items"]
    if len(items_in) > MAX_BATCH:
        raise RecordError(f"at most {MAX_BATCH} items per push")
    if isinstance(body.get("status"), dict):
        note_status(kiosk, body["status"], now)
    kiosk.last_contact = now
    answers: list[dict[str, Any] | None] = [None] * len(items_in)
    good: list[_Item] = []
    for i, item in enumerate(items_in):
        rid = item.get("record", {}).get("id") if isinstance(item, dict) else None
        try:
            good.append(_check_item(i, item, kiosk, now))
        except RecordError as e:
            answers[i] = {"id": rid, "status": "refused", "error": str(e)}
    good.sort(key=lambda it: (KIND_ORDER[it.kind], it.index))
    try:
        with s.begin_nested():
            _store(s, kiosk, good, answers, now, whole=True)
    except (DBAPIError, StoreRefused):
        # One item the database refuses: store the rest one by one and name the bad one.
        for it in good:
            answers[it.index] = None
        _store(s, kiosk, good, answers, now, whole=False)
    return {"results": answers, "server_time": now.isoformat()}


def _check_item(i: int, item: Any, kiosk: SyncKiosk, now: datetime) -> _Item:
    if not isinstance(item, dict) or item.get("kind") not in MODEL_OF:
        raise RecordError(f"unknown kind {item.get('kind') if isinstance(item, dict) else item!r}")
    kind = item["kind"]
    row = from_wire(MODEL_OF[kind], item.get("record"))
    if "site" in row and row["site"] != kiosk.site:
        raise RecordError(f"site {row['site']} is not this kiosk's site ({kiosk.site})")
    if "kiosk_id" in row and row["kiosk_id"] != kiosk.kiosk_id:
        raise RecordError(f"kiosk {row['kiosk_id']} is not this kiosk ({kiosk.kiosk_id})")
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    flags = []
    when = _record_time(kind, row)
    if when is not None and when > now + CLOCK_TOLERANCE:
        flags.append("future")
    if kiosk.clock_flag:
        flags.append("clock_off")
    return _Item(i, kind, row, meta, flags)


def _store(
    s: Session,
    kiosk: SyncKiosk,
    items: list[_Item],
    answers: list[dict[str, Any] | None],
    now: datetime,
    whole: bool,
) -> None:
    groups: list[list[_Item]] = [items] if whole else [[it] for it in items]
    for chunk in groups:
        try:
            with s.begin_nested():
                _store_chunk(s, kiosk, chunk, answers, now)
        except (DBAPIError, StoreRefused) as e:
            if whole:
                raise
            it = chunk[0]
            reason = " ".join(str(getattr(e, "orig", e)).split())[:200]
            answers[it.index] = {"id": str(it.row["id"]), "status": "refused", "error": reason}


def _store_chunk(
    s: Session,
    kiosk: SyncKiosk,
    items: list[_Item],
    answers: list[dict[str, Any] | None],
    now: datetime,
) -> None:
    by_kind: dict[str, list[_Item]] = {}
    for it in items:
        by_kind.setdefault(it.kind, []).append(it)
    for kind in sorted(by_kind, key=KIND_ORDER.__getitem__):
        chunk = by_kind[kind]
        dropped: set[int] = set()
        if kind == "visit":
            _check_visit_refs(s, chunk)
        elif kind == "survey_answer":
            known = _existing(s, SurveyRespondent, {it.row["respondent_id"] for it in chunk})
            for it in chunk:
                if it.row["respondent_id"] not in known:
                    answers[it.index] = {
                        "id": str(it.row["id"]),
                        "status": "refused",
                        "error": "survey answer of an unknown respondent",
                    }
                    dropped.add(it.index)
        elif kind == "survey_queue":
            known = _existing(s, Member, {it.row["member_id"] for it in chunk})
            for it in chunk:
                if it.row["member_id"] not in known:  # member erased centrally: nothing to keep
                    answers[it.index] = {"id": str(it.row["id"]), "status": "duplicate"}
                    dropped.add(it.index)
        chunk = [it for it in chunk if it.index not in dropped]
        new = _insert(s, MODEL_OF[kind], [it.row for it in chunk])
        if kind == "survey_queue":
            _update_prompts(s, [it for it in chunk if it.row["id"] not in new])
        receipts = [
            {
                "record_id": it.row["id"],
                "kind": kind,
                "site": kiosk.site,
                "kiosk_id": kiosk.kiosk_id,
                "kiosk_time": _record_time(kind, it.row),
                "received_at": now,
                "flags": ",".join(dict.fromkeys(it.flags)),
            }
            for it in chunk
        ]
        _insert(s, SyncReceipt, receipts, key="record_id")
        for it in chunk:
            status = "stored" if it.row["id"] in new else "duplicate"
            answers[it.index] = {"id": str(it.row["id"]), "status": status}
            if it.flags:
                answers[it.index]["flags"] = it.flags


def _existing(s: Session, model: type, ids: set[Any]) -> set[Any]:
    ids.discard(None)
    if not ids:
        return set()
    return set(s.scalars(select(model.id).where(model.id.in_(ids))).all())


def _check_visit_refs(s: Session, items: list[_Item]) -> None:
    """Visits are facts: a reference the central database lacks is dropped and flagged, a
    card revoked or a member suspended meanwhile is flagged; the visit is always kept."""
    member_ids = {it.row.get("member_id") for it in items} - {None}
    members = {}
    if member_ids:
        q = select(Member.id, Member.card_seq, Member.suspended).where(Member.id.in_(member_ids))
        members = {mid: (seq, susp) for mid, seq, susp in s.execute(q)}
    groups = _existing(s, Group, {it.row.get("group_id") for it in items})
    guests = _existing(s, Guest, {it.row.get("guest_id") for it in items})
    for it in items:
        row = it.row
        if row.get("member_id") is not None:
            known = members.get(row["member_id"])
            if known is None:
                row["member_id"] = None
                it.flags.append("unknown_member")
            else:
                seen = it.meta.get("card_seq")
                if isinstance(seen, int) and seen < known[0]:
                    it.flags.append("revoked_card")
                if known[1]:
                    it.flags.append("suspended")
        for key, found, flag in (
            ("group_id", groups, "unknown_group"),
            ("guest_id", guests, "unknown_guest"),
        ):
            if row.get(key) is not None and row[key] not in found:
                row[key] = None
                it.flags.append(flag)


def _update_prompts(s: Session, items: list[_Item]) -> None:
    """A prompt already here moves on (shown, answered, skipped), never back to pending."""
    for it in items:
        status = it.row["status"]
        if status == "pending":
            continue
        s.execute(
            update(QueuedSurvey)
            .where(QueuedSurvey.id == it.row["id"], QueuedSurvey.status.in_(OPEN_PROMPT))
            .where(QueuedSurvey.status != status)
            .values(status=status, elements=it.row["elements"])
        )


# --- pull ------------------------------------------------------------------------------------


def pull(
    s: Session,
    kiosk: SyncKiosk,
    since: int,
    peers_since: datetime | None,
    keys_fingerprint: str | None,
    key_file: Path,
    layout_fingerprint: str | None = None,
    layout_file: Path | None = None,
) -> dict[str, Any]:
    """Members and the site's groups changed after `since` (the server sequence), the card
    keys and the layout when they changed, and the site's other kiosks' recent visits."""
    now = utcnow()
    kiosk.last_contact = now
    changes = s.execute(
        select(SyncChange.seq, SyncChange.kind, SyncChange.record_id)
        .where(SyncChange.seq > since)
        .order_by(SyncChange.seq)
        .limit(PULL_PAGE)
    ).all()
    cursor = changes[-1].seq if changes else since
    wanted: dict[str, set[uuid.UUID]] = {"member": set(), "group": set()}
    for _seq, kind, rid in changes:
        wanted[kind].add(rid)
    members = (
        s.scalars(select(Member).where(Member.id.in_(wanted["member"]))).all()
        if wanted["member"]
        else []
    )
    groups = (
        s.scalars(select(Group).where(Group.id.in_(wanted["group"]))).all()
        if wanted["group"]
        else []
    )
    here = [g for g in groups if g.site == kiosk.site]
    gone_members = wanted["member"] - {m.id for m in members}
    gone_groups = wanted["group"] - {g.id for g in here}
    out: dict[str, Any] = {
        "cursor": cursor,
        "more": len(changes) == PULL_PAGE,
        "members": [_member_wire(m) for m in members],
        "groups": [to_wire(g) for g in here],
        "deleted": {
            "member": sorted(str(i) for i in gone_members),
            "group": sorted(str(i) for i in gone_groups),
        },
        "server_time": now.isoformat(),
    }
    keys = keys_message(key_file)
    if keys["fingerprint"] != keys_fingerprint:
        out["keys"] = keys
    if layout_file is not None:
        layout = layout_message(layout_file)
        if layout["fingerprint"] != layout_fingerprint:
            out["layout"] = layout
    out["peers"], out["peers_cursor"] = _peer_visits(s, kiosk, peers_since, now)
    return out


def _member_wire(m: Member) -> dict[str, Any]:
    data = to_wire(m)
    data.pop("created_at", None)
    data.pop("updated_at", None)
    return data


def _peer_visits(
    s: Session, kiosk: SyncKiosk, since: datetime | None, now: datetime
) -> tuple[list[dict[str, Any]], str]:
    """Visits of the other kiosks of this site received lately. The cursor overlaps by a
    minute (a slower transaction may commit an earlier receipt time); the kiosk ignores
    visits it already has."""
    start = max(since - timedelta(minutes=1), now - PEER_WINDOW) if since else now - PEER_WINDOW
    cols = [c for c in Visit.__table__.columns]
    q = (
        select(*cols, SyncReceipt.received_at)
        .join(SyncReceipt, SyncReceipt.record_id == Visit.id)
        .where(
            SyncReceipt.site == kiosk.site,
            SyncReceipt.kind == "visit",
            SyncReceipt.kiosk_id != kiosk.kiosk_id,
            SyncReceipt.received_at > start,
            Visit.at_utc > now - PEER_WINDOW,
            (Visit.member_id.is_not(None)) | (Visit.group_id.is_not(None)),
        )
        .order_by(SyncReceipt.received_at)
        .limit(5000)
    )
    rows = s.execute(q).mappings().all()
    latest = max((r["received_at"] for r in rows), default=start)
    peers = [row_to_wire({c.key: r[c.key] for c in cols}) for r in rows]
    return peers, latest.isoformat()


# --- numbers ----------------------------------------------------------------------------------


def receipt_count(s: Session) -> int:
    return s.scalar(select(func.count(SyncReceipt.seq))) or 0


# --- the central database as the server uses it ----------------------------------------------


class CentralDatabase:
    """One transaction per request; nothing is kept between requests but the engine."""

    def __init__(self, engine: Engine, key_file: Path, layout_file: Path | None = None) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.key_file = key_file
        self.layout_file = layout_file

    @classmethod
    def open(cls, settings: Settings) -> CentralDatabase:
        engine = make_engine(settings.database_url)
        current, head = schema_status(engine)
        if current != head:
            engine.dispose()
            raise ValueError(f"the central database is not at schema {head}: run `kiosk init`")
        Keyring.load(settings.key_file)  # no keys, no enrolment: say so at start
        db = cls(engine, settings.key_file, settings.layout_file)
        with db.sessions() as s, s.begin():
            make_central(s)
        return db

    def close(self) -> None:
        self.engine.dispose()

    def enroll(self, code: str) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            return enroll(s, code, self.key_file)

    def status(self, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            kiosk = authenticate(s, token)
            now = utcnow()
            note_status(kiosk, body, now)
            return {
                "server_time": now.isoformat(),
                "clock_offset_s": kiosk.clock_offset_s,
                "clock_flag": kiosk.clock_flag,
            }

    def push(self, token: str | None, body: Any) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            return push(s, authenticate(s, token), body)

    def pull(
        self,
        token: str | None,
        since: int,
        peers_since: datetime | None,
        keys_fingerprint: str | None,
        layout_fingerprint: str | None = None,
    ) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            kiosk = authenticate(s, token)
            return pull(
                s,
                kiosk,
                since,
                peers_since,
                keys_fingerprint,
                self.key_file,
                layout_fingerprint,
                self.layout_file,
            )
