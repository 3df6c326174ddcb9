"""KioskService: the one object the command line and the kiosk screens talk to.

It binds the settings (site, kiosk id, location, repeat window), the layout, the database and
the card keys, and hands plain values back: decisions, member and group infos, counts.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.adapters.db.engine import (
    DatabaseUnavailable,
    checkpoint,
    file_problem,
    make_engine,
    make_sessionmaker,
    schema_status,
)
from kiosk.adapters.db.models import Member, RefusedScan, Visit, new_id
from kiosk.config import ConfigError, Settings
from kiosk.domain.cards import CardKeyError, Keyring, make_payload
from kiosk.domain.checkin import Decision
from kiosk.domain.clock import Clock, local_day
from kiosk.domain.groups import Headcount
from kiosk.domain.members import CardChoice
from kiosk.domain.vocab import Admitted, Channel, Source, VisitorType
from kiosk.layout import Layout, Room, Site, load_layout
from kiosk.services import audit, members, privacy, reports, surveys
from kiosk.services import groups as groups_mod
from kiosk.services.checkin import CheckinDesk, Place, StorageError
from kiosk.services.guests import GuestForm, new_guest
from kiosk.services.members import ImportRow, MemberInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

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
        self._sync_worker: Any = None
        self.desk = CheckinDesk(
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
        self.stop_sync()
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

    @property
    def keyring(self) -> Keyring:
        return self.desk.keyring

    def _committed(self, work: Callable[[Session], T]) -> T:
        """One check-in in one unit of work, committed before its Decision is returned.

        A visit that cannot be committed raises StorageError (nothing is counted). A refusal
        whose log entry cannot be written is still shown: the visitor hears why.
        """
        result: T | None = None
        try:
            with self.sessions.begin() as s:
                result = work(s)
        except SQLAlchemyError as e:
            self.desk.committed(None)
            if isinstance(result, Decision) and not result.counted:
                log.error("could not log a refused scan (%s): %s", result.decision, e)
                return result
            cause = str(getattr(e, "orig", e)) or type(e).__name__
            raise StorageError(f"the visit could not be saved: {cause}") from e
        self.desk.committed(result if isinstance(result, Decision) else None)
        return result

    def identify(self, text: str, source: str = "scan") -> Decision | Identified:
        """A card read at an entrance kiosk: valid (ask the room next) or refused (logged)."""
        self._ensure_storage()
        found = self._committed(lambda s: self.desk.identify(s, text, source=source))
        return found if isinstance(found, Decision) else Identified(MemberInfo.of(found))

    def check_in(
        self, text: str, room: str | None = None, at: datetime | None = None, source: str = "scan"
    ) -> Decision:
        """Check a card in; the visit is committed first, then a mini-survey may be queued.

        A visit back-entered by staff (`at` given) queues nothing: the member is not here.
        """
        self._ensure_storage()
        room = self.room_for(room)
        decision = self._committed(lambda s: self.desk.check_in(s, text, room, at, source))
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

        def store(s: Session) -> Decision:
            s.add(guest)
            s.flush()  # the guest row goes first: no ORM relationship orders the inserts
            visit = Visit(
                id=new_id(),
                at_utc=now,
                local_day=local_day(now),
                site=self.site.code,
                kiosk_id=self.settings.kiosk_id,
                room=room,
                visitor_type=VisitorType.GUEST,
                decision=Admitted.WELCOME,
                category=form.category,
                gender=guest.gender,
                origin_code=guest.origin_code,
                purpose=guest.purpose,
                headcount=1,
                children=0,
                adults=1,
                guest_id=guest.id,
                source=Source.FORM if at is None else Source.PAPER,
            )
            s.add(visit)
            return Decision(
                Admitted.WELCOME,
                now,
                room,
                visitor_type=VisitorType.GUEST,
                visit_id=visit.id,
                headcount=1,
            )

        return self._committed(store)

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
        headcount = Headcount(children, adults, boys, girls)
        room = self.room_for(room)
        return self._committed(
            lambda s: self.desk.group_check_in(s, code, room, headcount, at=at, source=source)
        )

    def group(self, code: str) -> groups_mod.GroupInfo | None:
        with self.sessions() as s:
            found = groups_mod.find_group(s, code)
            return groups_mod.GroupInfo.of(found) if found else None

    def groups_today(self) -> list[groups_mod.GroupInfo]:
        """Today's expected groups at this site (not the cancelled ones)."""
        today = local_day(self.clock.now())
        with self.sessions() as s:
            return [
                g for g in groups_mod.groups_on(s, today, self.site.code, today) if not g.cancelled
            ]

    def add_group(
        self,
        visit_date: date,
        institution: str,
        level: str,
        expected_children: int,
        expected_adults: int,
        leader_name: str | None = None,
        leader_phone: str | None = None,
        purpose: str | None = None,
    ) -> groups_mod.GroupInfo:
        """Register a group visit at this site."""
        with self.sessions.begin() as s:
            group = groups_mod.add_group(
                s,
                self.site.code,
                visit_date,
                institution,
                level,
                expected_children,
                expected_adults,
                leader_name,
                leader_phone,
                purpose,
            )
            s.flush()
            return groups_mod.GroupInfo.of(group)

    def groups_on(self, day: date | None = None) -> list[groups_mod.GroupInfo]:
        """This site's group visits on a day (every day when None), with their arrivals."""
        today = local_day(self.clock.now())
        with self.sessions() as s:
            return groups_mod.groups_on(s, day, self.site.code, today)

    def group_info(self, code: str) -> groups_mod.GroupInfo:
        """One group visit with its arrival; FieldError when there is no such group."""
        with self.sessions() as s:
            return groups_mod.group_info(s, code, local_day(self.clock.now()))

    def cancel_group(self, code: str) -> groups_mod.GroupInfo:
        with self.sessions.begin() as s:
            return groups_mod.cancel_group(s, code, self.clock.now())

    def edit_group(self, code: str, **changes: object) -> groups_mod.GroupInfo:
        with self.sessions.begin() as s:
            return groups_mod.edit_group(s, code, local_day(self.clock.now()), **changes)

    # --- members -------------------------------------------------------------------------

    def add_member(
        self,
        number: str,
        name: str,
        gender: str | None = None,
        category: str | None = None,
        expires: date | None = None,
    ) -> MemberInfo:
        with self.sessions.begin() as s:
            return MemberInfo.of(members.add_member(s, number, name, gender, category, expires))

    def list_members(self, search: str | None = None) -> list[MemberInfo]:
        with self.sessions() as s:
            return members.list_members(s, search)

    def member_record(self, number: str) -> dict[str, object]:
        """Everything kept about a member, for a request to see one's own data."""
        with self.sessions() as s:
            return members.member_record(s, number)

    def import_members(
        self,
        rows: Iterable[ImportRow],
        fields: Collection[str] = members.IMPORT_FIELDS,
        on_row: Callable[[], None] | None = None,
    ) -> tuple[int, int]:
        """Add and update members from a checked file, all or nothing: (added, updated)."""
        with self.sessions.begin() as s:
            return members.apply_import(s, rows, fields, on_row)

    def revoke_card(self, number: str) -> int:
        """Issue the member's next card (earlier cards stop working); the new card seq."""
        with self.sessions.begin() as s:
            return members.revoke_card(s, number)

    def set_suspended(self, number: str, suspended: bool) -> None:
        with self.sessions.begin() as s:
            members.set_suspended(s, number, suspended)

    def erase_member(self, number: str) -> int:
        """Erase a member on request; returns how many visits stay as anonymous counts.

        The write-ahead log is truncated after the commit: the name is left in no file."""
        with self.sessions.begin() as s:
            kept = members.erase_member(s, number)
        checkpoint(self.engine)
        return kept

    def member_cards(
        self, numbers: Iterable[str] | None = None, choice: CardChoice | None = None
    ) -> list[tuple[MemberInfo, str]]:
        """(member, QR payload of their current card) for these members, else for the members
        the choice wants (by default: everyone neither expired nor suspended)."""
        today = local_day(self.clock.now())
        with self.sessions() as s:
            infos = members.cards_for(s, choice or CardChoice(), today, numbers)
        return [(i, make_payload(i.number, i.card_seq, self.keyring)) for i in infos]

    def renew_member(
        self, number: str, until: date | None = None, months: int | None = None
    ) -> MemberInfo:
        with self.sessions.begin() as s:
            return members.renew_member(s, number, local_day(self.clock.now()), until, months)

    def edit_member(self, number: str, **changes: str | None) -> MemberInfo:
        with self.sessions.begin() as s:
            return members.edit_member(s, number, **changes)

    def purge_personal_data(self, now: datetime | None = None) -> privacy.Purged:
        """Apply every retention period of the settings (guests' and group leaders' personal
        fields, member visit links, refusal excerpts, closed survey-queue rows), then
        truncate the write-ahead log; counts stay."""
        now = now or self.clock.now()
        with self.sessions.begin() as s:
            done = privacy.purge(s, self.settings, now)
        checkpoint(self.engine)
        return done

    # --- the access log of personal data ------------------------------------------------

    def log_access(
        self,
        action: str,
        subject: str,
        rows: int,
        channel: str = "cli",
        actor: str | None = None,
    ) -> None:
        """Record that names were listed, shown, printed or exported (committed at once,
        apart from any other work)."""
        with self.sessions.begin() as s:
            audit.log_access(
                s, self.clock.now(), self.site.code, action, subject, rows, channel, actor
            )

    def access_log(self, since: datetime | None = None, limit: int = 200) -> list[audit.Access]:
        """The newest `limit` accesses (since `since`), oldest first."""
        with self.sessions() as s:
            return audit.read_log(s, since, limit)

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
        member = decision.visitor_type is VisitorType.MEMBER
        if not (decision.accepted and decision.counted and member) or decision.member is None:
            return False
        try:
            with self.sessions.begin() as s:
                found = members.find_member(s, decision.member)
                if found is None:
                    return False
                member_id = found.id
                rules = surveys.SurveyRules.from_settings(self.settings)
                row = surveys.maybe_queue(
                    s, member_id, self.site.code, decision.at, rules, self.survey_rng
                )
                return row is not None
        except SQLAlchemyError:
            log.exception("could not queue a survey")
            return False

    def survey_for(self, member_number: str) -> surveys.SurveyPrompt | None:
        """The member's pending mini-survey from an earlier visit, if any (only a look: call
        `survey_shown` when it is really on screen)."""
        now = self.clock.now()
        with self.sessions.begin() as s:
            found = members.find_member(s, member_number)
            return None if found is None else surveys.due_prompt(s, found.id, now)

    def survey_shown(self, prompt_id: uuid.UUID) -> bool:
        """The survey screen appeared: the survey is never offered again."""
        with self.sessions.begin() as s:
            return surveys.mark_shown(s, prompt_id, self.clock.now())

    def answer_survey(self, prompt_id: uuid.UUID, answers: dict[str, int]) -> None:
        """Store the answers anonymously and close the survey."""
        with self.sessions.begin() as s:
            surveys.answer_prompt(s, prompt_id, answers, self.clock.now(), self.site.code)

    def skip_survey(self, prompt_id: uuid.UUID) -> None:
        """Close the survey with no answer (a skip is never an answer)."""
        with self.sessions.begin() as s:
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
        with self.sessions.begin() as s:
            surveys.record_answers(s, std, answers, std.codes, day, self.site.code, Channel.RATING)

    def daily_report(self, day: date | None = None) -> reports.DailyReport:
        """A day's counts at this site (default today), for the staff screen and its export."""
        with self.sessions() as s:
            return reports.daily_report(
                s, day or local_day(self.clock.now()), self.site.code, self.rooms
            )

    # --- sync with a central server (only when this kiosk is enrolled) ------------------

    def sync_status(self) -> Any:
        """Queued and quarantined counts, last push and pull (a SyncStatus), or None when
        this kiosk works alone."""
        from kiosk.services import sync_kiosk

        with self.sessions() as s:
            status = sync_kiosk.sync_status(s)
        return status if status.enrolled else None

    def start_sync(self, camera: Callable[[], str | None] = lambda: None) -> bool:
        """Start the sync worker on its own thread if this kiosk is enrolled."""
        from kiosk.services import sync_kiosk, sync_worker

        if self._sync_worker is not None or self.sync_status() is None:
            return False

        def make() -> sync_kiosk.KioskSync:
            sync = sync_kiosk.KioskSync(self.settings, self.engine, self.clock, camera)
            sync.keys_changed = self._keys_changed
            return sync

        self._sync_worker = sync_worker.SyncWorker(make)
        self._sync_worker.start()
        return True

    def stop_sync(self) -> None:
        if self._sync_worker is not None:
            self._sync_worker.stop()
            self._sync_worker = None

    def _keys_changed(self, keyring: Keyring) -> None:
        """New card keys from the server (a key rotation): cards signed with them work now."""
        self.desk.keyring = keyring
