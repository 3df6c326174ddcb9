"""The check-in decision as a pure function: what was read, who it names, what happened before.

`decide` (a member card) and `decide_group` (a group QR with its headcount) take plain values
and return a Decision; the service loads those values, stores what the Decision says and
commits. Nothing here reads a clock or a database.

Repeat window: a visit this process stored carries its monotonic-clock reading, and the latest
such visit alone says whether the visitor is inside the window (a wall-clock jump after a time
sync neither doubles nor drops visits). Without one (a fresh process, or a back-entered visit
with an explicit time) the stored wall-clock times count, but only near `at`, so a clock that
once ran far ahead cannot block check-ins forever.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.domain.cards import (
    MEMBER_NUMBER,
    CardError,
    Keyring,
    looks_like_card,
    read_payload,
)
from kiosk.domain.clock import day_bounds_utc, local_day, local_time
from kiosk.domain.groups import Headcount
from kiosk.domain.redact import redact
from kiosk.domain.vocab import Admitted, Outcome, Refusal, Source, VisitorType

EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Decision:
    decision: Outcome
    at: datetime
    room: str | None = None
    member: str | None = None
    member_name: str | None = None
    visitor_type: VisitorType = VisitorType.MEMBER
    visit_id: uuid.UUID | None = None  # the stored visit's id, once stored
    detail: str = ""
    headcount: int = 0

    @property
    def accepted(self) -> bool:
        return isinstance(self.decision, Admitted)

    @property
    def stores_visit(self) -> bool:
        """A new visit is to be stored (welcome back and refusals store none)."""
        return self.decision in (Admitted.WELCOME, Admitted.MOVED)

    @property
    def counted(self) -> bool:
        """A new visit was stored (welcome back counts nothing)."""
        return self.visit_id is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": str(self.decision),
            "accepted": self.accepted,
            "visitor_type": str(self.visitor_type),
            "member": self.member,
            "member_name": self.member_name,
            "room": self.room,
            "visit_id": str(self.visit_id) if self.visit_id else None,
            "headcount": self.headcount,
            "at": self.at.isoformat(),
            "local_time": local_time(self.at).isoformat(timespec="seconds"),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class KnownMember:
    """A member as the database knows them, as plain values."""

    number: str
    name: str
    card_seq: int
    suspended: bool = False
    expires: date | None = None
    category: str | None = None
    gender: str | None = None


@dataclass(frozen=True)
class KnownGroup:
    code: str
    site: str
    visit_date: date
    level: str


@dataclass(frozen=True)
class PastVisit:
    """An earlier visit of the same visitor at this site.

    `mono` is this process's monotonic-clock reading when it stored the visit (None for
    visits read back from the database).
    """

    room: str
    at: datetime
    mono: float | None = None


@dataclass(frozen=True)
class Rules:
    """The site's check-in settings."""

    site: str
    keyring: Keyring
    repeat_window: timedelta = timedelta(minutes=30)
    legacy_barcodes: bool = False


@dataclass(frozen=True)
class Moment:
    """When a check-in happens: the wall clock for the record, the monotonic clock for the
    window. `mono` is None for a visit back-entered by staff (the visitor is not here now)."""

    at: datetime
    mono: float | None = None

    @property
    def live(self) -> bool:
        return self.mono is not None


def bare_number_allowed(text: str, source: Source | str, legacy_barcodes: bool) -> bool:
    """A bare member number counts when typed by hand, or read from an old card's barcode
    where the site accepts those; a QR code holding just a number is not a card."""
    if looks_like_card(text.strip()):
        return False
    source = Source(source)
    return source.typed or (legacy_barcodes and source is Source.BARCODE)


def card_number(text: str, rules: Rules, source: Source | str) -> tuple[str, int | None]:
    """(member number, card seq) a scan names; seq is None for a bare number.
    Raises CardError when the text names no member."""
    text = text.strip()
    if looks_like_card(text):
        ref = read_payload(text, rules.keyring)
        return ref.member_number, ref.seq
    if bare_number_allowed(text, source, rules.legacy_barcodes) and MEMBER_NUMBER.match(text):
        return text, None
    raise CardError(Refusal.BAD_PAYLOAD, "not a library card code")


