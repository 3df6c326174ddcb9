"""The reports' results as plain values: what the services count and the renderers show.

Counting rules are in kiosk.services.reports; these types only hold and name the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kiosk.domain import ikm
from kiosk.domain.categories import DEFAULT as DEFAULT_CATEGORIES
from kiosk.domain.categories import CategoryMap

VISITOR_TYPES = ("member", "guest", "group")
PERIOD_BY = ("day", "hour", "weekday", "month", "year")
BY = (*PERIOD_BY, "room", "site", "category", "gender", "purpose", "origin")
NOT_GIVEN = "-"  # a key with no value: members and groups by purpose or origin, no category


@dataclass(frozen=True)
class VisitFilter:
    start: date  # first local day, inclusive
    end: date  # last local day, inclusive
    site: str | None = None
    room: str | None = None
    category: str | None = None
    # how member types, guest categories and group levels count as one category list
    categories: CategoryMap = field(default=DEFAULT_CATEGORIES, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "site": self.site,
            "room": self.room,
            "category": self.category,
        }


@dataclass
class Counts:
    """Room visits (headcount) per visitor type, the visits (rows) that made them, distinct
    visitors, and room visits by gender.

    `visitors` counts people: a member once however many rooms, guests and groups as recorded
    (their headcount). `male` and `female` count room visits of members and guests of that
    gender, and a group's boys and girls when the leader gave them; the rest is unknown.
    """

    member: int = 0
    guest: int = 0
    group: int = 0
    records: int = 0
    visitors: int = 0
    male: int = 0
    female: int = 0

    @property
    def total(self) -> int:
        return self.member + self.guest + self.group

    @property
    def gender_unknown(self) -> int:
        return self.total - self.male - self.female

    def add(
        self,
        kind: str,
        headcount: int,
        records: int,
        visitors: int | None = None,
        male: int = 0,
        female: int = 0,
    ) -> None:
        setattr(self, kind, getattr(self, kind) + headcount)
        self.records += records
        self.visitors += headcount if visitors is None else visitors
        self.male += male
        self.female += female

    def merge(self, other: Counts) -> None:
        """Add another count in; its visitors add up as they are (other people, other days)."""
        for kind in VISITOR_TYPES:
            self.add(kind, getattr(other, kind), 0, 0)
        self.records += other.records
        self.visitors += other.visitors
        self.male += other.male
        self.female += other.female

    def to_json(self) -> dict[str, int]:
        return {
            "member": self.member,
            "guest": self.guest,
            "group": self.group,
            "total": self.total,
            "records": self.records,
            "visitors": self.visitors,
            "male": self.male,
            "female": self.female,
            "gender_unknown": self.gender_unknown,
        }


@dataclass
class VisitReport:
    filter: VisitFilter
    by: str
    rows: list[tuple[Any, Counts]]  # (key, counts) in order; see key_text for the keys
    total: Counts = field(default_factory=Counts)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.filter.to_json(),
            "by": self.by,
            "rows": [{**key_json(self.by, k), **c.to_json()} for k, c in self.rows],
            "total": self.total.to_json(),
        }


def key_text(by: str, key: Any) -> str | int:
    if by == "day":
        return key.isoformat()
    if by == "month":
        return f"{key[0]}-{key[1]:02d}"
    if by == "room":
        return f"{key[0]}/{key[1]}"  # a room code is only unique within its site
    return key  # hour 0-23, weekday 0 (Monday)-6, year; site, category, purpose, origin


def key_json(by: str, key: Any) -> dict[str, Any]:
    if by == "room":
        return {"key": key_text(by, key), "site": key[0], "room": key[1]}
    return {"key": key_text(by, key)}


@dataclass(frozen=True)
class DailyRow:
    room: str
    visitor_type: str
    category: str
    headcount: int  # room visits
    records: int
    site: str = ""
    visitors: int = 0  # distinct people in this row
    male: int = 0
    female: int = 0


@dataclass(frozen=True)
class DailyReport:
    """One local day's counts: site x room x visitor type x category (the staff export)."""

    day: date
    site: str | None  # None: every site
    rows: list[DailyRow]
    room_names: dict[tuple[str, str], tuple[str, str]]  # (site, room) -> (id, en) names
    rooms: dict[tuple[str, str], Counts] = field(default_factory=dict)  # per (site, room)
    counts: Counts = field(default_factory=Counts)  # the whole day, people counted once

    @property
    def total(self) -> int:
        return sum(r.headcount for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "site": self.site,
            "total": self.total,
            "visitors": self.counts.visitors,
            "rows": [r.__dict__ for r in self.rows],
        }


