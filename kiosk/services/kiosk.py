"""KioskService: the one object the command line and the kiosk screens talk to.

It binds the settings (site, kiosk id, location, repeat window), the layout, the database and
the card keys, and hands plain values back: decisions, member and group infos, counts.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.adapters.db.engine import (
    DatabaseUnavailable,
    file_problem,
    make_engine,
    make_sessionmaker,
    schema_status,
)
from kiosk.adapters.db.models import Member, RefusedScan, Visit
from kiosk.config import ConfigError, Settings
from kiosk.domain.cards import CardKeyError, Keyring
from kiosk.domain.clock import Clock, local_day
from kiosk.layout import Layout, Room, Site, load_layout
from kiosk.services import groups as groups_mod
from kiosk.services import surveys
from kiosk.services.checkin import CheckinDesk, Decision, Place, StorageError, commit_or_raise
from kiosk.services.guests import GuestForm, new_guest
from kiosk.services.members import MemberInfo

ENTRANCE = "entrance"


__all__ = ["Identified", "KioskService", "NotReady", "StorageError"]


class NotReady(RuntimeError):
    """The database or card keys are not set up: the message says which command fixes it."""


@dataclass(frozen=True)
class Identified:
    """A valid card at an entrance kiosk, before the visitor picks a room."""

    member: MemberInfo


class KioskService:
    def __init__(
        self,
        settings: Settings,
        layout: Layout,
        engine: Engine,
        keyring: Keyring,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.layout = layout
        self.site: Site = layout.site(settings.site)
        if settings.location != ENTRANCE and self.site.room(settings.location) is None:
            rooms = ", ".join(r.code for r in self.site.rooms)
            raise ConfigError(
                settings.source,
                "kiosk.location",
                f"{settings.location!r} is neither 'entrance' nor a room of {self.site.code} "
                f"({rooms})",
            )
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.clock = clock or Clock()
        self.survey_rng = Random()  # tests put a seeded one here
        self.desk = CheckinDesk(
            sessions=self.sessions,
            place=Place(settings.site, settings.kiosk_id),
            keyring=keyring,
            clock=self.clock,
            repeat_window=timedelta(minutes=settings.repeat_window_minutes),
            legacy_barcodes=settings.legacy_barcodes,
        )

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> KioskService:
        layout = load_layout(settings.layout_file)
        try:
            engine = make_engine(settings.database_url, create=False)
        except DatabaseUnavailable as e:
            raise NotReady(str(e)) from None
        current, head = schema_status(engine)
        if current != head:
            engine.dispose()
            state = "is empty" if current is None else f"is at schema {current}, newest is {head}"
            raise NotReady(f"the database {state}: run `kiosk init`")
        try:
            keyring = Keyring.load(settings.key_file)
        except CardKeyError as e:
            engine.dispose()
            raise NotReady(str(e)) from None
        return cls(settings, layout, engine, keyring, clock)

    def close(self) -> None:
        self.engine.dispose()

    def storage_problem(self) -> str | None:
        """One line when the database can no longer be trusted (its file was deleted or
        replaced under the running kiosk), else None. The kiosk then greets nobody: the
        screen shows this in a red banner and the check-ins raise StorageError."""
        return file_problem(self.engine)

    def _ensure_storage(self) -> None:
        problem = self.storage_problem()
        if problem is not None:
            raise StorageError(f"{problem}: nothing is saved; restart the kiosk")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends without error, else rolled back."""
        with self.sessions() as s, s.begin():
            yield s

    # --- where -------------------------------------------------------------------------

    @property
    def at_entrance(self) -> bool:
        return self.settings.location == ENTRANCE

    @property
    def rooms(self) -> tuple[Room, ...]:
        return self.site.rooms

    def room_for(self, room: str | None) -> str:
        """The room a visit is logged in: the one asked for, else the kiosk's own room."""
        if room is None:
            if self.at_entrance:
                codes = ", ".join(r.code for r in self.rooms)
                raise ValueError(f"this kiosk is at the entrance: say which room ({codes})")
            return self.settings.location
        if self.site.room(room) is None:
            codes = ", ".join(r.code for r in self.rooms)
            raise ValueError(f"no room {room!r} at {self.site.code} (rooms: {codes})")
        return room

    # --- check-in ----------------------------------------------------------------------

    def identify(self, text: str, source: str = "scan") -> Decision | Identified:
        """A card read at an entrance kiosk: valid (ask the room next) or refused (logged)."""
        self._ensure_storage()
        found = self.desk.identify(text, source=source)
        return found if isinstance(found, Decision) else Identified(MemberInfo.of(found))

    def check_in(
        self, text: str, room: str | None = None, at: datetime | None = None, source: str = "scan"
    ) -> Decision:
        """Check a card in; the visit is committed first, then a mini-survey may be queued.

        A visit back-entered by staff (`at` given) queues nothing: the member is not here.
        """
        self._ensure_storage()
        decision = self.desk.check_in(text, self.room_for(room), at=at, source=source)
        if at is None:
            self.maybe_queue_survey(decision)
        return decision

    def guest_check_in(
        self, form: GuestForm, room: str | None = None, at: datetime | None = None
    ) -> Decision:
        self._ensure_storage()
        room = self.room_for(room)
        now = at or self.clock.now()
        guest = new_guest(form, now)
        with self.sessions() as s:
            s.add(guest)
            visit = Visit(
                at_utc=now,
                local_day=local_day(now),
                site=self.site.code,
                kiosk_id=self.settings.kiosk_id,
                room=room,
                visitor_type="guest",
                decision="welcome",
                category=form.category,
                headcount=1,
                children=0,
                adults=1,
                guest_id=guest.id,
                source="form" if at is None else "paper",
            )
            s.add(visit)
            commit_or_raise(s)
            return Decision(
                "welcome", now, room, visitor_type="guest", visit_id=visit.id, headcount=1
            )

    def group_check_in(
        self,
        code: str,
        children: int,
        adults: int,
        room: str | None = None,
        boys: int | None = None,
        girls: int | None = None,
        at: datetime | None = None,
        source: str = "scan",
    ) -> Decision:
        self._ensure_storage()
        return self.desk.group_check_in(
            code,
            self.room_for(room),
            children,
            adults,
            boys,
            girls,
            at=at,
            source=source,
        )

    def group(self, code: str) -> groups_mod.GroupInfo | None:
        code = code.strip().removeprefix(groups_mod.GROUP_PREFIX).upper()
        with self.sessions() as s:
            found = s.scalar(select(groups_mod.Group).where(groups_mod.Group.code == code))
            return groups_mod.GroupInfo.of(found) if found else None

    def groups_today(self) -> list[groups_mod.GroupInfo]:
        with self.sessions() as s:
            return groups_mod.groups_on(s, local_day(self.clock.now()), self.site.code)

    # --- numbers for the staff screen ---------------------------------------------------

    def counts_on(self, day: date | None = None) -> dict[str, dict[str, int]]:
        """Headcount per room and visitor type on a local day (this site)."""
        day = day or local_day(self.clock.now())
        q = (
            select(Visit.room, Visit.visitor_type, func.sum(Visit.headcount))
            .where(Visit.local_day == day, Visit.site == self.site.code)
            .group_by(Visit.room, Visit.visitor_type)
        )
        counts: dict[str, dict[str, int]] = {r.code: {} for r in self.rooms}
        with self.sessions() as s:
            for room, kind, n in s.execute(q):
                counts.setdefault(room, {})[kind] = int(n)
        return counts

    def recent_refusals(self, limit: int = 10) -> list[tuple[datetime, str, str]]:
        q = (
            select(RefusedScan.at_utc, RefusedScan.reason, RefusedScan.excerpt)
            .where(RefusedScan.site == self.site.code)
            .order_by(RefusedScan.at_utc.desc())
            .limit(limit)
        )
        with self.sessions() as s:
            return [tuple(row) for row in s.execute(q)]

    def member_count(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count(Member.id))) or 0

    # --- surveys, reports and exports ---------------------------------------------------

    def maybe_queue_survey(self, decision: Decision) -> bool:
        """After an accepted, counted member visit: maybe queue a survey for the next visit.

        The visit is already stored; a failure here is logged and never refuses the visitor.
        """
        if not (decision.accepted and decision.counted and decision.visitor_type == "member"):
            return False
        if decision.member is None:
            return False
        try:
            with self.session() as s:
                member_id = s.scalar(select(Member.id).where(Member.number == decision.member))
                if member_id is None:
                    return False
                rules = surveys.SurveyRules.from_settings(self.settings)
                row = surveys.maybe_queue(
                    s, member_id, self.site.code, decision.at, rules, self.survey_rng
                )
                return row is not None
        except SQLAlchemyError:
            logging.getLogger(__name__).exception("could not queue a survey")
            return False

    def survey_for(self, member_number: str) -> surveys.SurveyPrompt | None:
        """The member's pending mini-survey from an earlier visit, if any (only a look: call
        `survey_shown` when it is really on screen)."""
        now = self.clock.now()
        with self.session() as s:
            member_id = s.scalar(select(Member.id).where(Member.number == member_number))
            if member_id is None:
                return None
            return surveys.due_prompt(s, member_id, now)

    def survey_shown(self, prompt_id: uuid.UUID) -> bool:
        """The survey screen appeared: the survey is never offered again."""
        with self.session() as s:
            return surveys.mark_shown(s, prompt_id, self.clock.now())

    def answer_survey(self, prompt_id: uuid.UUID, answers: dict[str, int]) -> None:
        """Store the answers anonymously and close the survey."""
        with self.session() as s:
            surveys.answer_prompt(s, prompt_id, answers, self.clock.now(), self.site.code)

    def skip_survey(self, prompt_id: uuid.UUID) -> None:
        """Close the survey with no answer (a skip is never an answer)."""
        with self.session() as s:
            surveys.skip_prompt(s, prompt_id)

    def rating_questions(self) -> list[surveys.Question]:
        """Questions for "rate your visit" (home screen): the least-answered elements."""
        std = surveys.standard_for(self.settings.survey_standard)
        with self.sessions() as s:
            codes = surveys.pick(s, std, self.settings.survey_elements, self.clock.now(), Random())
        return list(surveys.questions(std, codes))

    def record_rating(self, answers: dict[str, int]) -> None:
        """An anonymous visit rating (guests, people leaving): any element of the standard."""
        std = surveys.standard_for(self.settings.survey_standard)
        day = local_day(self.clock.now())
        with self.session() as s:
            surveys.record_answers(s, std, answers, std.codes, day, self.site.code, "rating")

    def export_today(self, folder: Path, fmt: str = "xlsx") -> Path:
        """Today's visit counts for the staff screen's USB export (as `kiosk export daily`)."""
        from kiosk.adapters.render import exports

        day = local_day(self.clock.now())
        with self.sessions() as s:
            return exports.write_daily(
                s, day, self.site.code, Path(folder), fmt, self.settings.language, self.rooms
            )
