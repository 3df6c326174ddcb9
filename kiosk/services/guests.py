"""Guests (non-members): the guest form, the kabupaten/kota list, and purging personal fields.

The rules and word tables are in `kiosk.domain.guests`. Personal fields (name, free-text
origin) are purged after the retention period (UU 27/2022); the counts stay.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Group, Guest, new_id
from kiosk.domain.clock import local_day
from kiosk.domain.guests import (
    CATEGORIES,
    GENDERS,
    MAX_ORIGIN_OTHER,
    NEAR_FIRST,
    OTHER_ORIGIN,
    PURPOSES,
    Origin,
    check_guest_answers,
    near_first,
)
from kiosk.resources import asset

__all__ = [
    "CATEGORIES",
    "GENDERS",
    "NEAR_FIRST",
    "OTHER_ORIGIN",
    "PURPOSES",
    "GuestForm",
    "Origin",
    "new_guest",
    "origins",
    "origins_by_code",
    "purge_group_leaders",
    "purge_guests",
    "search_origins",
]

WILAYAH = asset("data", "wilayah_kabkota.csv")


@dataclass(frozen=True)
class GuestForm:
    category: str
    gender: str
    origin: str  # a kabupaten/kota code, or "other" with origin_other
    purpose: str
    origin_other: str | None = None
    name: str | None = None

    def validate(self) -> None:
        check_guest_answers(
            self.category,
            self.gender,
            self.origin,
            self.purpose,
            self.origin_other,
            self.name,
            origins_by_code(),
        )


@cache
def origins() -> tuple[Origin, ...]:
    """Every regency and city, the library's neighbours first, then by name."""
    with WILAYAH.open(encoding="utf-8", newline="") as f:
        return near_first(Origin(r["kode"], r["nama"], r["provinsi"]) for r in csv.DictReader(f))


@cache
def origins_by_code() -> dict[str, Origin]:
    return {o.code: o for o in origins()}


def search_origins(text: str, limit: int = 20) -> list[Origin]:
    """Places whose name contains every typed word, in the list's order (neighbours first)."""
    words = text.lower().split()
    found = [o for o in origins() if all(w in f"{o.name} {o.province}".lower() for w in words)]
    return found[:limit]


def new_guest(form: GuestForm, at: datetime) -> Guest:
    """The guest's record; `at` is the visit's time, from which the retention period runs."""
    form.validate()
    other = form.origin == OTHER_ORIGIN
    return Guest(
        id=new_id(),
        category=form.category,
        gender=form.gender,
        origin_code=None if other else form.origin,
        origin_other=(form.origin_other or "").strip()[:MAX_ORIGIN_OTHER] if other else None,
        purpose=form.purpose,
        name=(form.name or "").strip() or None,
        created_at=at,
    )


def purge_guests(session: Session, now: datetime, retention_days: int) -> int:
    """Blank guests' personal fields older than the retention period; returns how many."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(Guest)
        .where(Guest.created_at < cutoff, Guest.purged_at.is_(None))
        .values(name=None, origin_other=None, purged_at=now)
    )
    return result.rowcount or 0


def purge_group_leaders(session: Session, now: datetime, retention_days: int) -> int:
    """Blank group leaders' names and phones once the visit is past the retention period."""
    cutoff = local_day(now) - timedelta(days=retention_days)
    result = session.execute(
        update(Group)
        .where(Group.visit_date < cutoff, Group.purged_at.is_(None))
        .values(leader_name=None, leader_phone=None, purged_at=now)
    )
    return result.rowcount or 0