def check_card(
    text: str, member: KnownMember | None, at: datetime, rules: Rules, source: Source | str
) -> Decision | None:
    """The refusal for a card that does not admit anyone now, or None for a valid card."""

    def refuse(reason: Refusal, detail: str, who: KnownMember | None = None) -> Decision:
        return Decision(
            reason,
            at,
            member=who.number if who else None,
            member_name=who.name if who else None,
            detail=detail,
        )

    try:
        number, seq = card_number(text, rules, source)
    except CardError as e:
        return refuse(Refusal(e.reason), e.detail)
    if member is None or member.number != number:
        return refuse(Refusal.UNKNOWN_CARD, f"no member {number}")
    if seq is not None and seq < member.card_seq:
        detail = f"card {seq} of {number} was replaced by card {member.card_seq}"
        return refuse(Refusal.REVOKED_CARD, detail, member)
    if seq is not None and seq > member.card_seq:
        return refuse(Refusal.BAD_PAYLOAD, f"card {seq} of {number} was never issued", member)
    if member.suspended:
        return refuse(Refusal.SUSPENDED, f"{number} is suspended", member)
    if member.expires is not None and member.expires < local_day(at):
        detail = f"membership of {number} ended {member.expires.isoformat()}"
        return refuse(Refusal.EXPIRED, detail, member)
    return None


def decide(
    text: str,
    member: KnownMember | None,
    recent: Sequence[PastVisit],
    room: str,
    when: Moment,
    rules: Rules,
    source: Source | str = Source.SCAN,
) -> Decision:
    """A member card (or a typed/barcode member number) enters `room`."""
    refused = check_card(text, member, when.at, rules, source)
    if refused is not None:
        return replace(refused, room=room)
    assert member is not None
    admitted = admit(recent, room, when, rules.repeat_window)
    return Decision(
        admitted,
        when.at,
        room,
        member=member.number,
        member_name=member.name,
        headcount=1 if admitted is not Admitted.WELCOME_BACK else 0,
        detail="already checked in here" if admitted is Admitted.WELCOME_BACK else "",
    )


def decide_group(
    code: str,
    group: KnownGroup | None,
    recent: Sequence[PastVisit],
    room: str,
    when: Moment,
    rules: Rules,
    headcount: Headcount,
) -> Decision:
    """A pre-registered group arrives at `room` (code already cleaned); the leader confirmed
    `headcount`."""

    def refuse(reason: Refusal, detail: str) -> Decision:
        return Decision(reason, when.at, room, visitor_type=VisitorType.GROUP, detail=detail)

    if group is None:
        return refuse(Refusal.UNKNOWN_GROUP, f"no group {code}")
    if group.site != rules.site:  # booked at another branch: unknown here
        return refuse(Refusal.UNKNOWN_GROUP, f"group {code} is booked at {group.site}")
    if group.visit_date != local_day(when.at):
        return refuse(Refusal.WRONG_DAY, f"group {code} is booked for {group.visit_date}")
    admitted = admit(recent, room, when, rules.repeat_window)
    back = admitted is Admitted.WELCOME_BACK
    return Decision(
        admitted,
        when.at,
        room,
        visitor_type=VisitorType.GROUP,
        headcount=0 if back else headcount.total,
        detail="already checked in here" if back else "",
    )


def admit(recent: Sequence[PastVisit], room: str, when: Moment, window: timedelta) -> Admitted:
    """Welcome, welcome back (same room inside the window) or moved (another room today)."""
    if last_room_in_window(recent, when, window) == room:
        return Admitted.WELCOME_BACK
    # Another room earlier today is a move inside the library; the same room after the
    # window (they left and came back) is a new arrival.
    earlier = last_room_today(recent, when.at)
    return Admitted.MOVED if earlier is not None and earlier != room else Admitted.WELCOME


def last_room_in_window(recent: Sequence[PastVisit], when: Moment, window: timedelta) -> str | None:
    seen = [v for v in recent if v.mono is not None]
    if when.mono is not None and seen:
        latest = max(seen, key=lambda v: v.mono or 0.0)
        inside = when.mono - (latest.mono or 0.0) < window.total_seconds()
        return latest.room if inside else None
    ahead = window if when.live else timedelta(0)
    near = [v for v in recent if when.at - window < v.at <= when.at + ahead]
    return max(near, key=lambda v: v.at).room if near else None


def last_room_today(recent: Sequence[PastVisit], at: datetime) -> str | None:
    day = local_day(at)
    today = [v for v in recent if local_day(v.at) == day and v.at <= at]
    return max(today, key=lambda v: v.at).room if today else None


def recent_since(at: datetime, window: timedelta) -> tuple[datetime, datetime]:
    """The stored visits `decide` may need: from `start` to `end` (both included)."""
    return min(at - window, day_bounds_utc(local_day(at))[0]), at + window


def excerpt(text: str) -> str:
    """A printable, bounded piece of what was read, for the refusal log.

    Signatures are masked wherever they stand (`kiosk.domain.redact`): an expired or suspended
    card works again once renewed, and the log (shown on the staff screen) must not be a list
    of working card codes.
    """
    return redact(text, EXCERPT_CHARS)
