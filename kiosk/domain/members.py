"""Member fields: one rule for `members add`, editing a member and the member file import."""

from __future__ import annotations

import re

from kiosk.domain.cards import MEMBER_NUMBER
from kiosk.domain.vocab import Gender

GENDERS = tuple(g.value for g in Gender)
MAX_NUMBER_LEN = 20  # members.number is String(20); the QR payload must stay small
MAX_NAME_LEN = 120  # members.name
MAX_CATEGORY_LEN = 40  # members.category
_NUMBER_CHARS = re.compile(r"[A-Za-z0-9._/-]+")
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?E\+\d+", re.IGNORECASE)


def number_problem(number: str) -> str:
    """Why `number` cannot be a member number ("" when it can): the card format's rule, so
    every member can get a card."""
    if not number:
        return "member number is empty"
    if _SCIENTIFIC.fullmatch(number):
        return (
            f"member number {number!r} was turned into scientific notation by Excel "
            "(format the column as Text and save again)"
        )
    if len(number) > MAX_NUMBER_LEN:
        return f"member number {number[:24]!r} is longer than {MAX_NUMBER_LEN} characters"
    if not _NUMBER_CHARS.fullmatch(number):
        bad = next(c for c in number if not _NUMBER_CHARS.fullmatch(c))
        return f"member number {number!r} contains {bad!r} (allowed: letters, digits, - / . _)"
    if not MEMBER_NUMBER.match(number):
        return f"member number {number!r} must start with a letter or a digit"
    return ""


def member_problems(
    number: str, name: str, gender: str | None = None, category: str | None = None
) -> list[str]:
    """Every reason the fields cannot make a member, in the order of a member file's columns."""
    reasons = []
    if problem := number_problem(number):
        reasons.append(problem)
    if not name.strip():
        reasons.append("name is empty")
    elif len(name) > MAX_NAME_LEN:
        reasons.append(f"name is longer than {MAX_NAME_LEN} characters")
    if gender is not None and gender not in GENDERS:
        reasons.append(f"gender {gender!r} is not L/P (or Laki-laki/Perempuan, M/F, 1/0)")
    if category and len(category) > MAX_CATEGORY_LEN:
        reasons.append(f"member type is longer than {MAX_CATEGORY_LEN} characters")
    return reasons


def check_member_fields(
    number: str, name: str, gender: str | None = None, category: str | None = None
) -> None:
    """ValueError with every reason at once when the fields cannot make a member."""
    reasons = member_problems(number, name, gender, category)
    if reasons:
        raise ValueError("; ".join(reasons))
