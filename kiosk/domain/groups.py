"""School and kindergarten outings (edutourism): the group rules, without storage.

A group is checked in with its group QR and a confirmed headcount; no child's name is ever
collected. The group code is random and unguessable, printed as ``LKG1:<code>`` in the QR.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from kiosk.domain.cards import GROUP_PREFIX
from kiosk.domain.fields import FieldError
from kiosk.domain.vocab import N_

# code -> English msgid; the Bahasa Indonesia words are in the .po catalogues (kiosk.i18n).
LEVELS = {
    "PAUD": N_("Early childhood (PAUD)"),
    "TK": N_("Kindergarten (TK/RA)"),
    "SD": N_("Primary school (SD/MI)"),
    "SMP": N_("Junior high school (SMP/MTs)"),
    "SMA": N_("Senior high school (SMA/SMK/MA)"),
    "PT": N_("University (perguruan tinggi)"),
    "LAINNYA": N_("Other"),
}
# What staff may type for a level: the Islamic and vocational schools count with their level.
LEVEL_ALIASES = {
    "RA": "TK",
    "MI": "SD",
    "MTS": "SMP",
    "SMK": "SMA",
    "MA": "SMA",
    "UNIVERSITAS": "PT",
    "KAMPUS": "PT",
    "UNIVERSITY": "PT",
    "OTHER": "LAINNYA",
}
MAX_PURPOSE = 120


class GroupStatus:
    """Where a group visit stands, from its record and its check-ins (not stored)."""

    PLANNED = N_("planned")
    ARRIVED = N_("arrived")
    MISSED = N_("did not come")
    CANCELLED = N_("cancelled")


def group_status(visit_date: date, today: date, arrived: int, cancelled: bool) -> str:
    if cancelled:
        return GroupStatus.CANCELLED
    if arrived:
        return GroupStatus.ARRIVED
    return GroupStatus.MISSED if visit_date < today else GroupStatus.PLANNED


def level_code(text: str) -> str:
    """The level code of what staff typed (SD, mi, SMK/MA ...); FieldError naming the choices."""
    word = text.strip().upper()
    code = LEVEL_ALIASES.get(word, word)
    if code not in LEVELS:
        raise FieldError(
            f"level {text!r} is not one of PAUD, TK, SD/MI, SMP/MTs, SMA/SMK/MA, PT, LAINNYA",
            "level",
        )
    return code


MAX_HEADCOUNT = 1000  # children and adults of one group, in all
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by staff
CODE_LENGTH = 8
MAX_TEXT = 120  # institution and leader name
_PHONE = re.compile(r"^\+?[0-9 -]{6,20}$")


def looks_like_group(text: str) -> bool:
    return text.strip().startswith(GROUP_PREFIX)


def clean_group_code(text: str) -> str:
    """A group code as typed by staff or read from the group's QR (``LKG1:<code>``)."""
    return text.strip().removeprefix(GROUP_PREFIX).upper()


def new_group_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_headcount(children: int, adults: int, what: str = "headcount") -> None:
    if children < 0 or adults < 0 or not 1 <= children + adults <= MAX_HEADCOUNT:
        raise ValueError(f"{what}: children and adults are 0 or more, 1 to {MAX_HEADCOUNT} in all")


@dataclass(frozen=True)
class Headcount:
    """The people of a group at arrival, as the leader confirms them (never names)."""

    children: int
    adults: int
    boys: int | None = None
    girls: int | None = None

    def __post_init__(self) -> None:
        check_headcount(self.children, self.adults)
        boys, girls = self.boys, self.girls
        if (boys is None) != (girls is None) or (
            boys is not None
            and girls is not None
            and (boys < 0 or girls < 0 or boys + girls != self.children)
        ):
            raise ValueError("boys and girls must both be given and add up to the children")

    @property
    def total(self) -> int:
        return self.children + self.adults


def check_group_fields(
    level: str,
    institution: str,
    expected_children: int,
    expected_adults: int,
    leader_name: str | None = None,
    leader_phone: str | None = None,
    purpose: str | None = None,
) -> str:
    """The level code of a valid group registration; FieldError naming the field otherwise."""
    level = level_code(level)
    if not institution.strip() or len(institution) > MAX_TEXT:
        raise FieldError(f"institution must be 1-{MAX_TEXT} characters", "institution")
    if not _one_line(institution):
        raise FieldError("institution must be on one line", "institution")
    try:
        check_headcount(expected_children, expected_adults, "expected")
    except ValueError as e:
        raise FieldError(str(e), "children") from None
    if leader_name and (len(leader_name) > MAX_TEXT or not _one_line(leader_name)):
        raise FieldError(f"leader name must be one line of {MAX_TEXT} characters at most", "leader")
    if leader_phone and not _PHONE.match(leader_phone):
        raise FieldError(
            f"leader phone {leader_phone!r} is not a phone number (e.g. 0812-3456-7890)", "phone"
        )
    if purpose and (len(purpose) > MAX_PURPOSE or not _one_line(purpose)):
        raise FieldError(f"purpose must be one line of {MAX_PURPOSE} characters at most", "purpose")
    return level


def _one_line(text: str) -> bool:
    return not any(c in text for c in "\r\n\t")
