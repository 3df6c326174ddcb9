"""Push ingest on the central side: a batch of records stored by their UUIDs, one answer
per item (stored, duplicate, refused), in one transaction.

A record pushed twice is stored once because of its primary key (INSERT ... ON CONFLICT DO
NOTHING), never because a server remembered it; a bad item is refused alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import (
    Group,
    Guest,
    Member,
    QueuedSurvey,
    SurveyRespondent,
    SyncKiosk,
    SyncReceipt,
    UTCDateTime,
)
from kiosk.adapters.db.outbox import KIND_ORDER, MODEL_OF
from kiosk.services.sync_enrolment import (
    CLOCK_TOLERANCE,
    note_status,
    utcnow,
)
from kiosk.services.sync_records import RecordError, from_wire

MAX_BATCH = 2000
GUEST_COPIES = ("gender", "origin_code", "purpose")  # a guest's answers, kept on its visit
OPEN_PROMPT = ("pending", "shown")


class StoreRefused(RuntimeError):
    """The database driver refused a batch (for example a NUL character in a text)."""


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
        cols = (Member.id, Member.card_seq, Member.suspended, Member.gender)
        q = select(*cols).where(Member.id.in_(member_ids))
        members = {mid: (seq, susp, gender) for mid, seq, susp, gender in s.execute(q)}
    groups = _existing(s, Group, {it.row.get("group_id") for it in items})
    guest_ids = {it.row.get("guest_id") for it in items} - {None}
    guests: dict[Any, tuple[str, str | None, str]] = {}
    if guest_ids:
        q = select(Guest.id, Guest.gender, Guest.origin_code, Guest.purpose)
        guests = {gid: (g, o, p) for gid, g, o, p in s.execute(q.where(Guest.id.in_(guest_ids)))}
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
                if row.get("gender") is None:  # a kiosk older than the gender on visits
                    row["gender"] = known[2]
        if row.get("guest_id") in guests:  # a kiosk older than these columns on visits
            for key, value in zip(GUEST_COPIES, guests[row["guest_id"]], strict=True):
                if row.get(key) is None:
                    row[key] = value
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
