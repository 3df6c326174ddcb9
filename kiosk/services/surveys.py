"""Satisfaction survey (SKM) at the kiosk: the mini-survey queue, visit ratings, paper forms.

Privacy (UU 27/2022, survey answers apart from identities): while a survey waits, its queue
row knows the member and which elements to ask. Answers are stored as anonymous respondents
(random id) with the day, site and channel only: no member id, no prompt id, no time of day.
When a survey ends (answered, skipped or expired alike) its queue row is *closed*: the elements
are erased and the status becomes the one neutral value "closed", so the row no longer says
what was asked nor whether it was answered, and the rotated pair of elements cannot be used to
join the answers back to the member. A closed row keeps only the member and the day it was
queued, which the "one survey per member per `min_days`" rule needs.

Queue rules (settings `survey.*`): after a member's accepted, counted visit, with probability
`chance`, and only when the member had no survey queued in the last `min_days` days, queue
`elements` elements picked by `ikm.pick_elements` (the least-answered this year first, so every
element gathers answers evenly). The survey is shown at the member's next visit on a later
day (a room change on the same day is the same library visit). `due_prompt` only looks;
`mark_shown` records that the survey screen really appeared, and a shown survey is never
offered again. After `expire_days` a survey still pending or shown is closed. A skip closes the
survey and leaves no respondent and no answer: a skip is never an answer. Skips are not
counted (nothing reports them, and a count per member would undo the closing); answers that
a visitor gave before skipping the rest are kept, each is valid on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from random import Random

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import QueuedSurvey, SurveyAnswer, SurveyRespondent
from kiosk.adapters.files.paper_survey import PaperImport
from kiosk.adapters.files.paper_survey import parse_paper_file as parse_paper_file  # callers
from kiosk.domain import ikm
from kiosk.domain.clock import local_day
from kiosk.domain.surveys import (
    PROFILE_FIELDS,
    SETTING_STANDARDS,
    Question,
    SurveyPrompt,
    SurveyRules,
    check_answers,
    questions,
    standard_for,
)
from kiosk.domain.vocab import Channel, SurveyStatus

__all__ = [
    "SETTING_STANDARDS",
    "PaperImport",
    "Question",
    "SurveyPrompt",
    "SurveyRules",
    "answer_prompt",
    "due_prompt",
    "expire",
    "mark_shown",
    "maybe_queue",
    "parse_paper_file",
    "pick",
    "questions",
    "record_answers",
    "skip_prompt",
    "standard_for",
    "store_paper",
]

# A queue row is pending (waiting for the next visit), shown (on screen now) or closed.
PENDING, SHOWN, CLOSED = SurveyStatus.PENDING, SurveyStatus.SHOWN, SurveyStatus.CLOSED
OPEN = (PENDING, SHOWN)


# --- rotation ------------------------------------------------------------------------------


def answer_counts(s: Session, std: ikm.Standard, since: date, now: datetime) -> dict[str, int]:
    """Answers per element since `since`, plus questions already queued and not yet closed.

    Counting the queued ones keeps a burst of visits from all being asked the same element.
    """
    counts = dict.fromkeys(std.codes, 0)
    q = (
        select(SurveyAnswer.element, func.count())
        .where(SurveyAnswer.standard == std.code, SurveyAnswer.local_day >= since)
        .group_by(SurveyAnswer.element)
    )
    for code, n in s.execute(q):
        if code in counts:
            counts[code] += int(n)
    open_q = select(QueuedSurvey.elements).where(
        QueuedSurvey.standard == std.code,
        QueuedSurvey.status.in_(OPEN),
        QueuedSurvey.expires_at > now,
    )
    for elements in s.scalars(open_q):
        for code in elements.split(","):
            if code in counts:
                counts[code] += 1
    return counts


def pick(s: Session, std: ikm.Standard, k: int, now: datetime, rng: Random) -> list[str]:
    year_start = date(local_day(now).year, 1, 1)  # the IKM is reported per year
    return ikm.pick_elements(answer_counts(s, std, year_start, now), k, rng)


# --- the queue -----------------------------------------------------------------------------


def maybe_queue(
    s: Session,
    member_id: uuid.UUID,
    site: str,
    now: datetime,
    rules: SurveyRules,
    rng: Random,
) -> QueuedSurvey | None:
    """Queue a mini-survey for this member's next visit, if the rules allow one now."""
    today = local_day(now)
    recent = select(QueuedSurvey.id).where(
        QueuedSurvey.member_id == member_id,
        (QueuedSurvey.queued_day > today - timedelta(days=rules.min_days))
        | (QueuedSurvey.status.in_(OPEN) & (QueuedSurvey.expires_at > now)),
    )
    if s.scalar(recent.limit(1)) is not None:
        return None
    if rng.random() >= rules.chance:
        return None
    codes = pick(s, rules.standard, rules.elements, now, rng)
    row = QueuedSurvey(
        member_id=member_id,
        site=site,
        standard=rules.standard.code,
        elements=",".join(codes),
        queued_at=now,
        queued_day=today,
        expires_at=now + timedelta(days=rules.expire_days),
        status=PENDING,
    )
    s.add(row)
    return row


