"""Guests (non-members): the minimum the library needs, and nothing pre-answered.

Answers are codes; the kiosk shows their words in Bahasa Indonesia or English. A name is
optional. Personal fields (name, free-text origin) are purged after the retention period
(UU 27/2022); the counts stay.
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
from kiosk.i18n import N_
from kiosk.resources import asset

WILAYAH = asset("data", "wilayah_kabkota.csv")

# code -> English msgid; the Bahasa Indonesia words are in the .po catalogues (kiosk.i18n).
CATEGORIES = {
    "umum": N_("General public"),
    "pelajar": N_("School student"),
    "mahasiswa": N_("University student"),
    "guru": N_("Teacher / lecturer"),
    "pegawai": N_("Civil servant / employee"),
    "peneliti": N_("Researcher"),
}
GENDERS = {"L": N_("Male"), "P": N_("Female")}
PURPOSES = {
    "membaca": N_("Reading"),
    "informasi": N_("Looking for information"),
    "belajar": N_("Study / homework"),
    "internet": N_("Internet / computers"),
    "kegiatan": N_("Attending an event"),
    "menemani": N_("Accompanying a child"),
    "lainnya": N_("Other"),
}
OTHER_ORIGIN = "other"
# Lubuklinggau itself, then its neighbours: the most frequent answers, shown first.
NEAR_FIRST = ("16.73", "16.05", "16.13", "16.11", "17.02", "17.07", "17.08")


@dataclass(frozen=True)
class Origin:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class GuestForm:
    category: str
    gender: str
    origin: str  # a kabupaten/kota code, or "other" with origin_other
    purpose: str
    origin_other: str | None = None
    name: str | None = None

    def validate(self) -> None:
        for value, choices, what in (
            (self.category, CATEGORIES, "category"),
            (self.gender, GENDERS, "gender"),
            (self.purpose, PURPOSES, "purpose"),
        ):
            if value not in choices:
                raise ValueError(f"guest {what} must be one of {', '.join(choices)}")
        if self.origin == OTHER_ORIGIN:
            if not (self.origin_other or "").strip():
                raise ValueError("guest origin 'other' needs the place written in origin_other")
        elif self.origin not in origins_by_code():
            raise ValueError(f"unknown origin code {self.origin!r} (a kabupaten/kota code)")
        if self.name is not None and len(self.name) > 120:
            raise ValueError("guest name is too long (120 characters at most)")


@cache
def origins() -> tuple[Origin, ...]:
    """Every regency and city, the library's neighbours first, then by name."""
    with WILAYAH.open(encoding="utf-8", newline="") as f:
        rows = [Origin(r["kode"], r["nama"], r["provinsi"]) for r in csv.DictReader(f)]
    near = sorted((o for o in rows if o.code in NEAR_FIRST), key=lambda o: NEAR_FIRST.index(o.code))
    rest = sorted((o for o in rows if o.code not in NEAR_FIRST), key=lambda o: _plain(o.name))
    return tuple(near + rest)


@cache
def origins_by_code() -> dict[str, Origin]:
    return {o.code: o for o in origins()}


def _plain(name: str) -> str:
    return name.removeprefix("Kabupaten ").removeprefix("Kota ").lower()


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
        origin_other=(form.origin_other or "").strip()[:80] if other else None,
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
