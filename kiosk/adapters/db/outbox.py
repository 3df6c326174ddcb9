"""The outbox and the pull sequence, written in the same transaction as the records they name.

A `before_flush` listener on every ORM session does it, so no service can forget it:
- on an enrolled kiosk (sync_state.role = kiosk) each new visit, guest, refused scan, survey
  answer and respondent, and each new or changed survey prompt, gets a `sync_outbox` row;
- on the central database (role = central) each new, changed or deleted member or group gets a
  `sync_changes` row, the sequence kiosks pull by.
A library with no central server has no sync_state row: nothing extra is written.
Rows that arrive from the server are written with `session.info["from_sync"] = True` and are
never queued again.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

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
KIND_ORDER = {kind: i for i, kind in enumerate(PUSHED.values())}
MODEL_OF = {kind: model for model, kind in PUSHED.items()}
PULLED: dict[type, str] = {Member: "member", Group: "group"}


def role(session: Session) -> str | None:
    """kiosk, central, or None for a library without a central server."""
    return session.execute(select(SyncState.role).where(SyncState.id == 1)).scalar()


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
    if mine == "kiosk" and pushed:
        queue_records(session, pushed)
    elif mine == "central" and (changed or deleted):
        if session.get_bind().dialect.name == "postgresql":
            # Writers of the pull sequence take turns, so numbers commit in order and a pull
            # never skips one still being written.
            session.execute(text("LOCK TABLE sync_changes IN SHARE ROW EXCLUSIVE MODE"))
        for obj in changed:
            if obj.id is None:
                obj.id = new_id()
            session.add(SyncChange(kind=PULLED[type(obj)], record_id=obj.id, deleted=False))
        for obj in deleted:
            session.add(SyncChange(kind=PULLED[type(obj)], record_id=obj.id, deleted=True))
