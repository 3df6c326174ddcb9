"""Database models (SQLAlchemy 2.0). The same models run on SQLite and PostgreSQL.

Records that travel between sites (visits, members, guests, groups, refused scans) have UUID
keys made where they are created, so offline branch kiosks never collide when they sync.
Times are stored as UTC; `local_day` is the library's day (Asia/Jakarta), written once by
`kiosk.domain.clock.local_day` so every report cuts days at the same midnight.
Columns holding a word of the shared vocabulary (`kiosk.domain.vocab`) are typed with its
StrEnums and the database refuses any other value (a CHECK constraint, migration 0003).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Uuid,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from kiosk.domain.vocab import Admitted, Channel, Refusal, Source, SurveyStatus, VisitorType


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def _now() -> datetime:
    return datetime.now(UTC)


def vocab(enum: type[StrEnum], name: str, length: int) -> Enum:
    """A column type for one closed word list: stores the value, refuses any other word.

    `length` keeps the column's VARCHAR size as it was; the CHECK constraint is named
    ck_<table>_<name> (see Base.metadata) so that migrations can find it on every database.
    """
    return Enum(
        enum,
        name=name,
        length=length,
        native_enum=False,  # a VARCHAR and a CHECK: the same on SQLite and PostgreSQL
        create_constraint=True,
        validate_strings=False,  # a stray word reaches the CHECK, which names the column
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",  # SQLAlchemy's default, as the indexes were made
            "ck": "ck_%(table_name)s_%(constraint_name)s",
        }
    )


class Member(Base):
    __tablename__ = "members"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(1))  # L / P
    category: Mapped[str | None] = mapped_column(String(40))  # member type, e.g. Umum, Pelajar
    expires: Mapped[date | None] = mapped_column(Date)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    card_seq: Mapped[int] = mapped_column(Integer, default=1)  # cards with a lower seq are revoked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, onupdate=_now)


class Guest(Base):
    """A non-member's answers. Personal fields are purged after the retention period."""

    __tablename__ = "guests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    category: Mapped[str] = mapped_column(String(30))
    gender: Mapped[str] = mapped_column(String(1))
    origin_code: Mapped[str | None] = mapped_column(String(8))  # kabupaten/kota code, e.g. 16.05
    origin_other: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(30))
    name: Mapped[str | None] = mapped_column(String(120))
    institution: Mapped[str | None] = mapped_column(String(120))  # school, office (optional)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Group(Base):
    """A pre-registered school or kindergarten outing. Children are only ever headcounts."""

    __tablename__ = "groups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    site: Mapped[str] = mapped_column(String(16))
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    institution: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))  # PAUD TK SD SMP SMA PT LAINNYA
    expected_children: Mapped[int] = mapped_column(Integer)
    expected_adults: Mapped[int] = mapped_column(Integer)
    leader_name: Mapped[str | None] = mapped_column(String(120))
    leader_phone: Mapped[str | None] = mapped_column(String(30))
    purpose: Mapped[str | None] = mapped_column(String(120))  # e.g. "library tour, storytelling"
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # kept for the record
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Visit(Base):
    """One person, or one group with a headcount, entering a room."""

    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[str] = mapped_column(String(40))
    room: Mapped[str] = mapped_column(String(16))
    visitor_type: Mapped[VisitorType] = mapped_column(vocab(VisitorType, "visitor_type", 6))
    # welcome (a new arrival) or moved (a new room); welcome_back stores no visit
    decision: Mapped[Admitted] = mapped_column(vocab(Admitted, "decision", 12))
    category: Mapped[str | None] = mapped_column(String(40))
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    children: Mapped[int] = mapped_column(Integer, default=0)
    adults: Mapped[int] = mapped_column(Integer, default=1)
    boys: Mapped[int | None] = mapped_column(Integer)  # children by gender, when the leader knows
    girls: Mapped[int | None] = mapped_column(Integer)
    # The member's or guest's gender ("L"/"P") when the visit was made, None when not given
    # (groups give boys and girls instead). Kept on the visit so that counting needs no join,
    # and kept when a member is erased: with the member gone, gender, room and day identify
    # no one, and last year's figures stay the same (README, Privacy).
    gender: Mapped[str | None] = mapped_column(String(1))
    # A guest's kabupaten/kota and purpose, copied from the guest's record (which never
    # changes them, and keeps them when it is purged): reports count them without a join.
    origin_code: Mapped[str | None] = mapped_column(String(8))
    purpose: Mapped[str | None] = mapped_column(String(30))
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    guest_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guests.id", ondelete="SET NULL"))
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    source: Mapped[Source] = mapped_column(vocab(Source, "source", 10))

    __table_args__ = (
        Index("ix_visits_day_room", "local_day", "room"),
        Index("ix_visits_site_day", "site", "local_day"),
        Index("ix_visits_member_at", "member_id", "at_utc"),
    )


