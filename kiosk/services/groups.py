"""School and kindergarten outings (edutourism), registered by staff before the day.

The rules (levels, headcount, code) are in `kiosk.domain.groups`; here they meet the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Group, Visit
from kiosk.domain.cards import GROUP_PREFIX
from kiosk.domain.checkin import KnownGroup
from kiosk.domain.clock import local_day
from kiosk.domain.fields import FieldError
from kiosk.domain.groups import (
    LEVELS,
    GroupStatus,
    check_group_fields,
    clean_group_code,
    group_status,
    looks_like_group,
    new_group_code,
)
from kiosk.domain.vocab import Admitted

STATUS_CODES = {
    GroupStatus.PLANNED: "planned",
    GroupStatus.ARRIVED: "arrived",
    GroupStatus.MISSED: "missed",
    GroupStatus.CANCELLED: "cancelled",
}

__all__ = [
    "LEVELS",
    "GroupInfo",
    "add_group",
    "cancel_group",
    "edit_group",
    "find_group",
    "group_info",
    "groups_on",
    "looks_like_group",
]


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
    purpose: str | None = None
    cancelled: bool = False
    arrived_children: int = 0  # headcounts confirmed at arrival, 0 before it
    arrived_adults: int = 0
    status: str = GroupStatus.PLANNED  # an English msgid (kiosk.domain.groups.GroupStatus)

    @classmethod
    def of(
        cls, g: Group, arrived: tuple[int, int] = (0, 0), today: date | None = None
    ) -> GroupInfo:
        cancelled = g.cancelled_at is not None
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
            g.purpose,
            cancelled,
            arrived[0],
            arrived[1],
            group_status(g.visit_date, today or g.visit_date, sum(arrived), cancelled),
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
            "purpose": self.purpose,
            "status": STATUS_CODES[self.status],
            "arrived_children": self.arrived_children,
            "arrived_adults": self.arrived_adults,
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
    purpose: str | None = None,
) -> Group:
    level = check_group_fields(
        level, institution, expected_children, expected_adults, leader_name, leader_phone, purpose
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
        purpose=(purpose or "").strip() or None,
    )
    s.add(group)
    return group


def find_group(s: Session, code: str) -> Group | None:
    """The group a typed code or a group QR's text names."""
    return s.scalar(select(Group).where(Group.code == clean_group_code(code)))


def known_group(g: Group) -> KnownGroup | None:
    """The group as the check-in rules see it; a cancelled visit is no group to check in."""
    if g.cancelled_at is not None:
        return None
    return KnownGroup(g.code, g.site, g.visit_date, g.level)


def get_group(s: Session, code: str) -> Group:
    group = find_group(s, code)
    if group is None:
        raise FieldError(f"no group {clean_group_code(code)!r}: see `kiosk groups list`", "code")
    return group


def _arrived(s: Session, ids: list) -> dict:
    """Headcounts checked in per group: (children, adults), the first room of each arrival."""
    rows = s.execute(
        select(Visit.group_id, func.sum(Visit.children), func.sum(Visit.adults))
        .where(Visit.group_id.in_(ids), Visit.decision == Admitted.WELCOME)
        .group_by(Visit.group_id)
    ).all()
    return {gid: (int(c or 0), int(a or 0)) for gid, c, a in rows}


def group_infos(s: Session, groups: list[Group], today: date) -> list[GroupInfo]:
    arrived = _arrived(s, [g.id for g in groups]) if groups else {}
    return [GroupInfo.of(g, arrived.get(g.id, (0, 0)), today) for g in groups]


def groups_on(
    s: Session,
    day: date | None = None,
    site: str | None = None,
    today: date | None = None,
    since: date | None = None,
) -> list[GroupInfo]:
    """Groups visiting on `day` (None: any day), from `since` on, at `site` (None: every site)."""
    q = select(Group).order_by(Group.visit_date, Group.institution)
    if day is not None:
        q = q.where(Group.visit_date == day)
    if since is not None:  # in SQL: ten years of school outings are not read to show a month
        q = q.where(Group.visit_date >= since)
    if site is not None:
        q = q.where(Group.site == site)
    groups = list(s.scalars(q))
    return group_infos(s, groups, today or day or date.today())


def group_info(s: Session, code: str, today: date) -> GroupInfo:
    return group_infos(s, [get_group(s, code)], today)[0]


def cancel_group(s: Session, code: str, now: datetime) -> GroupInfo:
    """Cancel a planned visit: its QR stops working; the record stays for the year's list."""
    group = get_group(s, code)
    if group.cancelled_at is not None:
        raise FieldError(f"group {group.code} is already cancelled", "code")
    if _arrived(s, [group.id]):
        raise FieldError(f"group {group.code} has already arrived: it cannot be cancelled", "code")
    group.cancelled_at = now
    return group_info(s, code, local_day(now))


EDITABLE = (
    "visit_date", "institution", "level", "expected_children", "expected_adults",
    "leader_name", "leader_phone", "purpose",
)  # fmt: skip


def edit_group(s: Session, code: str, today: date, **changes: object) -> GroupInfo:
    """Correct a registration (None leaves a field as it is); checked as at registration."""
    group = get_group(s, code)
    if group.cancelled_at is not None:
        raise FieldError(f"group {group.code} is cancelled: register a new visit instead", "code")
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise FieldError(f"{unknown[0]} cannot be edited", unknown[0])
    new = {k: getattr(group, k) for k in EDITABLE} | {
        k: v for k, v in changes.items() if v is not None
    }
    if not any(v is not None for v in changes.values()):
        raise FieldError("nothing to change: give the fields to correct", "")
    if changes.get("visit_date") is not None and new["visit_date"] < today:
        raise FieldError("the new date is in the past", "date")
    new["level"] = check_group_fields(
        str(new["level"]), str(new["institution"]), int(new["expected_children"]),
        int(new["expected_adults"]), new["leader_name"], new["leader_phone"], new["purpose"],
    )  # fmt: skip
    for k, v in new.items():
        setattr(group, k, v.strip() if isinstance(v, str) and k != "level" else v)
    return group_info(s, code, today)
