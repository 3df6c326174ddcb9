"""Check-in use cases: load what the rules need, decide (`kiosk.domain.checkin`), store it.

Every method takes the caller's unit of work (a Session inside `sessionmaker.begin()`) and
adds the visit or the refusal to it; the caller commits before it shows the Decision, so the
kiosk only greets a visitor whose visit is on disk (`StorageError` otherwise). Refusals are
logged with their reason and a bounded excerpt in which no card signature survives; the same
text refused again within a minute is counted on the stored row (`RefusalLog`).

Two kiosks on one database cannot double-count: the visitor's row is locked
(`lock_visitor`) before their recent visits are read, so check and insert are one step.

The desk remembers, on the monotonic clock, the last visit it stored for each visitor while
the kiosk runs; `committed` is told once the unit of work holding a visit has committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Member, PeerVisit, RefusedScan, Visit, new_id
from kiosk.domain.cards import CardError, Keyring
from kiosk.domain.checkin import (
    EXCERPT_CHARS,
    Decision,
    KnownMember,
    Moment,
    PastVisit,
    Rules,
    card_number,
    check_card,
    decide,
    decide_group,
    excerpt,
    recent_since,
)
from kiosk.domain.clock import Clock, local_day
from kiosk.domain.groups import Headcount, clean_group_code
from kiosk.domain.vocab import Source, VisitorType
from kiosk.services.groups import find_group, known_group
from kiosk.services.members import find_member, known_member
from kiosk.services.refusals import RefusalLog
from kiosk.services.visitor_lock import lock_visitor

__all__ = ["EXCERPT_CHARS", "CheckinDesk", "Decision", "Place", "StorageError"]


class StorageError(RuntimeError):
    """A visit could not be saved (disk full, database gone): nothing was counted."""


@dataclass(frozen=True)
class Place:
    """Where this kiosk stands: recorded on every visit and refusal."""

    site: str
    kiosk_id: str


Who = tuple[VisitorType, uuid.UUID]


@dataclass
class CheckinDesk:
    place: Place
    keyring: Keyring
    clock: Clock
    repeat_window: timedelta = timedelta(minutes=30)
    legacy_barcodes: bool = False
    _seen: dict[Who, PastVisit] = field(default_factory=dict)
    _unsaved: dict[uuid.UUID, tuple[Who, PastVisit]] = field(default_factory=dict)
    _refusal_log: RefusalLog = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._refusal_log = RefusalLog(self.clock.monotonic)

    @property
    def rules(self) -> Rules:
        return Rules(self.place.site, self.keyring, self.repeat_window, self.legacy_barcodes)

    def _moment(self, at: datetime | None) -> Moment:
        # A back-entered visit (explicit time) is not live: no monotonic reading.
        return Moment(self.clock.now(), self.clock.monotonic()) if at is None else Moment(at)

    # --- members -------------------------------------------------------------------------

    def check_in(
        self,
        s: Session,
        text: str,
        room: str,
        at: datetime | None = None,
        source: Source | str = Source.SCAN,
    ) -> Decision:
        """A member card (or, when allowed, a bare member number) enters `room`.

        A bare member number is looked up without a card signature when it was typed by hand
        (`source` keypad, cli or paper: damaged card, camera down) or read from an older
        card's Code 128 barcode (`source="barcode"`) at a site that accepts those.
        """
        when = self._moment(at)
        member = self._member_named(s, text, source)
        known = known_member(member) if member else None
        recent = self._locked_recent(s, (VisitorType.MEMBER, member.id), when) if member else ()
        d = decide(text, known, recent, room, when, self.rules, source)
        if not d.stores_visit:
            return d if d.accepted else self._refuse(s, text, d)
        assert member is not None
        who = (VisitorType.MEMBER, member.id)
        gender = {"gender": member.gender}  # as the member file has it today (model comment)
        return self._store(s, d, who, when, source, member.category, gender)

    def identify(
        self, s: Session, text: str, at: datetime | None = None, source: Source | str = "scan"
    ) -> Decision | KnownMember:
        """Validate a card without counting a visit (an entrance kiosk asks the room next)."""
        now = at or self.clock.now()
        member = self._member_named(s, text, source)
        known = known_member(member) if member else None
        refused = check_card(text, known, now, self.rules, source)
        if refused is not None:
            return self._refuse(s, text, refused)
        assert known is not None
        return known

    def _member_named(self, s: Session, text: str, source: Source | str) -> Member | None:
        try:
            number, _seq = card_number(text, self.rules, source)
        except CardError:
            return None
        return find_member(s, number)

    # --- groups --------------------------------------------------------------------------

    def group_check_in(
        self,
        s: Session,
        code: str,
        room: str,
        headcount: Headcount,
        at: datetime | None = None,
        source: Source | str = Source.SCAN,
    ) -> Decision:
        """A pre-registered group arrives; the leader confirmed the headcount."""
        when = self._moment(at)
        code = clean_group_code(code)
        group = find_group(s, code)
        known = known_group(group) if group else None
        recent = self._locked_recent(s, (VisitorType.GROUP, group.id), when) if group else ()
        d = decide_group(code, known, recent, room, when, self.rules, headcount)
        if not d.stores_visit:
            return d if d.accepted else self._refuse(s, code, d)
        assert group is not None
        counts = {"children": headcount.children, "adults": headcount.adults,
                  "boys": headcount.boys, "girls": headcount.girls}  # fmt: skip
        return self._store(s, d, (VisitorType.GROUP, group.id), when, source, group.level, counts)

    # --- shared --------------------------------------------------------------------------

    def _locked_recent(self, s: Session, who: Who, when: Moment) -> list[PastVisit]:
        # Two kiosks on one database: the visitor's row is locked (a write lock on SQLite, a
        # row lock on PostgreSQL) before the check, so check and insert are one atomic step;
        # the other kiosk waits, then sees this visit ("welcome back").
        lock_visitor(s, who[0], who[1])
        return self._recent(s, who, when)

    def _recent(self, s: Session, who: Who, when: Moment) -> list[PastVisit]:
        """This visitor's stored visits at this site near `when`, and the one this process
        remembers (with its monotonic reading) while the kiosk runs."""
        start, end = recent_since(when.at, self.repeat_window)
        recent = []
        # This kiosk's visits and the copies of its site's other kiosks' (sync) count alike.
        for table in (Visit, PeerVisit):
            id_col = table.member_id if who[0] is VisitorType.MEMBER else table.group_id
            q = select(table.room, table.at_utc).where(
                id_col == who[1],
                table.site == self.place.site,  # room codes are only unique within a site
                table.at_utc >= start,
                table.at_utc <= end,
            )
            recent += [PastVisit(room, at) for room, at in s.execute(q)]
        if when.live and (seen := self._seen.get(who)) is not None:
            recent.append(seen)
        return recent

    def _store(
        self,
        s: Session,
        d: Decision,
        who: Who,
        when: Moment,
        source: Source | str,
        category: str | None,
        counts: dict[str, Any] | None = None,
    ) -> Decision:
        counts = {"children": 0, "adults": 1, "boys": None, "girls": None, **(counts or {})}
        visit = Visit(
            id=new_id(),
            at_utc=d.at,
            local_day=local_day(d.at),
            site=self.place.site,
            kiosk_id=self.place.kiosk_id,
            room=d.room,
            visitor_type=who[0],
            decision=d.decision,
            category=category,
            headcount=d.headcount,
            source=Source(source),
            member_id=who[1] if who[0] is VisitorType.MEMBER else None,
            group_id=who[1] if who[0] is VisitorType.GROUP else None,
            **counts,
        )
        s.add(visit)
        if when.live:
            assert d.room is not None and when.mono is not None
            self._unsaved[visit.id] = (who, PastVisit(d.room, d.at, when.mono))
        return Decision(
            d.decision,
            d.at,
            d.room,
            d.member,
            d.member_name,
            d.visitor_type,
            visit.id,
            d.detail,
            d.headcount,
        )

    def committed(self, d: Decision | None) -> None:
        """The unit of work that stored `d`'s visit committed: the repeat window starts.
        None: the unit of work failed, and nothing it held counts."""
        entry = self._unsaved.pop(d.visit_id, None) if d and d.visit_id else None
        self._unsaved.clear()  # visits of units that never committed are forgotten
        if entry is not None:
            who, seen = entry
            self._seen[who] = seen

    def _refuse(self, s: Session, text: str, d: Decision) -> Decision:
        self._refusal_log.add(
            s,
            RefusedScan(
                at_utc=d.at,
                local_day=local_day(d.at),
                site=self.place.site,
                kiosk_id=self.place.kiosk_id,
                room=d.room,
                reason=d.decision,
                excerpt=excerpt(text.strip()),
            ),
        )
        return d
