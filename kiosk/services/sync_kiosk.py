"""The kiosk side of sync: enrolment, the push of the outbox, the pull of deltas, the worker.

The kiosk never waits for the network: check-ins write to SQLite (and the outbox) as always,
and this worker, on its own thread or as `kiosk sync`, sends and fetches when it can.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker

from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import (
    Group,
    Member,
    OutboxItem,
    QueuedSurvey,
    RefusedScan,
    SurveyAnswer,
    SurveyRespondent,
    SyncState,
    Visit,
)
from kiosk.adapters.db.outbox import KIND_ORDER, MODEL_OF
from kiosk.adapters.http.client import CentralClient, ServerRefused, ServerUnavailable
from kiosk.config import ConfigError, Settings
from kiosk.domain.cards import Keyring
from kiosk.domain.clock import Clock
from kiosk.services.sync_records import RecordError, from_wire, row_to_wire

__all__ = [
    "KioskSync",
    "ServerRefused",
    "ServerUnavailable",
    "SyncWorker",
    "enroll",
    "sync_status",
]

log = logging.getLogger(__name__)
TOKEN_FILE = "sync-token"
BATCH = 1000


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


# --- enrolment -------------------------------------------------------------------------------


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
            state.last_error = None
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


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server: str | None
    queued: int
    quarantined: int
    last_push: datetime | None
    last_pull: datetime | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "quarantined": self.quarantined,
            "last_push": self.last_push.isoformat() if self.last_push else None,
            "last_pull": self.last_pull.isoformat() if self.last_pull else None,
            "server": self.server,
            "last_error": self.last_error,
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


# --- push and pull ---------------------------------------------------------------------------


class NotEnrolled(ValueError):
    """The kiosk has no server yet: `kiosk enroll URL CODE`."""


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
            self._note_error(str(e))
            raise
        self._note_error(None)
        return {"push": pushed, "pull": pulled}

    def _note_error(self, error: str | None) -> None:
        with self.sessions() as s, s.begin():
            s.execute(update(SyncState).where(SyncState.id == 1).values(last_error=error))

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
            for kind, model in (("member", Member), ("group", Group)):
                ids = [_as_uuid(i) for i in deleted.get(kind) or []]
                if ids:
                    s.execute(delete(model).where(model.id.in_(ids)))
                    counts[f"{kind}s_deleted"] = len(ids)
            counts["peer_visits"] = _insert_peers(s, answer.get("peers") or [])
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
        if counts["keys"] and self.keys_changed is not None:
            self.keys_changed(Keyring.load(self.settings.key_file))
        return counts


def _as_uuid(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


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


def _insert_peers(s: Session, records: list[dict[str, Any]]) -> int:
    """The site's other kiosks' recent visits, so `moved` and `welcome back` hold across them.
    They are not this kiosk's to push, and duplicates are ignored."""
    rows = []
    for data in records:
        try:
            row = from_wire(Visit, data)
        except RecordError:
            continue
        row["guest_id"] = None
        rows.append(row)
    if not rows:
        return 0
    members = {r["member_id"] for r in rows} - {None}
    groups = {r["group_id"] for r in rows} - {None}
    known_m = set(s.scalars(select(Member.id).where(Member.id.in_(members)))) if members else set()
    known_g = set(s.scalars(select(Group.id).where(Group.id.in_(groups)))) if groups else set()
    have = set(s.scalars(select(Visit.id).where(Visit.id.in_([r["id"] for r in rows]))))
    rows = [
        r
        for r in rows
        if r["id"] not in have and (r["member_id"] in known_m or r["group_id"] in known_g)
    ]
    for r in rows:
        if r["member_id"] not in known_m:
            r["member_id"] = None
        if r["group_id"] not in known_g:
            r["group_id"] = None
    if rows:
        s.execute(sqlite.insert(Visit).on_conflict_do_nothing(index_elements=["id"]), rows)
    return len(rows)


# --- the worker ------------------------------------------------------------------------------


class SyncWorker:
    """Runs sync cycles on its own thread (never the UI thread), backing off with jitter."""

    def __init__(
        self,
        make_sync: Callable[[], KioskSync],
        interval: float = 30.0,
        max_delay: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self.make_sync = make_sync
        self.interval = interval
        self.max_delay = max_delay
        self.rng = rng or random.Random()
        self.failures = 0
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.on_cycle: Callable[[dict[str, Any] | None, str | None], None] | None = None

    def delay(self) -> float:
        """After n failures in a row: up to interval x 2^n, at most max_delay, with jitter so
        that kiosks coming back after a power cut do not all call at the same second."""
        if self.failures == 0:
            return self.interval
        cap = min(self.max_delay, self.interval * 2 ** min(self.failures, 16))
        return cap * self.rng.uniform(0.5, 1.0)

    def run(self) -> None:
        sync: KioskSync | None = None
        while not self.stop_event.is_set():
            summary, error = None, None
            try:
                sync = sync or self.make_sync()
                summary = sync.cycle()
                self.failures = 0
            except ServerUnavailable as e:
                self.failures += 1
                error = str(e)
            except (ServerRefused, NotEnrolled) as e:
                self.failures = max(self.failures + 1, 6)  # a person must act: call rarely
                error = str(e)
            except Exception as e:  # noqa: BLE001 - the worker must outlive any one cycle
                log.exception("sync cycle failed")
                self.failures += 1
                error = f"{type(e).__name__}: {e}"
            if self.on_cycle is not None:
                self.on_cycle(summary, error)
            self.stop_event.wait(self.delay())
        if sync is not None:
            sync.close()

    def start(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name="kiosk-sync", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)
