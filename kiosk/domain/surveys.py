"""Survey rules without storage: which standard, which questions, which answers are valid.

The queue and the stored answers are in `kiosk.services.surveys`; the IKM maths in
`kiosk.domain.ikm`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.domain import ikm

SETTING_STANDARDS = {
    "2017": ikm.PERMENPANRB_14_2017.code,
    "2004": ikm.KEPMENPAN_25_2004.code,
}
PROFILE_FIELDS = ("gender", "age_band", "education", "occupation")
PROFILE_MAX = {"age_band": 20, "education": 40, "occupation": 40}


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


def element_code(name: str) -> str | None:
    # "U1", "u01", "unsur_1", "unsur1" -> "U1"
    for prefix in ("unsur_", "unsur", "u"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return f"U{int(name[len(prefix) :])}"
    return None
