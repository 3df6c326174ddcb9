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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import QueuedSurvey, SurveyAnswer, SurveyRespondent
from kiosk.adapters.files.paper_survey import PaperImport
from kiosk.adapters.files.paper_survey import parse_paper_file as parse_paper_file  # callers
from kiosk.domain import ikm
from kiosk.domain.clock import local_day

SETTING_STANDARDS = {
    "2017": ikm.PERMENPANRB_14_2017.code,
    "2004": ikm.KEPMENPAN_25_2004.code,
}
CHANNELS = ("mini", "rating", "paper")
# A queue row is pending (waiting for the next visit), shown (on screen now) or closed.
PENDING, SHOWN, CLOSED = "pending", "shown", "closed"
OPEN = (PENDING, SHOWN)
PROFILE_FIELDS = ("gender", "age_band", "education", "occupation")


def standard_for(code: str) -> ikm.Standard:
    """An ikm standard from a setting ("2017", "2004") or a standard code."""
    return ikm.get_standard(SETTING_STANDARDS.get(code, code))


@dataclass(frozen=True)
class Question:
    code: str
    text_id: str
    text_en: str


@dataclass(frozen=True)
class SurveyPrompt:
    """What the kiosk shows: the questions and the four answer words (4 is best)."""

    id: uuid.UUID
    standard: str
    questions: tuple[Question, ...]
    answers: tuple[ikm.AnswerLabel, ...]


@dataclass(frozen=True)
class SurveyRules:
    chance: float
    min_days: int
    elements: int
    expire_days: int
    standard: ikm.Standard

    @classmethod
    def from_settings(cls, settings: object) -> SurveyRules:
        return cls(
            chance=settings.survey_chance,  # type: ignore[attr-defined]
            min_days=settings.survey_min_days,  # type: ignore[attr-defined]
            elements=settings.survey_elements,  # type: ignore[attr-defined]
            expire_days=settings.survey_expire_days,  # type: ignore[attr-defined]
            standard=standard_for(settings.survey_standard),  # type: ignore[attr-defined]
        )


def questions(std: ikm.Standard, codes: list[str] | tuple[str, ...]) -> tuple[Question, ...]:
    return tuple(
        Question(e.code, e.question, e.question_en) for e in (std.element(c) for c in codes)
    )


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
    record_answers(s, std, answers, row.elements.split(","), local_day(now), site, "mini")
    _close(row)


def skip_prompt(s: Session, prompt_id: uuid.UUID) -> None:
    """Close the survey without an answer: no respondent, no answer row."""
    _close(_open_prompt(s, prompt_id))


# --- answers -------------------------------------------------------------------------------


def check_answers(
    std: ikm.Standard, answers: Mapping[str, int | None], allowed: list[str] | tuple[str, ...]
) -> dict[str, int]:
    """The given answers (None = not answered), checked: known elements, values 1..4."""
    clean: dict[str, int] = {}
    for code, value in answers.items():
        if code not in allowed:
            raise ValueError(f"element {code!r} was not asked (asked: {', '.join(allowed)})")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in ikm.ANSWERS:
            raise ValueError(f"answer to {code} must be 1, 2, 3 or 4, got {value!r}")
        clean[code] = value
    if not clean:
        raise ValueError("no answers given (a skipped survey is recorded with skip_survey)")
    return clean


def record_answers(
    s: Session,
    std: ikm.Standard,
    answers: Mapping[str, int | None],
    allowed: list[str] | tuple[str, ...],
    day: date,
    site: str,
    channel: str,
    profile: Mapping[str, str | None] | None = None,
) -> SurveyRespondent:
    """Store one anonymous respondent and their answers."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
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
            "paper",
            row.profile,
        )
    return len(imported.rows)
