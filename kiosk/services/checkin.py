"""Check-in rules: one call takes what the camera read and returns a decision with a reason.

Accepted decisions commit the visit before they return, so the kiosk only greets a visitor
whose visit is already on disk. Refusals are logged with their reason and a bounded excerpt.

The repeat window runs on the monotonic clock while the kiosk runs (a wall-clock jump after a
time sync neither doubles nor drops visits); a fresh process, or a back-entered visit with an
explicit time, falls back to the stored wall-clock times.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.adapters.db.models import Group, Member, RefusedScan, Visit
from kiosk.domain.cards import (
    GROUP_PREFIX,
    MEMBER_NUMBER,
    CardError,
    Keyring,
    looks_like_card,
    read_payload,
)
from kiosk.domain.clock import Clock, local_day, local_time
from kiosk.domain.redact import redact
from kiosk.services.refusals import RefusalLog
from kiosk.services.visitor_lock import lock_visitor

log = logging.getLogger(__name__)

ACCEPTED = ("welcome", "welcome_back", "moved")
REFUSED = (
    "unknown_card",
    "bad_payload",
    "revoked_card",
    "expired",
    "suspended",
    "unknown_group",
    "wrong_day",
)
TYPED_SOURCES = ("keypad", "cli", "paper")  # a member number typed by hand
BARCODE_SOURCE = "barcode"  # a Code 128 member-number barcode of an older card
EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Decision:
    decision: str
    at: datetime
    room: str | None = None
    member: str | None = None
    member_name: str | None = None
    visitor_type: str = "member"
    visit_id: uuid.UUID | None = None
    detail: str = ""
    headcount: int = 0

    @property
    def accepted(self) -> bool:
        return self.decision in ACCEPTED

    @property
    def counted(self) -> bool:
        """A new visit was stored (welcome back counts nothing)."""
        return self.visit_id is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "accepted": self.accepted,
            "visitor_type": self.visitor_type,
            "member": self.member,
            "member_name": self.member_name,
            "room": self.room,
            "visit_id": str(self.visit_id) if self.visit_id else None,
            "headcount": self.headcount,
            "at": self.at.isoformat(),
            "local_time": local_time(self.at).isoformat(timespec="seconds"),
            "detail": self.detail,
        }


class StorageError(RuntimeError):
    """A visit could not be saved (disk full, database gone): nothing was counted."""


def commit_or_raise(s: Session) -> None:
    """Commit, or roll back and raise StorageError: the kiosk must not greet an unsaved visit."""
    try:
        s.commit()
    except SQLAlchemyError as e:
        s.rollback()
        cause = str(getattr(e, "orig", e)) or type(e).__name__
        raise StorageError(f"the visit could not be saved: {cause}") from e


@dataclass(frozen=True)
class Place:
    """Where this kiosk stands: recorded on every visit and refusal."""

    site: str
    kiosk_id: str


@dataclass
class _Recent:
    room: str
    mono: float
    at: datetime


def excerpt(text: str) -> str:
    """A printable, bounded piece of what was read, for the refusal log.

    Signatures are masked wherever they stand: an expired or suspended card works again once
    renewed, and the log (shown on the staff screen) must not be a list of working card codes.
    """
    return redact(text, EXCERPT_CHARS)


@dataclass
class CheckinDesk:
    sessions: sessionmaker[Session]
    place: Place
    keyring: Keyring
    clock: Clock
    repeat_window: timedelta = timedelta(minutes=30)
    legacy_barcodes: bool = False
    _recent: dict[tuple[str, uuid.UUID], _Recent] = field(default_factory=dict)
    _refusal_log: RefusalLog = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._refusal_log = RefusalLog(self.clock.monotonic)

    # --- members -------------------------------------------------------------------------

    def check_in(
        self, text: str, room: str, at: datetime | None = None, source: str = "scan"
    ) -> Decision:
        """A member card (or, when enabled, a legacy member-number barcode) enters `room`.

        A bare member number is looked up without a card signature when it was typed by hand
        (`source` keypad, cli or paper: damaged card, camera down) or read from an older
        card's Code 128 barcode (`source="barcode"`) at a site that accepts those.
        """
        now = at or self.clock.now()
        bare = _bare_number_allowed(source, text, self.legacy_barcodes)
        with self.sessions() as s:
            found = self._member_for(s, text, now, room, bare)
            if isinstance(found, Decision):
                return found
            return self._admit(s, ("member", found.id), room, now, at is not None, source, found)

    def identify(
        self, text: str, at: datetime | None = None, source: str = "scan"
    ) -> Decision | Member:
        """Validate a card without counting a visit (an entrance kiosk asks the room next)."""
        now = at or self.clock.now()
        bare = _bare_number_allowed(source, text, self.legacy_barcodes)
        with self.sessions() as s:
            return self._member_for(s, text, now, None, bare)

    def _member_for(
        self, s: Session, text: str, now: datetime, room: str | None, bare: bool = False
    ) -> Member | Decision:
        text = text.strip()
        try:
            if looks_like_card(text):
                ref = read_payload(text, self.keyring)
                number, seq = ref.member_number, ref.seq
            elif bare and MEMBER_NUMBER.match(text):
                number, seq = text, None
            else:
                raise CardError("bad_payload", "not a library card code")
        except CardError as e:
            return self._refuse(s, text, e.reason, e.detail, now, room)
        member = s.scalar(select(Member).where(Member.number == number))
        if member is None:
            return self._refuse(s, text, "unknown_card", f"no member {number}", now, room)
        if seq is not None and seq < member.card_seq:
            detail = f"card {seq} of {number} was replaced by card {member.card_seq}"
            return self._refuse(s, text, "revoked_card", detail, now, room, member)
        if seq is not None and seq > member.card_seq:
            detail = f"card {seq} of {number} was never issued"
            return self._refuse(s, text, "bad_payload", detail, now, room, member)
        if member.suspended:
            return self._refuse(s, text, "suspended", f"{number} is suspended", now, room, member)
        if member.expires is not None and member.expires < local_day(now):
            detail = f"membership of {number} ended {member.expires.isoformat()}"
            return self._refuse(s, text, "expired", detail, now, room, member)
        return member

    # --- groups --------------------------------------------------------------------------

    def group_check_in(
        self,
        code: str,
        room: str,
        children: int,
        adults: int,
        boys: int | None = None,
        girls: int | None = None,
        at: datetime | None = None,
        source: str = "scan",
    ) -> Decision:
        """A pre-registered group arrives; the leader confirms the headcount."""
        if children < 0 or adults < 0 or children + adults < 1 or children + adults > 1000:
            raise ValueError("headcount: children and adults are 0 or more, 1 to 1000 in all")
        if (boys is None) != (girls is None) or (
            boys is not None and (boys < 0 or girls < 0 or boys + girls != children)
        ):
            raise ValueError("boys and girls must both be given and add up to the children")
        now = at or self.clock.now()
        code = code.strip().removeprefix(GROUP_PREFIX).upper()
        with self.sessions() as s:
            group = s.scalar(select(Group).where(Group.code == code))
            if group is None:
                return self._refuse(
                    s, code, "unknown_group", f"no group {code}", now, room, visitor_type="group"
                )
            if group.site != self.place.site:  # booked at another branch: unknown here
                detail = f"group {code} is booked at {group.site}"
                return self._refuse(
                    s, code, "unknown_group", detail, now, room, visitor_type="group"
                )
            if group.visit_date != local_day(now):
                detail = f"group {code} is booked for {group.visit_date.isoformat()}"
                return self._refuse(s, code, "wrong_day", detail, now, room, visitor_type="group")
            counts = {"children": children, "adults": adults, "boys": boys, "girls": girls}
            return self._admit(
                s, ("group", group.id), room, now, at is not None, source, None, counts
            )

    # --- shared --------------------------------------------------------------------------

    def _admit(
        self,
        s: Session,
        who: tuple[str, uuid.UUID],
        room: str,
        now: datetime,
        backdated: bool,
        source: str,
        member: Member | None,
        counts: dict[str, int | None] | None = None,
    ) -> Decision:
        kind, ident = who
        id_col = Visit.member_id if kind == "member" else Visit.group_id
        base = Decision(
            decision="welcome",
            at=now,
            room=room,
            member=member.number if member else None,
            member_name=member.name if member else None,
            visitor_type=kind,
        )
        # Two kiosks on one database: the visitor's row is locked (a write lock on SQLite, a
        # row lock on PostgreSQL) before the check, so check and insert are one atomic step.
        lock_visitor(s, kind, ident)
        last_room = self._last_room_in_window(s, who, id_col, now, backdated)
        if last_room == room:
            return _replace(base, decision="welcome_back", detail="already checked in here")
        # Another room earlier today is a move inside the library; the same room after the
        # window (they left and came back) is a new arrival.
        earlier = self._last_room_today(s, id_col, ident, now)
        decision = "moved" if earlier is not None and earlier != room else "welcome"
        counts = counts or {"children": 0, "adults": 1, "boys": None, "girls": None}
        headcount = (counts["children"] or 0) + (counts["adults"] or 0)
        visit = Visit(
            at_utc=now,
            local_day=local_day(now),
            site=self.place.site,
            kiosk_id=self.place.kiosk_id,
            room=room,
            visitor_type=kind,
            decision=decision,
            category=member.category if member else s.get(Group, ident).level,
            headcount=headcount,
            source=source,
            **counts,
        )
        setattr(visit, id_col.key, ident)
        s.add(visit)
        commit_or_raise(s)
        if not backdated:
            self._recent[who] = _Recent(room, self.clock.monotonic(), now)
        return _replace(base, decision=decision, visit_id=visit.id, headcount=headcount)

    def _last_room_in_window(
        self, s: Session, who: tuple[str, uuid.UUID], id_col: Any, now: datetime, backdated: bool
    ) -> str | None:
        recent = None if backdated else self._recent.get(who)
        if recent is not None:
            inside = self.clock.monotonic() - recent.mono < self.repeat_window.total_seconds()
            return recent.room if inside else None
        # No memory of this visitor in this process: trust the stored wall-clock times, but
        # only near `now`, so a clock that once ran far ahead cannot block check-ins forever.
        last = s.scalar(
            select(Visit)
            .where(
                id_col == who[1],
                Visit.site == self.place.site,  # room codes are only unique within a site
                Visit.at_utc > now - self.repeat_window,
                Visit.at_utc <= now + (self.repeat_window if not backdated else timedelta(0)),
            )
            .order_by(Visit.at_utc.desc())
            .limit(1)
        )
        return last.room if last else None

    def _last_room_today(
        self, s: Session, id_col: Any, ident: uuid.UUID, now: datetime
    ) -> str | None:
        q = (
            select(Visit.room)
            .where(
                id_col == ident,
                Visit.site == self.place.site,
                Visit.local_day == local_day(now),
                Visit.at_utc <= now,
            )
            .order_by(Visit.at_utc.desc())
            .limit(1)
        )
        return s.scalar(q)

    def _refuse(
        self,
        s: Session,
        text: str,
        reason: str,
        detail: str,
        now: datetime,
        room: str | None,
        member: Member | None = None,
        visitor_type: str = "member",
    ) -> Decision:
        self._refusal_log.add(
            s,
            RefusedScan(
                at_utc=now,
                local_day=local_day(now),
                site=self.place.site,
                kiosk_id=self.place.kiosk_id,
                room=room,
                reason=reason,
                excerpt=excerpt(text),
            ),
        )
        try:
            s.commit()
        except SQLAlchemyError as e:  # the visitor still hears why; the log entry is lost
            s.rollback()
            log.error("could not log a refused scan (%s): %s", reason, e)
        return Decision(
            decision=reason,
            at=now,
            room=room,
            member=member.number if member else None,
            member_name=member.name if member else None,
            visitor_type=visitor_type,
            detail=detail,
        )


def _bare_number_allowed(source: str, text: str, legacy: bool) -> bool:
    """A bare member number counts when typed by hand, or read from an old card's barcode
    where the site accepts those; a QR code holding just a number is not a card."""
    if looks_like_card(text.strip()):
        return False
    return source in TYPED_SOURCES or (legacy and source == BARCODE_SOURCE)


def _replace(d: Decision, **changes: Any) -> Decision:
    from dataclasses import replace

    return replace(d, **changes)
