"""Push ingest on the central side: a batch of records stored by their UUIDs, one answer
per item (stored, duplicate, refused), in one transaction.

A record pushed twice is stored once because of its primary key (INSERT ... ON CONFLICT DO
NOTHING), never because a server remembered it; a bad item is refused alone. A record sent
again after the kiosk purged or unlinked it makes the central copy forget the same (a guest's
personal fields, a visit's member link, a refusal excerpt, a closed survey prompt), never the
other way round; a member erased on a kiosk is erased here too, and from here every kiosk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Uuid, any_, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import (
    Group,
    Guest,
    Member,
    QueuedSurvey,
    RefusedScan,
    SurveyRespondent,
    SyncKiosk,
    SyncReceipt,
    UTCDateTime,
    Visit,
)
from kiosk.adapters.db.outbox import ERASURE, KIND_ORDER, MODEL_OF
from kiosk.services.audit import log_access
from kiosk.services.members import erase_member
from kiosk.services.sync_enrolment import (
    CLOCK_TOLERANCE,
    note_status,
    utcnow,
)
from kiosk.services.sync_records import RecordError, from_wire

MAX_BATCH = 2000
GUEST_COPIES = ("gender", "origin_code", "purpose")  # a guest's answers, kept on its visit
OPEN_PROMPT = ("pending", "shown")
BLANKED = ("(purged)", "(erased)")  # a refusal excerpt a purge or an erasure replaced
TRANSIENT = {"40P01", "40001", "55P03"}  # PostgreSQL's codes: see _transient


class StoreRefused(RuntimeError):
    """The database driver refused a batch (for example a NUL character in a text)."""


def _insert(s: Session, model: type, rows: list[dict[str, Any]], key: str = "id") -> set[Any]:
    """Insert rows that are not there yet; the keys of the rows inserted."""
    if not rows:
        return set()
    col = getattr(model, key)
    stmt = sqlite.insert(model).on_conflict_do_nothing(index_elements=[key]).returning(col)
    return set(s.scalars(stmt, rows).all())


@dataclass(frozen=True)
class _Receipts:
    """What every receipt of one chunk shares: its kind, who sent it, when it arrived."""

    kind: str
    site: str
    kiosk_id: str
    received_at: datetime


STAGED = "kiosk_stage_tables"  # in the pooled connection's info: its staging tables exist


def prepare_connection(dbapi_conn: Any, record: Any) -> None:
    """On each new PostgreSQL connection of the server, once: the staging tables the push
    copies into (emptied at every commit), so a push does not create them again."""
    with dbapi_conn.cursor() as cur:
        for model in MODEL_OF.values():
            cur.execute(_stage_ddl(model.__table__.name))
    dbapi_conn.commit()
    record.info[STAGED] = True


def _stage_ddl(table: str) -> str:
    return (
        f"CREATE TEMP TABLE IF NOT EXISTS _in_{table} "
        f"(LIKE {table} INCLUDING DEFAULTS, _flags varchar(80)) ON COMMIT DELETE ROWS"
    )


def _insert_pg(
    s: Session, model: type, rows: list[dict[str, Any]], receipts: _Receipts, flags: list[str]
) -> set[Any]:
    """COPY the records (and their receipts' flags) into a temporary table, then one
    statement stores the new records and every receipt, and empties the staging table.
    A multi-row INSERT of 500 visits and receipts took 0.51 s against 0.11 s for COPY and
    INSERT ... SELECT; building the receipts from the staged records saves a second COPY and
    three statements per batch (tools/bench_ingest.py, README "Scale, measured")."""
    table = model.__table__
    # Every key of any record: a kiosk older than a column leaves it out of some rows only.
    keys = set().union(*rows)
    cols = [c for c in table.columns if c.key in keys or c.default is not None]
    stage = f"_in_{table.name}"
    names = ", ".join(c.name for c in cols)
    times = [c for c in ("at_utc", "created_at", "queued_at") if c in table.columns]
    kiosk_time = f"COALESCE({', '.join(times)})" if times else "NULL"
    conn = s.connection()
    if not conn.info.get(STAGED):  # a connection the server did not prepare
        s.execute(text(_stage_ddl(table.name)))
    naive = [isinstance(c.type, UTCDateTime) for c in cols]
    defaults = [
        c.default.arg if c.default is not None and c.key not in rows[0] else None for c in cols
    ]
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY {stage} ({names}, _flags) FROM STDIN") as copy:
                for r, flag in zip(rows, flags, strict=True):
                    values = []
                    for c, is_time, default in zip(cols, naive, defaults, strict=True):
                        v = r.get(c.key)
                        if v is None and default is not None:
                            v = default(None) if callable(default) else default
                        if is_time and v is not None:
                            v = v.astimezone(UTC).replace(tzinfo=None)
                        values.append(v)
                    values.append(flag)
                    copy.write_row(values)
            cur.execute(
                f"WITH new AS (INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "
                f"  ON CONFLICT (id) DO NOTHING RETURNING id), "
                f"receipts AS (INSERT INTO sync_receipts "
                f"  (record_id, kind, site, kiosk_id, kiosk_time, received_at, flags) "
                f"  SELECT id, %s, %s, %s, {kiosk_time}, %s, _flags FROM {stage} "
                f"  ON CONFLICT (record_id) DO NOTHING), "
                # Every part of one statement reads the same snapshot: the inserts above
                # still see the staged rows this empties (for the next chunk, if any).
                f"emptied AS (DELETE FROM {stage}) "
                f"SELECT id FROM new",
                (
                    receipts.kind,
                    receipts.site,
                    receipts.kiosk_id,
                    receipts.received_at.astimezone(UTC).replace(tzinfo=None),
                ),
            )
            new = {row[0] for row in cur.fetchall()}
    except psycopg.Error as e:  # raised by the driver itself, outside SQLAlchemy
        raise StoreRefused(" ".join(str(e).split())) from e
    return new


def _store_records(s: Session, kind: str, items: list[_Item], receipts: _Receipts) -> set[Any]:
    """Store the records not there yet, and a receipt for each; the ids stored now."""
    rows = [it.row for it in items]
    flags = [",".join(dict.fromkeys(it.flags)) for it in items]
    if not rows:
        return set()
    if s.get_bind().dialect.name == "postgresql":
        return _insert_pg(s, MODEL_OF[kind], rows, receipts, flags)
    new = _insert(s, MODEL_OF[kind], rows)
    receipt_rows = [
        {
            "record_id": row["id"],
            "kind": kind,
            "site": receipts.site,
            "kiosk_id": receipts.kiosk_id,
            "kiosk_time": _record_time(kind, row),
            "received_at": receipts.received_at,
            "flags": flag,
        }
        for row, flag in zip(rows, flags, strict=True)
    ]
    _insert(s, SyncReceipt, receipt_rows, key="record_id")
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
    if s.get_bind().dialect.name == "postgresql":
        # Pushes of one site share the day's visit counts (rows kept by triggers on visits),
        # so they wait for each other anyway; one at a time, a push storing item by item
        # (below) never deadlocks with another, which cost a second per item.
        s.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"push {kiosk.site}"}
        )
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
    if not isinstance(item, dict) or item.get("kind") not in KIND_ORDER:
        raise RecordError(f"unknown kind {item.get('kind') if isinstance(item, dict) else item!r}")
    kind = item["kind"]
    if kind == ERASURE:
        record = item.get("record")
        try:
            return _Item(i, kind, {"id": uuid.UUID(record["id"])}, {}, [])
        except (TypeError, KeyError, ValueError, AttributeError):
            raise RecordError("an erasure names a member id") from None
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
    if whole:  # the caller's savepoint holds the batch
        _store_chunk(s, kiosk, items, answers, now)
        return
    for chunk in [[it] for it in items]:
        try:
            with s.begin_nested():
                _store_chunk(s, kiosk, chunk, answers, now)
        except (DBAPIError, StoreRefused) as e:
            it = chunk[0]
            if _transient(e):  # no answer: the kiosk sends it again, it is not set aside
                continue
            reason = " ".join(str(getattr(e, "orig", e)).split())[:200]
            answers[it.index] = {"id": str(it.row["id"]), "status": "refused", "error": reason}


def _transient(e: Exception) -> bool:
    """Another transaction's locks, not the record: a deadlock (two pushes of one site take
    the day's count rows, kept by triggers on visits, in another order), a serialization
    failure, a lock not available."""
    cause = getattr(e, "orig", None) or e.__cause__
    return getattr(cause, "sqlstate", None) in TRANSIENT


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
        if kind == ERASURE:
            _erase(s, kiosk, chunk, answers, now)
            continue
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
        new = _store_records(s, kind, chunk, _Receipts(kind, kiosk.site, kiosk.kiosk_id, now))
        _forget(s, kind, [it.row for it in chunk if it.row["id"] not in new], now)
        for it in chunk:
            status = "stored" if it.row["id"] in new else "duplicate"
            answers[it.index] = {"id": str(it.row["id"]), "status": status}
            if it.flags:
                answers[it.index]["flags"] = it.flags


def _among(s: Session, col: Any, ids: set[Any]) -> ColumnElement[bool]:
    """`col IN ids`; on PostgreSQL as one array parameter, so a batch of 1,000 ids is not
    a new 1,000-parameter statement to compile and plan each time."""
    if s.get_bind().dialect.name == "postgresql":
        return col == any_(bindparam("ids", list(ids), type_=postgresql.ARRAY(Uuid())))
    return col.in_(ids)


def _existing(s: Session, model: type, ids: set[Any]) -> set[Any]:
    ids.discard(None)
    if not ids:
        return set()
    return set(s.scalars(select(model.id).where(_among(s, model.id, ids))).all())


def _check_visit_refs(s: Session, items: list[_Item]) -> None:
    """Visits are facts: a reference the central database lacks is dropped and flagged, a
    card revoked or a member suspended meanwhile is flagged; the visit is always kept."""
    member_ids = {it.row.get("member_id") for it in items} - {None}
    members = {}
    if member_ids:
        cols = (Member.id, Member.card_seq, Member.suspended, Member.gender)
        q = select(*cols).where(_among(s, Member.id, member_ids))
        members = {mid: (seq, susp, gender) for mid, seq, susp, gender in s.execute(q)}
    groups = _existing(s, Group, {it.row.get("group_id") for it in items})
    guest_ids = {it.row.get("guest_id") for it in items} - {None}
    guests: dict[Any, tuple[str, str | None, str]] = {}
    if guest_ids:
        q = select(Guest.id, Guest.gender, Guest.origin_code, Guest.purpose)
        q = q.where(_among(s, Guest.id, guest_ids))
        guests = {gid: (g, o, p) for gid, g, o, p in s.execute(q)}
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


def _forget(s: Session, kind: str, rows: list[dict[str, Any]], now: datetime) -> None:
    """Records already here, sent again after the kiosk purged, unlinked, blanked or closed
    them: the central copy forgets the same. Only ever towards less (a purge is never undone),
    so the same item any number of times, in any order, ends the same."""
    if not rows:
        return
    if kind == "guest":
        purged = [r["id"] for r in rows if r.get("purged_at") is not None]
        if purged:
            s.execute(
                update(Guest)
                .where(Guest.id.in_(purged), Guest.purged_at.is_(None))
                .values(name=None, origin_other=None, institution=None, purged_at=now)
            )
    elif kind == "visit":
        unlinked = [r["id"] for r in rows if r.get("member_id") is None]
        if unlinked:
            s.execute(
                update(Visit)
                .where(Visit.id.in_(unlinked), Visit.member_id.is_not(None))
                .values(member_id=None)
            )
    elif kind == "refused_scan":
        for mark in BLANKED:
            ids = [r["id"] for r in rows if r.get("excerpt") == mark]
            if ids:
                s.execute(
                    update(RefusedScan)
                    .where(RefusedScan.id.in_(ids), RefusedScan.excerpt.not_in(BLANKED))
                    .values(excerpt=mark)
                )
    elif kind == "survey_queue":
        _update_prompts(s, rows)


def _erase(
    s: Session,
    kiosk: SyncKiosk,
    items: list[_Item],
    answers: list[dict[str, Any] | None],
    now: datetime,
) -> None:
    """Members erased on a kiosk (UU 27/2022): erased here too, which every kiosk then pulls.
    Already gone (sent twice, or never known here) is a duplicate, a success."""
    for it in items:
        number = s.scalar(select(Member.number).where(Member.id == it.row["id"]))
        status = "duplicate"
        if number is not None:
            erase_member(s, number)
            actor = f"kiosk {kiosk.kiosk_id}"
            log_access(s, now, kiosk.site, "erase", f"member {number}", 1, "server", actor)
            status = "stored"
        answers[it.index] = {"id": str(it.row["id"]), "status": status}


def _update_prompts(s: Session, rows: list[dict[str, Any]]) -> None:
    """A prompt already here moves on (shown, answered, skipped), never back to pending."""
    for row in rows:
        status = row["status"]
        if status == "pending":
            continue
        s.execute(
            update(QueuedSurvey)
            .where(QueuedSurvey.id == row["id"], QueuedSurvey.status.in_(OPEN_PROMPT))
            .where(QueuedSurvey.status != status)
            .values(status=status, elements=row["elements"])
        )