class RefusedScan(Base):
    """A card the kiosk refused, with why and a short, bounded excerpt of what it read."""

    __tablename__ = "refused_scans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date, index=True)
    site: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[str] = mapped_column(String(40))
    room: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[Refusal] = mapped_column(vocab(Refusal, "reason", 20))
    excerpt: Mapped[str] = mapped_column(String(80))
    # The same text refused again soon after is counted here, not stored again (a forged
    # animated QR in front of the camera would otherwise add 30 rows a second).
    repeats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AccessRecord(Base):
    """Who saw or took members' personal data: when, how, what and how many rows (UU 27/2022).

    It names the person asking (an operating-system user, the staff screen), never the
    members shown.
    """

    __tablename__ = "access_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    site: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(80))  # user@host, or "staff screen <kiosk id>"
    channel: Mapped[str] = mapped_column(String(8))  # cli | screen | server
    action: Mapped[str] = mapped_column(String(20))  # list | show | export | print | erase ...
    subject: Mapped[str] = mapped_column(String(160))  # what: a search, a number, a file
    rows: Mapped[int] = mapped_column(Integer)


# --- satisfaction survey (SKM / IKM) ---------------------------------------------------------
# The queue knows the member; answers do not. A QueuedSurvey row never points at its answers
# and answer rows carry only the day (no time, no member, no prompt), so the published
# answers cannot be joined back to a person.


class QueuedSurvey(Base):
    """A mini-survey waiting for a member's next visit: pending, shown, then closed (answered,
    skipped and expired alike, so the row no longer says which)."""

    __tablename__ = "survey_queue"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(16))
    standard: Mapped[str] = mapped_column(String(24))  # kiosk.domain.ikm standard code
    elements: Mapped[str] = mapped_column(String(40))  # element codes, comma separated
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_day: Mapped[date] = mapped_column(Date)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[SurveyStatus] = mapped_column(
        vocab(SurveyStatus, "status", 8), default=SurveyStatus.PENDING
    )

    __table_args__ = (Index("ix_survey_queue_member_day", "member_id", "queued_day"),)


class SurveyRespondent(Base):
    """One anonymous respondent (random id): a mini-survey, a visit rating or a paper form.

    The profile fields are optional answers of paper forms; names are never kept.
    """

    __tablename__ = "survey_respondents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    standard: Mapped[str] = mapped_column(String(24))
    local_day: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(vocab(Channel, "channel", 6))
    gender: Mapped[str | None] = mapped_column(String(1))  # L / P
    age_band: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(40))
    occupation: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_survey_respondents_std_day", "standard", "local_day"),)


class SurveyAnswer(Base):
    """One answer (1-4) to one element. A skipped question has no row."""

    __tablename__ = "survey_answers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    respondent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_respondents.id", ondelete="CASCADE")
    )
    standard: Mapped[str] = mapped_column(String(24))
    element: Mapped[str] = mapped_column(String(4))
    value: Mapped[int] = mapped_column(Integer)
    local_day: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(vocab(Channel, "channel", 6))

    __table_args__ = (Index("ix_survey_answers_std_day", "standard", "local_day", "element"),)


class SurveyImport(Base):
    """A paper survey file already imported, by the hash of its bytes: the same file twice
    would double every count, so it is refused unless staff say --again."""

    __tablename__ = "survey_imports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    digest: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the file
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    standard: Mapped[str] = mapped_column(String(24))
    site: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)


class SurveySuggestion(Base):
    """A suggestion ("Saran") written on a paper form. Kept apart from the respondents and
    their answers: nothing links a suggestion to a person or a profile."""

    __tablename__ = "survey_suggestions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    standard: Mapped[str] = mapped_column(String(24))
    local_day: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500))

    __table_args__ = (Index("ix_survey_suggestions_std_day", "standard", "local_day"),)


# Covering index for counting (migration 0008): every figure of a report, the year report
# and the IPLM export (room visits, people, gender, guests' origin and purpose, per hour) is
# read from the index alone, without joining members or guests. The day range comes first;
# site and room next so that per-site and per-room groupings come out of the index in order
# (tools/bench_reports.py compares this order with a site-first one and with the index it
# replaced).
Index(
    "ix_visits_counting",
    Visit.local_day,
    Visit.site,
    Visit.room,
    Visit.visitor_type,
    Visit.category,
    Visit.gender,
    Visit.headcount,
    Visit.boys,
    Visit.girls,
    Visit.at_utc,
    Visit.member_id,
    Visit.origin_code,
    Visit.purpose,
)


# --- counts kept up to date by the database (migration 0011) ---------------------------------
# Triggers on `visits` (SQLite and PostgreSQL, db/versions/0011_day_counts.py) add every
# inserted visit in, take every deleted one out and move every changed one, whatever wrote it
# (a check-in, a sync batch, a COPY, an erasure). The dashboard's Trends read ten years from
# these instead of 1.5 million visits; kiosk.services.day_counts says how.


