"""Members: register, list, import, revoke a lost card, show or erase on request."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, delete, func, select, true, update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Member, PeerVisit, RefusedScan, Visit
from kiosk.domain.checkin import KnownMember
from kiosk.domain.clock import local_day
from kiosk.domain.fields import FieldError
from kiosk.domain.members import (
    GENDERS,
    CardChoice,
    check_member_fields,
    field_problem,
    renewed_until,
)

__all__ = [
    "GENDERS",
    "IMPORT_FIELDS",
    "MemberInfo",
    "add_member",
    "apply_import",
    "cards_for",
    "check_member_fields",
    "edit_member",
    "erase_member",
    "find_member",
    "get_member",
    "known_member",
    "list_members",
    "member_record",
    "renew_member",
    "revoke_card",
    "set_suspended",
]
IMPORT_FIELDS = ("name", "gender", "category", "expires")


class ImportRow(Protocol):
    number: str
    name: str
    gender: str | None
    category: str | None
    expires: date | None
    suspended: bool


@dataclass(frozen=True)
class MemberInfo:
    number: str
    name: str
    gender: str | None
    category: str | None
    expires: date | None
    suspended: bool
    card_seq: int

    @classmethod
    def of(cls, m: Member | KnownMember) -> MemberInfo:
        return cls(m.number, m.name, m.gender, m.category, m.expires, m.suspended, m.card_seq)

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "name": self.name,
            "gender": self.gender,
            "category": self.category,
            "expires": self.expires.isoformat() if self.expires else None,
            "suspended": self.suspended,
            "card_seq": self.card_seq,
        }


def add_member(
    s: Session,
    number: str,
    name: str,
    gender: str | None = None,
    category: str | None = None,
    expires: date | None = None,
) -> Member:
    check_member_fields(number, name, gender, category)
    if s.scalar(select(Member.id).where(Member.number == number)) is not None:
        raise ValueError(f"member {number} already exists")
    member = Member(
        number=number,
        name=name.strip(),
        gender=gender,
        category=category,
        expires=expires,
        suspended=False,
        card_seq=1,
    )
    s.add(member)
    return member


def find_member(s: Session, number: str) -> Member | None:
    return s.scalar(select(Member).where(Member.number == number))


def known_member(m: Member) -> KnownMember:
    """The member as the check-in rules see them: plain values, no database row."""
    return KnownMember(m.number, m.name, m.card_seq, m.suspended, m.expires, m.category, m.gender)


def get_member(s: Session, number: str) -> Member:
    member = find_member(s, number)
    if member is None:
        raise LookupError(f"no member {number}")
    return member


def _matching(search: str | None) -> ColumnElement[bool]:
    if not search:
        return true()
    like = f"%{search.lower()}%"
    return func.lower(Member.name).like(like) | func.lower(Member.number).like(like)


def list_members(
    s: Session, search: str | None = None, limit: int | None = None
) -> list[MemberInfo]:
    """Members whose number or name holds `search` (every member without), by number."""
    q = select(Member).where(_matching(search)).order_by(Member.number).limit(limit)
    return [MemberInfo.of(m) for m in s.scalars(q)]


def count_members(s: Session, search: str | None = None) -> int:
    return s.scalar(select(func.count()).select_from(Member).where(_matching(search))) or 0


def revoke_card(s: Session, number: str) -> int:
    """Issue the member's next card: every earlier card stops working. Returns the new seq."""
    member = get_member(s, number)
    member.card_seq += 1
    return member.card_seq


def set_suspended(s: Session, number: str, suspended: bool) -> None:
    get_member(s, number).suspended = suspended


def _refusals_of(number: str) -> ColumnElement[bool]:
    """Refused-scan log entries that name this member (their card code or typed number)."""
    # Any case, anywhere: a number typed in lower case or with a prefix names the member too.
    return func.lower(RefusedScan.excerpt).contains(number.lower(), autoescape=True)


