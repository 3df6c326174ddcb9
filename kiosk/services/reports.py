"""Visit and satisfaction reports: plain values from narrow SQL queries.

Counting rules:
- A visit counts its headcount (a group of 30 children and 3 teachers is 33), never rows.
- Days are the library's days (Asia/Jakarta, WIB): `Visit.local_day`, written at check-in.
- Hours are local WIB hours. SQL computes them: SQLite adds 7 hours to the stored UTC time
  (Asia/Jakarta has been UTC+7 all year since 1964, no daylight saving), PostgreSQL converts
  with the zone itself. tools/bench_reports.py compares this with grouping in Python.
- Nothing here draws or writes files: results are plain data for kiosk.adapters.render.
- Weekday, month and year views fold the per-day totals in Python (at most 366 rows a year),
  which keeps the SQL the same on every database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import FunctionElement

from kiosk.adapters.db.engine import make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import SurveyAnswer, SurveyRespondent, Visit
from kiosk.domain import ikm

VISITOR_TYPES = ("member", "guest", "group")
BY = ("day", "hour", "weekday", "month", "year")


class DatabaseNotReady(LookupError):
    """No database, or an older schema: the message says to run `kiosk init`."""


@contextmanager
def report_sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on an up-to-date database; reports need no card keys, unlike check-in."""
    engine = make_engine(database_url)
    try:
        current, head = schema_status(engine)
        if current != head:
            state = "is empty" if current is None else f"is at schema {current}, newest is {head}"
            raise DatabaseNotReady(f"the database {state}: run `kiosk init`")
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


# --- the local hour in SQL ------------------------------------------------------------------


class local_hour(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """Local WIB hour (0-23) of a naive-UTC DateTime column."""

    type = Integer()
    inherit_cache = True


@compiles(local_hour, "sqlite")
def _local_hour_sqlite(element: local_hour, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"CAST(strftime('%H', {compiler.process(arg, **kw)}, '+7 hours') AS INTEGER)"


@compiles(local_hour, "postgresql")
def _local_hour_pg(element: local_hour, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    col = compiler.process(arg, **kw)
    local = f"({col} AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Jakarta'"
    return f"CAST(EXTRACT(hour FROM {local}) AS INTEGER)"


@compiles(local_hour)
def _local_hour_other(element: local_hour, compiler: Any, **kw: Any) -> str:
    raise NotImplementedError(f"local_hour is not written for {compiler.dialect.name}")


# --- filters and results --------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilter:
    start: date  # first local day, inclusive
    end: date  # last local day, inclusive
    site: str | None = None
    room: str | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")

    def apply(self, q: Select[Any]) -> Select[Any]:
        q = q.where(Visit.local_day >= self.start, Visit.local_day <= self.end)
        if self.site:
            q = q.where(Visit.site == self.site)
        if self.room:
            q = q.where(Visit.room == self.room)
        if self.category:
            q = q.where(Visit.category == self.category)
        return q

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
    """Headcount per visitor type, and how many visits (rows) made it."""

    member: int = 0
    guest: int = 0
    group: int = 0
    records: int = 0

    @property
    def total(self) -> int:
        return self.member + self.guest + self.group

    def add(self, kind: str, headcount: int, records: int) -> None:
        setattr(self, kind, getattr(self, kind) + headcount)
        self.records += records

    def merge(self, other: Counts) -> None:
        for kind in VISITOR_TYPES:
            self.add(kind, getattr(other, kind), 0)
        self.records += other.records

    def to_json(self) -> dict[str, int]:
        return {
            "member": self.member,
            "guest": self.guest,
            "group": self.group,
            "total": self.total,
            "records": self.records,
        }


@dataclass
class VisitReport:
    filter: VisitFilter
    by: str
    rows: list[tuple[Any, Counts]]  # (date | int | (year, month) | year, counts), in order
    total: Counts = field(default_factory=Counts)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.filter.to_json(),
            "by": self.by,
            "rows": [{"key": key_text(self.by, k), **c.to_json()} for k, c in self.rows],
            "total": self.total.to_json(),
        }


def key_text(by: str, key: Any) -> str | int:
    if by == "day":
        return key.isoformat()
    if by == "month":
        return f"{key[0]}-{key[1]:02d}"
    return key  # hour 0-23, weekday 0 (Monday)-6, year


# --- queries --------------------------------------------------------------------------------


def per_day(s: Session, flt: VisitFilter) -> dict[date, Counts]:
    q = flt.apply(
        select(Visit.local_day, Visit.visitor_type, func.sum(Visit.headcount), func.count())
    ).group_by(Visit.local_day, Visit.visitor_type)
    days: dict[date, Counts] = {}
    for day, kind, heads, n in s.execute(q):
        days.setdefault(day, Counts()).add(kind, int(heads), int(n))
    return days


def per_hour(s: Session, flt: VisitFilter) -> dict[int, Counts]:
    """Local WIB hour, grouped in SQL."""
    hour = local_hour(Visit.at_utc)
    q = flt.apply(
        select(hour, Visit.visitor_type, func.sum(Visit.headcount), func.count())
    ).group_by(hour, Visit.visitor_type)
    hours: dict[int, Counts] = {}
    for h, kind, heads, n in s.execute(q):
        hours.setdefault(int(h), Counts()).add(kind, int(heads), int(n))
    return hours


KEYS = {"room": Visit.room, "category": Visit.category, "site": Visit.site}


def per_key(s: Session, flt: VisitFilter, key: str) -> dict[str, Counts]:
    """Totals per room, category or site."""
    column = KEYS[key]
    q = flt.apply(
        select(column, Visit.visitor_type, func.sum(Visit.headcount), func.count())
    ).group_by(column, Visit.visitor_type)
    out: dict[str, Counts] = {}
    for key, kind, heads, n in s.execute(q):
        out.setdefault(key or "", Counts()).add(kind, int(heads), int(n))
    return out


def _fold(days: dict[date, Counts], key: Any) -> dict[Any, Counts]:
    out: dict[Any, Counts] = {}
    for day, counts in days.items():
        out.setdefault(key(day), Counts()).merge(counts)
    return out


def visit_report(s: Session, flt: VisitFilter, by: str) -> VisitReport:
    """Headcounts per period; every period of the range is listed, empty ones as zero."""
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)}")
    if by == "hour":
        grouped: dict[Any, Counts] = per_hour(s, flt)
        keys: list[Any] = list(range(24))
    else:
        days = per_day(s, flt)
        every_day = [flt.start + timedelta(d) for d in range((flt.end - flt.start).days + 1)]
        fold = {
            "day": lambda d: d,
            "weekday": lambda d: d.weekday(),
            "month": lambda d: (d.year, d.month),
            "year": lambda d: d.year,
        }[by]
        grouped = _fold(days, fold)
        keys = sorted({fold(d) for d in every_day}) if by != "weekday" else list(range(7))
    rows = [(k, grouped.get(k, Counts())) for k in keys]
    total = Counts()
    for _k, c in rows:
        total.merge(c)
    return VisitReport(flt, by, rows, total)