class _VisitCounts:
    """Room visits of one site, room, visitor type, category and gender in a day or month."""

    site: Mapped[str] = mapped_column(String(16), primary_key=True)
    room: Mapped[str] = mapped_column(String(16), primary_key=True)
    visitor_type: Mapped[str] = mapped_column(String(6), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" when not given
    gender: Mapped[str] = mapped_column(String(1), primary_key=True)  # "" when not given
    heads: Mapped[int] = mapped_column(Integer)  # room visits (a group's headcount)
    records: Mapped[int] = mapped_column(Integer)  # visits (rows)
    boys: Mapped[int] = mapped_column(Integer)
    girls: Mapped[int] = mapped_column(Integer)
    # member visits with no member (erased): each one person of its own, as reports count them
    unnamed: Mapped[int] = mapped_column(Integer)


class DayCount(_VisitCounts, Base):
    __tablename__ = "visit_day_counts"

    local_day: Mapped[date] = mapped_column(Date, primary_key=True)


class MonthCount(_VisitCounts, Base):
    __tablename__ = "visit_month_counts"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day


class MemberMonth(Base):
    """A member who came to a site at least once in a month (its first day): members counted
    once over a long period without reading every visit of it."""

    __tablename__ = "visit_member_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    site: Mapped[str] = mapped_column(String(16), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


# --- sync between kiosks and the central server (issue 11) -----------------------------------
# Kiosk side: sync_state (one row once enrolled) and sync_outbox (a row per record to push,
# written in the record's own transaction by kiosk.adapters.db.outbox). Central side:
# sync_kiosks (enrolled devices, token hashes only), sync_receipts (the server's receipt of
# each pushed record, with both clocks and flags) and sync_changes (the pull sequence).


class SyncState(Base):
    """What this database is in the network: a kiosk enrolled at a server, or the central one."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    role: Mapped[str] = mapped_column(String(8))  # kiosk | central
    server_url: Mapped[str | None] = mapped_column(String(300))
    kiosk_id: Mapped[str | None] = mapped_column(String(40))
    site: Mapped[str | None] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(16))
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    peer_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keys_fingerprint: Mapped[str | None] = mapped_column(String(64))
    layout_fingerprint: Mapped[str | None] = mapped_column(String(64))
    last_push: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the kiosk's clock


class OutboxItem(Base):
    """A record waiting to be pushed; its data is read when it is sent (purges apply)."""

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    meta: Mapped[str | None] = mapped_column(String(200))  # JSON, e.g. the card seq seen
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    quarantined: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_sync_outbox_queue", "quarantined", "id"),)


class SyncKiosk(Base):
    """An enrolled kiosk as the central server knows it."""

    __tablename__ = "sync_kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    site: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_contact: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[str | None] = mapped_column(String(40))
    queued: Mapped[int | None] = mapped_column(Integer)
    quarantined: Mapped[int | None] = mapped_column(Integer)
    camera: Mapped[str | None] = mapped_column(String(40))
    free_disk_mb: Mapped[int | None] = mapped_column(Integer)
    clock_offset_s: Mapped[int | None] = mapped_column(Integer)  # kiosk minus server
    clock_flag: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncReceipt(Base):
    """The server's receipt of one pushed record: both clocks, who sent it, what is odd."""

    __tablename__ = "sync_receipts"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[str] = mapped_column(String(40))
    kiosk_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    flags: Mapped[str] = mapped_column(String(80), default="")  # comma separated

    __table_args__ = (Index("ix_sync_receipts_site_received", "site", "received_at"),)


class SyncChange(Base):
    """The pull sequence: a member or group changed on the central database."""

    __tablename__ = "sync_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # member | group
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


# --- the central dashboard's accounts (kiosk.services.web_accounts) ---------------------------


class WebUser(Base):
    """A person who logs in to the central dashboard: admin, manager, or staff of one site."""

    __tablename__ = "web_users"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # admin | manager | staff
    site: Mapped[str | None] = mapped_column(String(16))  # staff only: the one site they see
    password_hash: Mapped[str] = mapped_column(String(200))  # scrypt$N$r$p$salt$hash
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class WebSession(Base):
    """A logged-in browser: only the hash of the cookie's token is kept, with its CSRF token.

    In the database (not in a worker's memory) so that any server process serves any request.
    """

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(
        String(40), ForeignKey("web_users.name", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebLoginFailure(Base):
    """One wrong password for a known account; enough of them in a while lock the account."""

    __tablename__ = "web_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(
        String(40), ForeignKey("web_users.name", ondelete="CASCADE")
    )
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_web_login_failures_user_at", "user_name", "at_utc"),)


class PeerVisit(Base):
    """A recent visit of another kiosk of this site, pulled so that *welcome back* and *moved*
    hold across kiosks. A copy, apart from `visits`: this kiosk never counts, exports or pushes
    it, and drops it once it is older than the peer window."""

    __tablename__ = "peer_visits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    site: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[str] = mapped_column(String(40))
    room: Mapped[str] = mapped_column(String(16))
    # No foreign keys: an erased member's copies are deleted with the member (members.erase).
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class EnrolFailure(Base):
    """A wrong enrolment code sent to the central server, by client address. Counted in the
    database (not in a server's memory) so the limit holds across server processes."""

    __tablename__ = "sync_enrol_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    client: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_sync_enrol_failures_client_at", "client", "at_utc"),)
