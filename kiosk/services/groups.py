"""School and kindergarten outings (edutourism), registered by staff before the day.

A group is checked in with its group QR and a confirmed headcount; no child's name is ever
collected. The group code is random and unguessable, printed as ``LKG1:<code>`` in the QR.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Group
from kiosk.domain.cards import GROUP_PREFIX
from kiosk.i18n import N_

# code -> English msgid; the Bahasa Indonesia words are in the .po catalogues (kiosk.i18n).
LEVELS = {
    "PAUD": N_("Early childhood (PAUD)"),
    "TK": N_("Kindergarten (TK)"),
    "SD": N_("Primary school (SD)"),
    "SMP": N_("Junior high school (SMP)"),
    "SMA": N_("Senior high school (SMA/SMK)"),
    "LAINNYA": N_("Other"),
}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by staff
_PHONE = re.compile(r"^\+?[0-9 -]{6,20}$")


@dataclass(frozen=True)
class GroupInfo:
    code: str
    visit_date: date
    institution: str
    level: str
    expected_children: int
    expected_adults: int
    leader_name: str | None
    leader_phone: str | None
    site: str

    @classmethod
    def of(cls, g: Group) -> GroupInfo:
        return cls(
            g.code,
            g.visit_date,
            g.institution,
            g.level,
            g.expected_children,
            g.expected_adults,
            g.leader_name,
            g.leader_phone,
            g.site,
        )

    @property
    def qr_text(self) -> str:
        return GROUP_PREFIX + self.code

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "qr": self.qr_text,
            "date": self.visit_date.isoformat(),
            "institution": self.institution,
            "level": self.level,
            "expected_children": self.expected_children,
            "expected_adults": self.expected_adults,
            "leader_name": self.leader_name,
            "leader_phone": self.leader_phone,
            "site": self.site,
        }


def looks_like_group(text: str) -> bool:
    return text.strip().startswith(GROUP_PREFIX)


def add_group(
    s: Session,
    site: str,
    visit_date: date,
    institution: str,
    level: str,
    expected_children: int,
    expected_adults: int,
    leader_name: str | None = None,
    leader_phone: str | None = None,
) -> Group:
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if not institution.strip() or len(institution) > 120:
        raise ValueError("institution must be 1-120 characters")
    if not (0 <= expected_children <= 1000 and 0 <= expected_adults <= 1000) or (
        expected_children + expected_adults < 1
    ):
        raise ValueError("expected children and adults are 0 to 1000 each, at least 1 in all")
    if leader_name and len(leader_name) > 120:
        raise ValueError("leader name must be 120 characters at most")
    if leader_phone and not _PHONE.match(leader_phone):
        raise ValueError(f"leader phone {leader_phone!r} is not a phone number")
    group = Group(
        code="".join(secrets.choice(_ALPHABET) for _ in range(8)),
        site=site,
        visit_date=visit_date,
        institution=institution.strip(),
        level=level,
        expected_children=expected_children,
        expected_adults=expected_adults,
        leader_name=(leader_name or "").strip() or None,
        leader_phone=leader_phone or None,
    )
    s.add(group)
    return group


def groups_on(s: Session, day: date | None = None, site: str | None = None) -> list[GroupInfo]:
    q = select(Group).order_by(Group.visit_date, Group.institution)
    if day is not None:
        q = q.where(Group.visit_date == day)
    if site is not None:
        q = q.where(Group.site == site)
    return [GroupInfo.of(g) for g in s.scalars(q)]
