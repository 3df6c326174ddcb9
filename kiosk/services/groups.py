"""School and kindergarten outings (edutourism), registered by staff before the day.

The rules (levels, headcount, code) are in `kiosk.domain.groups`; here they meet the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Group
from kiosk.domain.cards import GROUP_PREFIX
from kiosk.domain.checkin import KnownGroup
from kiosk.domain.groups import (
    LEVELS,
    check_group_fields,
    clean_group_code,
    looks_like_group,
    new_group_code,
)

__all__ = ["LEVELS", "GroupInfo", "add_group", "find_group", "groups_on", "looks_like_group"]


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
    level = check_group_fields(
        level, institution, expected_children, expected_adults, leader_name, leader_phone
    )
    group = Group(
        code=new_group_code(),
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


def find_group(s: Session, code: str) -> Group | None:
    """The group a typed code or a group QR's text names."""
    return s.scalar(select(Group).where(Group.code == clean_group_code(code)))


def known_group(g: Group) -> KnownGroup:
    return KnownGroup(g.code, g.site, g.visit_date, g.level)


def groups_on(s: Session, day: date | None = None, site: str | None = None) -> list[GroupInfo]:
    q = select(Group).order_by(Group.visit_date, Group.institution)
    if day is not None:
        q = q.where(Group.visit_date == day)
    if site is not None:
        q = q.where(Group.site == site)
    return [GroupInfo.of(g) for g in s.scalars(q)]
