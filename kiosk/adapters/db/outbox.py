"""The outbox and the pull sequence, written in the same transaction as the records they name.

A `before_flush` listener on every ORM session does it, so no service can forget it:
- on an enrolled kiosk (sync_state.role = kiosk) each new visit, guest, refused scan, survey
  answer and respondent, and each new or changed survey prompt, gets a `sync_outbox` row; an
  erased member gets a `member_erasure` row, so the erasure reaches the central database;
- on the central database (role = central) each new, changed or deleted member or group gets a
  `sync_changes` row, the sequence kiosks pull by.
A `do_orm_execute` listener does the same for bulk UPDATEs, which pass no flush: a purge of
guests' personal fields, unlinked visits, blanked refusal excerpts, expired survey prompts (on
a kiosk), group leaders purged (on the central database, so kiosks lose them too).
A library with no central server has no sync_state row: nothing extra is written.
Rows that arrive from the server are written with `session.info["from_sync"] = True` and are
never queued again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Integer, event, insert, literal, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from kiosk.adapters.db.models import (
    Group,
    Guest,
    Member,
    OutboxItem,
    QueuedSurvey,
    RefusedScan,
    SurveyAnswer,
    SurveyRespondent,
    SyncChange,
    SyncState,
    UTCDateTime,
    Visit,
    new_id,
)

# Push order: a record comes after the records it points at (guest before its visit).
PUSHED: dict[type, str] = {
    Guest: "guest",
    SurveyRespondent: "survey_respondent",
    SurveyAnswer: "survey_answer",
    Visit: "visit",
    RefusedScan: "refused_scan",
    QueuedSurvey: "survey_queue",
}
# A member erased on a kiosk: not a record to send (it is gone), an order to erase centrally.
ERASURE = "member_erasure"
KIND_ORDER = {kind: i for i, kind in enumerate([*PUSHED.values(), ERASURE])}
MODEL_OF = {kind: model for model, kind in PUSHED.items()}
PULLED: dict[type, str] = {Member: "member", Group: "group"}


def role(session: Session) -> str | None:
    """kiosk, central, or None for a library without a central server."""
    return session.execute(select(SyncState.role).where(SyncState.id == 1)).scalar()


def _lock_changes(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Writers of the pull sequence take turns, so numbers commit in order and a pull
        # never skips one still being written.
        session.execute(text("LOCK TABLE sync_changes IN SHARE ROW EXCLUSIVE MODE"))


def _visit_meta(session: Session, visit: Visit) -> str | None:
    """The card sequence the kiosk accepted, so the server can flag a card revoked meanwhile."""
    if visit.member_id is None:
        return None
    member = session.get(Member, visit.member_id)
    return json.dumps({"card_seq": member.card_seq}) if member is not None else None


def queue_records(session: Session, objects: list[Any]) -> None:
    """Add outbox rows for `objects` (records this kiosk made), parents first."""
    for obj in sorted(objects, key=lambda o: KIND_ORDER[PUSHED[type(o)]]):
        if obj.id is None:
            obj.id = new_id()
        meta = _visit_meta(session, obj) if isinstance(obj, Visit) else None
        session.add(OutboxItem(kind=PUSHED[type(obj)], record_id=obj.id, meta=meta))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.info.get("from_sync"):
        return
    pushed = [o for o in session.new if type(o) in PUSHED]
    pushed += [
        o
        for o in session.dirty
        if isinstance(o, QueuedSurvey) and session.is_modified(o, include_collections=False)
    ]
    changed = [o for o in (*session.new, *session.dirty) if type(o) in PULLED]
    deleted = [o for o in session.deleted if type(o) in PULLED]
    if not (pushed or changed or deleted):
        return
    mine = role(session)
    erased = [o for o in deleted if isinstance(o, Member)]
    if mine == "kiosk" and (pushed or erased):
        queue_records(session, pushed)
        session.add_all(OutboxItem(kind=ERASURE, record_id=m.id) for m in erased)
    elif mine == "central" and (changed or deleted):
        _lock_changes(session)
        for obj in changed:
            if obj.id is None:
                obj.id = new_id()
            session.add(SyncChange(kind=PULLED[type(obj)], record_id=obj.id, deleted=False))
        for obj in deleted:
            session.add(SyncChange(kind=PULLED[type(obj)], record_id=obj.id, deleted=True))


@event.listens_for(Session, "do_orm_execute")
def _bulk_update(state: ORMExecuteState) -> None:
    """Queue the rows a bulk UPDATE changes, in its transaction and just before it: on
    SQLite the INSERT ... SELECT takes the write lock, so no other writer slips in between."""
    if not state.is_update or state.session.info.get("from_sync"):
        return
    model = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if model not in PUSHED and model not in PULLED:
        return
    session = state.session
    here = session.execute(
        select(SyncState.role, SyncState.kiosk_id).where(SyncState.id == 1)
    ).first()
    where = state.statement.whereclause
    rows = select(model.id)
    if where is not None:
        rows = rows.where(where)
    if here is not None and here.role == "kiosk" and model in PUSHED:
        if hasattr(model, "kiosk_id"):  # only this kiosk's own records are its to send
            rows = rows.where(model.kiosk_id == here.kiosk_id)
        queued = rows.with_only_columns(
            literal(PUSHED[model]),
            model.id,
            literal(datetime.now(UTC), UTCDateTime()),
            literal(False, Boolean()),
            literal(0, Integer()),
        )
        cols = ["kind", "record_id", "created_at", "quarantined", "attempts"]
        session.execute(insert(OutboxItem).from_select(cols, queued))
    elif here is not None and here.role == "central" and model in PULLED:
        _lock_changes(session)
        changed = rows.with_only_columns(
            literal(PULLED[model]), model.id, literal(False, Boolean())
        )
        session.execute(insert(SyncChange).from_select(["kind", "record_id", "deleted"], changed))
