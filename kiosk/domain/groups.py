"""School and kindergarten outings (edutourism): the group rules, without storage.

A group is checked in with its group QR and a confirmed headcount; no child's name is ever
collected. The group code is random and unguessable, printed as ``LKG1:<code>`` in the QR.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from kiosk.domain.cards import GROUP_PREFIX
from kiosk.domain.vocab import N_

# code -> English msgid; the Bahasa Indonesia words are in the .po catalogues (kiosk.i18n).
LEVELS = {
    "PAUD": N_("Early childhood (PAUD)"),
    "TK": N_("Kindergarten (TK)"),
    "SD": N_("Primary school (SD)"),
    "SMP": N_("Junior high school (SMP)"),
    "SMA": N_("Senior high school (SMA/SMK)"),
    "LAINNYA": N_("Other"),
}
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
) -> str:
    """The level code (upper case) of a valid group registration; ValueError otherwise."""
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if not institution.strip() or len(institution) > MAX_TEXT:
        raise ValueError(f"institution must be 1-{MAX_TEXT} characters")
    check_headcount(expected_children, expected_adults, "expected")
    if leader_name and len(leader_name) > MAX_TEXT:
        raise ValueError(f"leader name must be {MAX_TEXT} characters at most")
    if leader_phone and not _PHONE.match(leader_phone):
        raise ValueError(f"leader phone {leader_phone!r} is not a phone number")
    return level