@dataclass(frozen=True)
class DailyRow:
    room: str
    visitor_type: str
    category: str
    headcount: int
    records: int


@dataclass(frozen=True)
class DailyReport:
    """One local day's counts: room x visitor type x category (the staff export)."""

    day: date
    site: str | None  # None: every site
    rows: list[DailyRow]
    room_names: dict[str, tuple[str, str]]  # room code -> (Bahasa Indonesia, English)

    @property
    def total(self) -> int:
        return sum(r.headcount for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "site": self.site,
            "total": self.total,
            "rows": [r.__dict__ for r in self.rows],
        }


def daily_report(s: Session, day: date, site: str | None, rooms: Iterable[Any] = ()) -> DailyReport:
    """The day's counts; `rooms` (the layout's rooms of the site) give the rooms' names."""
    names = {r.code: (r.name, r.name_en) for r in rooms}
    return DailyReport(day, site, daily_rows(s, day, site), names)


def daily_rows(s: Session, day: date, site: str | None) -> list[DailyRow]:
    """One row per room x visitor type x category on a local day, sorted."""
    q = select(
        Visit.room, Visit.visitor_type, Visit.category, func.sum(Visit.headcount), func.count()
    ).where(Visit.local_day == day)
    if site:
        q = q.where(Visit.site == site)
    q = q.group_by(Visit.room, Visit.visitor_type, Visit.category)
    order = {k: i for i, k in enumerate(VISITOR_TYPES)}
    rows = [DailyRow(r, k, c or "", int(h), int(n)) for r, k, c, h, n in s.execute(q)]
    return sorted(rows, key=lambda x: (x.room, order.get(x.visitor_type, 9), x.category))