@dataclass
class VisitViews:
    """Everything the visit report's XLSX and PDF show, queried once."""

    report: VisitReport  # the view asked for (--by)
    views: dict[str, VisitReport]  # by --by: every period view, or only the one asked
    days: dict[date, Counts]
    hours: dict[int, Counts]
    rooms: dict[str, Counts]
    categories: dict[str, Counts]
    per_year: dict[int, list[int]]  # this and last year, per month


@dataclass
class IkmReport:
    start: date
    end: date
    site: str | None
    result: ikm.IkmResult
    profile: dict[str, dict[str, int]]  # field -> value ("-" = blank) -> paper respondents
    channels: dict[str, int]  # respondents per channel
    population_source: str  # "visits" or "given"
    # paper forms' suggestions (day, text): never linked to a respondent or a profile
    suggestions: list[tuple[date, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "site": self.site,
            **self.result.to_json(),
            "population_source": self.population_source,
            "channels": self.channels,
            "profile": self.profile,
            "suggestions": [{"date": d.isoformat(), "text": t} for d, t in self.suggestions],
        }


@dataclass
class YearReport:
    """The library's yearly tables (kiosk report year): room visits per month by category,
    room and gender, guests by origin and purpose, groups by level, opening days and hours."""

    year: int
    site: str | None
    categories: dict[str, list[int]]  # category -> room visits in each of the 12 months
    rooms: dict[tuple[str, str], list[int]]  # (site, room) -> room visits per month
    genders: dict[str, list[int]]  # "L", "P", NOT_GIVEN -> room visits per month
    origins: dict[str, tuple[str, int]]  # kabupaten/kota code -> (its name, guests)
    purposes: dict[str, int]  # guests' purpose -> guests
    groups: dict[str, tuple[int, int, int, int]]  # level -> (visits, headcount, boys, girls)
    hours: dict[int, int]  # local WIB hour -> room visits
    opening_days: int  # days with at least one visit
    visitors: int  # distinct people in the year
    room_names: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def months(self) -> list[int]:
        return [sum(v[m] for v in self.genders.values()) for m in range(12)]

    @property
    def total(self) -> int:
        return sum(self.months)

    @property
    def per_opening_day(self) -> float:
        return self.total / self.opening_days if self.opening_days else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "site": self.site,
            "total": self.total,
            "visitors": self.visitors,
            "opening_days": self.opening_days,
            "per_opening_day": round(self.per_opening_day, 2),
            "months": self.months,
            "categories": self.categories,
            "rooms": [
                {"site": s, "room": r, "months": v} for (s, r), v in sorted(self.rooms.items())
            ],
            "genders": self.genders,
            "origins": [
                {"code": c, "name": n, "guests": g} for c, (n, g) in sorted(self.origins.items())
            ],
            "purposes": self.purposes,
            "groups": {
                k: {"visits": v[0], "headcount": v[1], "boys": v[2], "girls": v[3]}
                for k, v in self.groups.items()
            },
            "hours": {str(h): n for h, n in sorted(self.hours.items())},
        }


@dataclass(frozen=True)
class VisitLine:
    """One room visit in the list of visits (kiosk report list): personal data kept to what a
    count needs. A member is their number, a guest their category and origin (never a name), a
    group its institution and level with its headcount (never a child's name)."""

    day: date
    time: str  # local WIB "HH:MM"
    site: str
    room: str
    visitor_type: str
    who: str  # member number, group institution, "" for a guest
    category: str  # the library's category (member type mapped), guest category, group level
    gender: str  # "L", "P" or NOT_GIVEN
    headcount: int
    boys: int | None
    girls: int | None
    origin: str  # guests: the kabupaten/kota's name
    purpose: str  # guests: the purpose code
    source: str