def erase_member(s: Session, number: str) -> int:
    """Erase a member on request (UU 27/2022): visits stay as anonymous counts, the refusal
    log forgets the number, queued surveys go with the member."""
    member = get_member(s, number)
    kept = s.execute(update(Visit).where(Visit.member_id == member.id).values(member_id=None))
    s.execute(update(RefusedScan).where(_refusals_of(number)).values(excerpt="(erased)"))
    s.execute(delete(PeerVisit).where(PeerVisit.member_id == member.id))  # copies (sync)
    s.delete(member)
    return kept.rowcount or 0


def member_record(s: Session, number: str) -> dict[str, object]:
    """Everything kept about a member, for a request to see one's own data (UU 27/2022)."""
    member = get_member(s, number)
    visits = s.execute(
        select(Visit.local_day, Visit.room, Visit.site)
        .where(Visit.member_id == member.id)
        .order_by(Visit.at_utc)
    ).all()
    return {
        **MemberInfo.of(member).to_json(),
        "registered": member.created_at.isoformat(timespec="seconds"),
        "visits": len(visits),
        "refused_scans": s.scalar(select(func.count(RefusedScan.id)).where(_refusals_of(number))),
        "visit_days": [f"{d.isoformat()} {site}/{room}" for d, room, site in visits[-50:]],
    }


def apply_import(
    s: Session,
    rows: Iterable[ImportRow],
    fields: Collection[str] = IMPORT_FIELDS,
    on_row: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Add new members and update known ones; (added, updated).

    Known members get only the `fields` the file has columns for. The caller's unit of work
    commits the whole file or nothing.
    """
    added = updated = 0
    known = {mem.number: mem for mem in s.scalars(select(Member))}
    for row in rows:
        check_member_fields(row.number, row.name, row.gender, row.category)
        member = known.get(row.number)
        if member is None:
            member = Member(
                number=row.number,
                name=row.name.strip(),
                gender=row.gender,
                category=row.category,
                expires=row.expires,
                suspended=False,
                card_seq=1,
            )
            s.add(member)
            known[row.number] = member
            added += 1
        else:
            for name in IMPORT_FIELDS:
                if name in fields:
                    setattr(member, name, getattr(row, name))
            updated += 1
        if "suspended" in fields:
            member.suspended = row.suspended
        if on_row is not None:
            on_row()
    s.flush()
    return added, updated


def renew_member(
    s: Session, number: str, today: date, until: date | None = None, months: int | None = None
) -> MemberInfo:
    """Extend a membership (see `renewed_until`); the card stays the same."""
    member = get_member(s, number)
    member.expires = renewed_until(member.expires, today, until, months)
    return MemberInfo.of(member)


EDITABLE = ("name", "category", "gender")


def edit_member(s: Session, number: str, **changes: str | None) -> MemberInfo:
    """Change a member's name, member type or gender, each checked as at entry and import.

    An empty category or gender ("") clears it; None leaves the field as it is.
    """
    member = get_member(s, number)
    for field, value in changes.items():
        if field not in EDITABLE:
            raise FieldError(f"{field} cannot be edited (editable: {', '.join(EDITABLE)})", field)
        if value is None:
            continue
        value = value.strip() or None  # "" clears a member type or gender
        if problem := field_problem(field, value):
            raise FieldError(problem, field)
        setattr(member, field, value)
    if not any(v is not None for v in changes.values()):
        raise FieldError("nothing to change: give --name, --category or --gender", "")
    return MemberInfo.of(member)


def cards_for(
    s: Session, choice: CardChoice, today: date, numbers: Iterable[str] | None = None
) -> list[MemberInfo]:
    """The members to print cards for: the named ones (whatever their state), else everyone
    the choice wants."""
    if numbers:
        return [MemberInfo.of(get_member(s, n)) for n in numbers]
    return [
        MemberInfo.of(m)
        for m in s.scalars(select(Member).order_by(Member.number))
        if choice.wants(m.expires, m.category, m.suspended, local_day(m.created_at), today)
    ]