def months_of_years(s: Session, years: Iterable[int], flt: VisitFilter) -> dict[int, list[int]]:
    """Headcount per month (12 values) for each year, for the year-over-year chart."""
    years = sorted(set(years))
    whole = VisitFilter(date(years[0], 1, 1), date(years[-1], 12, 31), flt.site, flt.room)
    whole = VisitFilter(whole.start, whole.end, flt.site, flt.room, flt.category)
    out = {y: [0] * 12 for y in years}
    for day, counts in per_day(s, whole).items():
        out[day.year][day.month - 1] += counts.total
    return out


@dataclass
class VisitViews:
    """Everything the visit report's XLSX and PDF show, queried once."""

    report: VisitReport  # the view asked for (--by)
    views: dict[str, VisitReport]  # period views by their --by (all, or only the one asked)
    days: dict[date, Counts]
    hours: dict[int, Counts]
    rooms: dict[str, Counts]
    categories: dict[str, Counts]
    per_year: dict[int, list[int]]  # this and last year, per month


def visit_views(s: Session, flt: VisitFilter, by: str, every_view: bool = False) -> VisitViews:
    """The report by `by` and its breakdowns; `every_view` adds every other period view."""
    views = {b: visit_report(s, flt, b) for b in (BY if every_view else (by,))}
    years = range(flt.end.year - 1, flt.end.year + 1)
    return VisitViews(
        report=views[by],
        views=views,
        days=per_day(s, flt),
        hours=per_hour(s, flt),
        rooms=per_key(s, flt, "room"),
        categories=per_key(s, flt, "category"),
        per_year=months_of_years(s, years, flt),
    )


# --- satisfaction (IKM) ---------------------------------------------------------------------


@dataclass
class IkmReport:
    start: date
    end: date
    site: str | None
    result: ikm.IkmResult
    profile: dict[str, dict[str, int]]  # field -> value ("-" = blank) -> paper respondents
    channels: dict[str, int]  # respondents per channel
    population_source: str  # "visits" or "given"

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "site": self.site,
            **self.result.to_json(),
            "population_source": self.population_source,
            "channels": self.channels,
            "profile": self.profile,
        }


def ikm_report(
    s: Session,
    start: date,
    end: date,
    standard: ikm.Standard,
    population: int | None = None,
    site: str | None = None,
) -> IkmReport:
    """IKM of the answers given in [start, end]; population defaults to visits in the period."""

    def where(q: Select[Any], model: Any) -> Select[Any]:
        q = q.where(
            model.standard == standard.code, model.local_day >= start, model.local_day <= end
        )
        return q.where(model.site == site) if site else q

    counts = {code: [0, 0, 0, 0] for code in standard.codes}
    q = where(
        select(SurveyAnswer.element, SurveyAnswer.value, func.count()), SurveyAnswer
    ).group_by(SurveyAnswer.element, SurveyAnswer.value)
    for code, value, n in s.execute(q):
        if code in counts and 1 <= value <= 4:
            counts[code][value - 1] += int(n)
    answered = where(select(SurveyAnswer.respondent_id).distinct(), SurveyAnswer).subquery()
    respondents = s.scalar(select(func.count()).select_from(answered)) or 0
    source = "given"
    if population is None:
        source = "visits"
        total = VisitFilter(start, end, site)
        population = s.scalar(total.apply(select(func.coalesce(func.sum(Visit.headcount), 0)))) or 0
    result = ikm.summarize(counts, standard, respondents, population or None)

    profile: dict[str, dict[str, int]] = {}
    channels: dict[str, int] = {}
    has_answers = SurveyRespondent.id.in_(select(answered.c.respondent_id))
    cols = [SurveyRespondent.channel, SurveyRespondent.gender, SurveyRespondent.age_band]
    cols += [SurveyRespondent.education, SurveyRespondent.occupation]
    q = where(select(*cols, func.count()), SurveyRespondent).where(has_answers).group_by(*cols)
    for channel, gender, age, edu, occ, n in s.execute(q):
        channels[channel] = channels.get(channel, 0) + n
        if channel != "paper":
            continue  # the profile questions are on the paper form only
        for name, value in (("gender", gender), ("age_band", age), ("education", edu)) + (
            ("occupation", occ),
        ):
            bucket = profile.setdefault(name, {})
            key = value or "-"
            bucket[key] = bucket.get(key, 0) + n
    return IkmReport(start, end, site, result, profile, channels, source)
