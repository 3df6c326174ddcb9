"""One check-in of a visitor at a time, across every kiosk that shares the database."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Group, Member


def lock_visitor(s: Session, kind: str, ident: uuid.UUID) -> None:
    """Serialise check-ins of one member or group across kiosks sharing a database.

    A no-op UPDATE of the visitor's own row: SQLite takes its write lock (the first statement
    of the transaction is a write, so a waiting kiosk retries instead of failing), PostgreSQL
    a row lock; the other kiosk waits and then sees this visit ("welcome back").
    """
    if kind == "member":
        stmt = (
            update(Member)
            .where(Member.id == ident)
            .values(card_seq=Member.card_seq, updated_at=Member.updated_at)
        )
    else:
        stmt = update(Group).where(Group.id == ident).values(code=Group.code)
    s.execute(stmt)
