"""The kiosk side of sync: enrolment, the push of the outbox, the pull of deltas, the worker.

The kiosk never waits for the network: check-ins write to SQLite (and the outbox) as always,
and this worker, on its own thread or as `kiosk sync`, sends and fetches when it can.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker

from kiosk.adapters.db.engine import checkpoint, make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import (
    Group,
    Member,
    OutboxItem,
    PeerVisit,
    SyncState,
    Visit,
)
from kiosk.adapters.db.outbox import ERASURE, MODEL_OF
from kiosk.adapters.http.client import CentralClient, ServerRefused, ServerUnavailable
from kiosk.config import ConfigError, Settings
from kiosk.domain.cards import Keyring
from kiosk.domain.clock import Clock
from kiosk.services.members import erase_member
from kiosk.services.sync_deltas import PEER_WINDOW
from kiosk.services.sync_joining import (
    NotEnrolled,
    SyncStatus,
    _save_keys,
    _save_layout,
    enroll,
    kiosk_version,
    layout_path,
    quarantined_items,
    status_of,
    sync_status,
    token_path,
)
from kiosk.services.sync_records import RecordError, from_wire, row_to_wire

__all__ = [
    "KioskSync",
    "NotEnrolled",
    "ServerRefused",
    "ServerUnavailable",
    "SyncStatus",
    "enroll",
    "layout_path",
    "quarantined_items",
    "status_of",
    "sync_status",
]

log = logging.getLogger(__name__)
BATCH = 1000
PEER_COLUMNS = [c.key for c in PeerVisit.__table__.columns]


class KioskSync:
    """One kiosk's conversation with the central server."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock | None = None,
        camera: Callable[[], str | None] = lambda: None,
        batch: int = BATCH,
        timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        self.clock = clock or Clock()
        self.camera = camera
        self.batch = batch
        with self.sessions() as s:
            state = s.get(SyncState, 1)
        if state is None or state.role != "kiosk":
            raise NotEnrolled("this kiosk is not enrolled: run `kiosk enroll URL CODE`")
        if (state.site, state.kiosk_id) != (settings.site, settings.kiosk_id):
            raise NotEnrolled(
                f"this kiosk was enrolled as {state.kiosk_id} at {state.site}, but its settings "
                f"say {settings.kiosk_id} at {settings.site}: set kiosk.id and kiosk.site to match"
            )
        try:
            token = token_path(settings).read_text().strip()
        except FileNotFoundError:
            raise NotEnrolled(f"{token_path(settings)} is missing: enrol again") from None
        self.server = state.server_url or ""
        self.client = CentralClient(self.server, token, timeout=timeout)
        self.keys_changed: Callable[[Keyring], None] | None = None  # the kiosk app reloads
        self._engine: Engine | None = None

    @classmethod
    def open(cls, settings: Settings, **kw: Any) -> KioskSync:
        """A KioskSync on the kiosk's own database (closed with it)."""
        engine = make_engine(settings.database_url)
        current, head = schema_status(engine)
        if current != head:
            engine.dispose()
            raise NotEnrolled("the kiosk database is not ready: run `kiosk init`")
        try:
            sync = cls(settings, engine, **kw)
        except Exception:
            engine.dispose()
            raise
        sync._engine = engine
        return sync

    def close(self) -> None:
        self.client.close()
        if self._engine is not None:
            self._engine.dispose()

    def status_message(self, s: Session) -> dict[str, Any]:
        st = sync_status(s)
        try:
            free = shutil.disk_usage(self.settings.data_dir).free // 2**20
        except OSError:
            free = None
        return {
            "version": kiosk_version(),
            "queued": st.queued,
            "quarantined": st.quarantined,
            "camera": self.camera() or "unknown",
            "free_disk_mb": free,
            "kiosk_time": self.clock.now().isoformat(),
        }

    def cycle(self) -> dict[str, Any]:
        """Push everything queued, then pull what changed. Network trouble raises
        ServerUnavailable (nothing lost); a revoked token raises ServerRefused."""
        try:
            with self.sessions() as s:
                status = self.status_message(s)
            self.client.post("/status", status)  # last contact, queue, camera, disk, clock
            pushed = self.push_all()
            pulled = self.pull_all()
        except (ServerUnavailable, ServerRefused) as e:
            self._note_error(e)
            raise
        self._note_error(None)
        return {"push": pushed, "pull": pulled}

    def _note_error(self, error: Exception | None) -> None:
        """The last round's trouble, sorted for staff (see SYNC_PROBLEMS), with its time;
        cleared by a round that went through."""
        values: dict[str, Any] = {"last_error": None, "last_error_at": None}
        if error is not None:
            kind = "offline"
            if isinstance(error, ServerRefused):
                kind = "enrolment" if error.status == 401 else "refused"
            values = {"last_error": f"{kind}: {error}"[:300], "last_error_at": self.clock.now()}
        with self.sessions() as s, s.begin():
            s.execute(update(SyncState).where(SyncState.id == 1).values(**values))

    def push_all(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        while True:
            sent = self.push_batch()
            totals.update(sent)
            if sent["batch"] < self.batch:
                break
        totals.pop("batch", None)
        return {k: totals[k] for k in ("stored", "duplicate", "refused", "gone")}

    def push_batch(self) -> Counter[str]:
        """One batch from the head of the queue; quarantined items are left aside."""
        counts: Counter[str] = Counter()
        with self.sessions() as s:
            rows = s.execute(
                select(OutboxItem.id, OutboxItem.kind, OutboxItem.record_id, OutboxItem.meta)
                .where(OutboxItem.quarantined.is_(False))
                .order_by(OutboxItem.id)
                .limit(self.batch)
            ).all()
            counts["batch"] = len(rows)
            records: dict[tuple[str, Any], dict[str, Any]] = {}
            by_kind: dict[str, set[Any]] = {}
            for _oid, kind, rid, _meta in rows:
                by_kind.setdefault(kind, set()).add(rid)
            for kind, ids in by_kind.items():
                if kind == ERASURE:  # the member is gone here: the server needs only the id
                    records.update(((kind, i), {"id": str(i)}) for i in ids)
                    continue
                model = MODEL_OF.get(kind)
                if model is None:
                    continue
                table = model.__table__
                for row in s.execute(select(table).where(table.c.id.in_(ids))).mappings():
                    records[(kind, row["id"])] = row_to_wire(row)
            status = self.status_message(s) if rows else None
        if not rows:
            return counts
        items: list[dict[str, Any]] = []
        keys: list[tuple[str, Any]] = []
        outbox_ids: dict[tuple[str, Any], list[int]] = {}
        gone: list[int] = []
        for oid, kind, rid, meta in rows:
            key = (kind, rid)
            if key not in records:  # erased or deleted since (a prompt of an erased member)
                gone.append(oid)
            elif key in outbox_ids:  # changed twice: its newest state goes once
                outbox_ids[key].append(oid)
            else:
                outbox_ids[key] = [oid]
                item = {"kind": kind, "record": records[key]}
                if meta:
                    item["meta"] = json.loads(meta)
                items.append(item)
                keys.append(key)
        results: list[Any] = []
        if items:
            answer = self.client.post("/push", {"items": items, "status": status})
            results = answer.get("results") or []
        done: list[int] = list(gone)
        counts["gone"] = len(gone)
        refused: list[tuple[list[int], str]] = []
        for i, key in enumerate(keys):
            ids = outbox_ids[key]
            result = results[i] if i < len(results) else None
            if not isinstance(result, dict) or result.get("id") != str(key[1]):
                continue  # no answer for it: stays queued, sent again next time
            if result.get("status") in ("stored", "duplicate"):
                done.extend(ids)
                counts[result["status"]] += 1
            elif result.get("status") == "refused":
                refused.append((ids, str(result.get("error") or "refused")[:300]))
                counts["refused"] += 1
        with self.sessions() as s, s.begin():
            if done:
                s.execute(delete(OutboxItem).where(OutboxItem.id.in_(done)))
            for ids, error in refused:
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id.in_(ids))
                    .values(quarantined=True, error=error, attempts=OutboxItem.attempts + 1)
                )
            s.execute(update(SyncState).where(SyncState.id == 1).values(last_push=self.clock.now()))
        if refused:
            log.warning("sync: %d item(s) quarantined: %s", len(refused), refused[0][1])
        return counts

    def pull_all(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        while True:
            with self.sessions() as s:
                state = s.get(SyncState, 1)
                params = {
                    "since": state.pull_cursor,
                    "peers_since": state.peer_cursor.isoformat() if state.peer_cursor else None,
                    "keys": state.keys_fingerprint,
                    "layout": state.layout_fingerprint,
                }
            answer = self.client.get("/pull", params)
            totals.update(self._apply_pull(answer))
            if not answer.get("more"):
                break
        return dict(totals)

    def _apply_pull(self, answer: dict[str, Any]) -> Counter[str]:
        counts: Counter[str] = Counter()
        with self.sessions() as s, s.begin():
            s.info["from_sync"] = True  # what comes from the server is not queued back
            counts["members"] = _upsert(s, Member, "number", answer.get("members") or [])
            counts["groups"] = _upsert(s, Group, "code", answer.get("groups") or [])
            deleted = answer.get("deleted") or {}
            counts["members_deleted"] = _erase_members(s, deleted.get("member") or [])
            groups = [_as_uuid(i) for i in deleted.get("group") or []]
            if groups:
                s.execute(delete(Group).where(Group.id.in_(groups)))
                counts["groups_deleted"] = len(groups)
            counts["peer_visits"] = _insert_peers(s, answer.get("peers") or [], self.clock.now())
            values: dict[str, Any] = {
                "pull_cursor": int(answer["cursor"]),
                "last_pull": self.clock.now(),
            }
            if answer.get("peers_cursor"):
                values["peer_cursor"] = datetime.fromisoformat(answer["peers_cursor"])
            if answer.get("keys"):
                values["keys_fingerprint"] = answer["keys"]["fingerprint"]
            if answer.get("layout"):
                try:
                    _save_layout(self.settings, answer["layout"]["text"])
                    values["layout_fingerprint"] = answer["layout"]["fingerprint"]
                    counts["layout"] = 1
                except ConfigError as e:  # the kiosk keeps the layout it has
                    log.warning("sync: the central layout was not taken: %s", e)
            s.execute(update(SyncState).where(SyncState.id == 1).values(**values))
            if answer.get("keys"):
                _save_keys(self.settings, answer["keys"])
                counts["keys"] = 1
        if counts["members_deleted"]:
            checkpoint(self.engine)  # an erased name is left in no file
        if counts["keys"] and self.keys_changed is not None:
            self.keys_changed(Keyring.load(self.settings.key_file))
        return counts


def _as_uuid(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


def _erase_members(s: Session, ids: list[str]) -> int:
    """Members erased centrally are erased here too: the member, their visit links, the
    refusal log's mentions of their number and the peer copies of their visits."""
    wanted = [_as_uuid(i) for i in ids]
    if not wanted:
        return 0
    numbers = s.scalars(select(Member.number).where(Member.id.in_(wanted))).all()
    for number in numbers:
        erase_member(s, number)
    s.execute(delete(PeerVisit).where(PeerVisit.member_id.in_(wanted)))
    return len(numbers)


def _upsert(s: Session, model: type, natural_key: str, records: list[dict[str, Any]]) -> int:
    """Insert or update rows by id; a local row holding the same number or code under another
    id (made before the kiosk joined) gives way to the central one."""
    rows = []
    for data in records:
        try:
            rows.append(from_wire(model, data))
        except RecordError as e:
            log.warning("sync: a %s from the server was skipped: %s", model.__tablename__, e)
    if not rows:
        return 0
    key_col = getattr(model, natural_key)
    for row in rows:
        s.execute(delete(model).where(key_col == row[natural_key], model.id != row["id"]))
    stmt = sqlite.insert(model)
    cols = [k for k in rows[0] if k != "id"]
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"], set_={k: stmt.excluded[k] for k in cols}
    )
    s.execute(stmt, rows)
    return len(rows)


def _insert_peers(s: Session, records: list[dict[str, Any]], now: datetime) -> int:
    """The site's other kiosks' recent visits, so `moved` and `welcome back` hold across them.
    Kept apart from this kiosk's own visits (never counted, exported or pushed from here) and
    only as long as the peer window; duplicates are ignored."""
    cut = now - PEER_WINDOW
    s.execute(delete(PeerVisit).where(PeerVisit.at_utc < cut))
    rows = []
    for data in records:
        try:
            row = from_wire(Visit, data)
        except RecordError:
            continue
        if row["at_utc"] >= cut and (row["member_id"] or row["group_id"]) is not None:
            rows.append({c: row[c] for c in PEER_COLUMNS})
    if rows:  # the cursor overlaps a little: copies already here are not new
        have = set(s.scalars(select(PeerVisit.id).where(PeerVisit.id.in_(r["id"] for r in rows))))
        rows = [r for r in rows if r["id"] not in have]
    if rows:
        stmt = sqlite.insert(PeerVisit).on_conflict_do_nothing(index_elements=["id"])
        s.execute(stmt, rows)
    return len(rows)
