"""Member fields: one rule for `members add`, editing a member and the member file import."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kiosk.domain.cards import MEMBER_NUMBER
from kiosk.domain.categories import DEFAULT as DEFAULT_CATEGORIES
from kiosk.domain.categories import CategoryMap
from kiosk.domain.fields import FieldError
from kiosk.domain.vocab import Gender

GENDERS = tuple(g.value for g in Gender)
MAX_NUMBER_LEN = 20  # members.number is String(20); the QR payload must stay small
MAX_NAME_LEN = 80  # what always fits the card in at most four lines (tests/adapters)
MAX_WORD_LEN = 20  # one word must fit one line of the card: a name is never cut
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


def name_problem(name: str) -> str:
    """Why `name` cannot be printed on a member card ("" when it can)."""
    if any("\udc80" <= c <= "\udcff" for c in name):
        return "name has characters that are not UTF-8: set the terminal or file to UTF-8"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "name has a line break or another invisible character: type it on one line"
    if not name.strip():
        return "name is empty"
    if len(name.strip()) > MAX_NAME_LEN:
        return (
            f"name has {len(name.strip())} characters, the card holds {MAX_NAME_LEN}: "
            "shorten it (e.g. abbreviate a middle name)"
        )
    long_word = next((w for w in name.split() if len(w) > MAX_WORD_LEN), None)
    if long_word:
        return f"name word {long_word[:30]!r} is longer than {MAX_WORD_LEN} characters"
    return ""


def member_problems(
    number: str, name: str, gender: str | None = None, category: str | None = None
) -> list[str]:
    """Every reason the fields cannot make a member, in the order of a member file's columns."""
    reasons = []
    if problem := number_problem(number):
        reasons.append(problem)
    if problem := name_problem(name):
        reasons.append(problem)
    if gender is not None and gender not in GENDERS:
        reasons.append(f"gender {gender!r} is not L/P (or Laki-laki/Perempuan, M/F, 1/0)")
    if category and len(category) > MAX_CATEGORY_LEN:
        reasons.append(f"member type is longer than {MAX_CATEGORY_LEN} characters")
    return reasons


def check_member_fields(
    number: str, name: str, gender: str | None = None, category: str | None = None
) -> None:
    """FieldError with every reason at once, naming the first field to correct."""
    reasons = member_problems(number, name, gender, category)
    if reasons:
        first = next(
            f
            for f, v in (
                ("number", number),
                ("name", name),
                ("gender", gender),
                ("category", category),
            )
            if field_problem(f, v)
        )
        raise FieldError("; ".join(reasons), first)


def field_problem(
    field: str, value: str | None
) -> str:  # the one check of each field, for `members edit` and the screens
    """Why one field's new value cannot be kept ("" when it can)."""
    if field == "name":
        return name_problem(value or "")
    if field == "number":
        return number_problem(value or "")
    if field == "gender":
        return "" if value is None or value in GENDERS else f"gender {value!r} is not L or P"
    if field == "category":
        if value and len(value) > MAX_CATEGORY_LEN:
            return f"member type is longer than {MAX_CATEGORY_LEN} characters"
        return ""
    raise KeyError(field)


def import_warnings(
    rows: Iterable[tuple[int, str, str | None, date | None]],
    today: date,
    categories: CategoryMap,
) -> list[str]:
    """What staff should know before trusting an import (each row is line, number, member type,
    expiry): members already expired, a number twice in the file, unknown member types."""
    rows = list(rows)
    warnings = []
    expired = sum(1 for _, _, _, exp in rows if exp is not None and exp < today)
    if expired:
        warnings.append(
            f"{expired} of {len(rows)} member(s) expired before {today:%d-%m-%Y}: "
            "their cards are refused until renewed (kiosk members renew NUMBER)"
        )
    lines: dict[str, list[int]] = {}
    for line, number, _, _ in rows:
        lines.setdefault(number, []).append(line)
    twice = {n: ls for n, ls in lines.items() if len(ls) > 1}
    if twice:
        shown = "; ".join(
            f"{n} on lines {', '.join(map(str, ls))}" for n, ls in list(twice.items())[:5]
        )
        more = f" and {len(twice) - 5} more" if len(twice) > 5 else ""
        warnings.append(f"member number(s) twice in the file, the last row wins: {shown}{more}")
    unknown = Counter(c for _, _, c, _ in rows if c and categories.resolve(c) is None)
    if unknown:
        shown = ", ".join(f"{c} ({n})" for c, n in unknown.most_common())
        warnings.append(
            f"member type(s) not in the library's category list: {shown}; they count under "
            "their own name unless mapped in [categories.member_types] (see kiosk categories)"
        )
    return warnings


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


MAX_RENEW_MONTHS = 120


def renewed_until(
    current: date | None, today: date, until: date | None = None, months: int | None = None
) -> date:
    """A membership's new end: `until`, or `months` from its current end (from today when it has
    already ended, so a late renewal does not lose the months); 12 months when neither is given."""
    if until is not None and months is not None:
        raise FieldError("give either --until or --months, not both", "until")
    if until is not None:
        if until <= today:
            raise FieldError(f"--until {until:%d-%m-%Y} is not after today", "until")
        return until
    months = 12 if months is None else months
    if not 1 <= months <= MAX_RENEW_MONTHS:
        raise FieldError(f"--months must be 1 to {MAX_RENEW_MONTHS}", "months")
    start = current if current is not None and current >= today else today
    return add_months(start, months)


@dataclass(frozen=True)
class CardChoice:
    """Which members get a card printed; expired and suspended ones only when asked."""

    expiring_before: date | None = None
    category: str | None = None
    new_since: date | None = None
    with_expired: bool = False
    with_suspended: bool = False
    categories: CategoryMap = DEFAULT_CATEGORIES  # --category matches the member types in it

    def wants(
        self,
        expires: date | None,
        category: str | None,
        suspended: bool,
        registered: date,
        today: date,
    ) -> bool:
        if suspended and not self.with_suspended:
            return False
        if expires is not None and expires < today and not self.with_expired:
            return False
        if self.expiring_before is not None and (
            expires is None or expires >= self.expiring_before
        ):
            return False
        if self.category and not self.categories.same(self.category, category):
            return False
        return self.new_since is None or registered >= self.new_since