def expire(s: Session, now: datetime) -> int:
    """Close every survey, pending or shown, whose time is over; returns how many.

    Rows from before surveys were closed this way ("answered", "skipped", "expired", with their
    elements) are closed too, so that old answers cannot be joined back to members either.
    """
    overdue = QueuedSurvey.status.in_(OPEN) & (QueuedSurvey.expires_at <= now)
    legacy = QueuedSurvey.status.not_in((*OPEN, CLOSED))
    result = s.execute(
        update(QueuedSurvey).where(overdue | legacy).values(status=CLOSED, elements="")
    )
    return int(result.rowcount or 0)


def due_prompt(s: Session, member_id: uuid.UUID, now: datetime) -> SurveyPrompt | None:
    """The member's pending survey from an earlier day, if any. Only a look: `mark_shown` records
    that it really appeared (a survey that never reached the screen stays pending)."""
    expire(s, now)
    row = s.scalar(
        select(QueuedSurvey)
        .where(
            QueuedSurvey.member_id == member_id,
            QueuedSurvey.status == PENDING,
            QueuedSurvey.queued_day < local_day(now),
        )
        .order_by(QueuedSurvey.queued_at)
        .limit(1)
    )
    if row is None:
        return None
    std = ikm.get_standard(row.standard)
    codes = row.elements.split(",")
    return SurveyPrompt(row.id, std.code, questions(std, codes), std.answers)


def _open_prompt(s: Session, prompt_id: uuid.UUID) -> QueuedSurvey:
    row = s.get(QueuedSurvey, prompt_id)
    if row is None:
        raise LookupError(f"no survey {prompt_id}")
    if row.status not in OPEN:
        raise ValueError(f"survey {prompt_id} is already closed")
    return row


def _close(row: QueuedSurvey) -> None:
    # The same for answered, skipped and expired: nothing left says what was asked or answered.
    row.status = CLOSED
    row.elements = ""


def mark_shown(s: Session, prompt_id: uuid.UUID, now: datetime) -> bool:
    """The survey screen appeared: it is never offered again. False when no longer open."""
    row = s.get(QueuedSurvey, prompt_id)
    if row is None or row.status != PENDING or row.expires_at <= now:
        return False
    row.status = SHOWN
    return True


def answer_prompt(
    s: Session, prompt_id: uuid.UUID, answers: Mapping[str, int], now: datetime, site: str
) -> None:
    """Store the answers anonymously and close the survey (questions left out stay unanswered)."""
    row = _open_prompt(s, prompt_id)
    std = ikm.get_standard(row.standard)
    record_answers(s, std, answers, row.elements.split(","), local_day(now), site, Channel.MINI)
    _close(row)


def skip_prompt(s: Session, prompt_id: uuid.UUID) -> None:
    """Close the survey without an answer: no respondent, no answer row."""
    _close(_open_prompt(s, prompt_id))


# --- answers -------------------------------------------------------------------------------


def record_answers(
    s: Session,
    std: ikm.Standard,
    answers: Mapping[str, int | None],
    allowed: list[str] | tuple[str, ...],
    day: date,
    site: str,
    channel: Channel | str,
    profile: Mapping[str, str | None] | None = None,
) -> SurveyRespondent:
    """Store one anonymous respondent and their answers."""
    if channel not in set(Channel):
        raise ValueError(f"channel must be one of {', '.join(Channel)}")
    channel = Channel(channel)
    clean = check_answers(std, answers, allowed)
    profile = profile or {}
    respondent = SurveyRespondent(
        id=uuid.uuid4(),
        standard=std.code,
        local_day=day,
        site=site,
        channel=channel,
        **{f: profile.get(f) for f in PROFILE_FIELDS},
    )
    s.add(respondent)
    s.flush()  # no ORM relationship orders the inserts: the respondent row goes first
    for code, value in clean.items():
        s.add(
            SurveyAnswer(
                respondent_id=respondent.id,
                standard=std.code,
                element=code,
                value=value,
                local_day=day,
                site=site,
                channel=channel,
            )
        )
    return respondent


# --- paper forms (read by kiosk.adapters.files.paper_survey) ----------------------------


def store_paper(s: Session, imported: PaperImport, site: str) -> int:
    """Store every row of a clean import (one transaction is the caller's)."""
    if imported.refused:
        raise ValueError("the file has refused rows: nothing is stored")
    for row in imported.rows:
        record_answers(
            s,
            imported.standard,
            row.answers,
            imported.standard.codes,
            row.day,
            site,
            Channel.PAPER,
            row.profile,
        )
    return len(imported.rows)
