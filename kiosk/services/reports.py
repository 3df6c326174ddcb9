"""Visit and satisfaction reports: plain values from narrow SQL queries.

Counting rules:
- A visit counts its headcount (a group of 30 children and 3 teachers is 33), never rows.
- Days are the library's days (Asia/Jakarta, WIB): `Visit.local_day`, written at check-in.
- Hours are local WIB hours. SQL computes them by adding 7 hours to the stored UTC hour
  (Asia/Jakarta has been UTC+7 all year since 1964, no daylight saving, and no visit is
  older than 1980). tools/bench_reports.py compares this with grouping in Python.
- Nothing here draws or writes files: results are plain data for kiosk.adapters.render.
- Month and year views sum room visits per day in SQL, in the covering index's order, and
  fold the days in Python (366 rows a year per visitor type and gender); people are counted
  per month or year in SQL, since distinct people do not add up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, Select, String, case, extract, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import FunctionElement

from kiosk.adapters.db.engine import make_engine, make_sessionmaker, schema_status
from kiosk.adapters.db.models import (
    Group,
    Member,
    SurveyAnswer,
    SurveyRespondent,
    SurveySuggestion,
    Visit,
)
from kiosk.domain import ikm
from kiosk.domain.categories import DEFAULT as DEFAULT_CATEGORIES
from kiosk.domain.categories import CategoryMap
from kiosk.domain.clock import day_bounds_utc, local_time
from kiosk.domain.counts import (
    BY,
    NOT_GIVEN,
    PERIOD_BY,
    VISITOR_TYPES,
    Counts,
    DailyReport,
    DailyRow,
    IkmReport,
    VisitFilter,
    VisitLine,
    VisitReport,
    VisitViews,
    YearReport,
)
from kiosk.domain.iplm import IplmReport, iplm_figures
from kiosk.services.guests import origins_by_code


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
    # + 7 as on SQLite: twice as fast as converting with the zone (tools/bench_reports.py)
    (arg,) = element.clauses
    return f"mod(CAST(date_part('hour', {compiler.process(arg, **kw)}) AS INTEGER) + 7, 24)"


class day_text(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """'YYYY-MM' (month) or 'YYYY' (year) of a Date column, as text.

    On SQLite a date is stored as 'YYYY-MM-DD' text and cutting it is several times faster
    than strftime (tools/bench_reports.py)."""

    type = String()
    inherit_cache = True
    part = "month"


class month_text(day_text):  # noqa: N801
    inherit_cache = True  # the class is part of SQLAlchemy's cache key, so month and year
    part = "month"  # each get their own class rather than an argument


class year_text(day_text):  # noqa: N801
    inherit_cache = True
    part = "year"


@compiles(day_text, "sqlite")
def _day_text_sqlite(element: day_text, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"substr({compiler.process(arg, **kw)}, 1, {7 if element.part == 'month' else 4})"


@compiles(day_text, "postgresql")
def _day_text_pg(element: day_text, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    pattern = "YYYY-MM" if element.part == "month" else "YYYY"
    return f"to_char({compiler.process(arg, **kw)}, '{pattern}')"


@compiles(local_hour)
@compiles(day_text)
def _not_written(element: Any, compiler: Any, **kw: Any) -> str:
    name = type(element).__name__
    raise NotImplementedError(f"{name} is not written for {compiler.dialect.name}")


# --- filters --------------------------------------------------------------------


def apply_filter(flt: VisitFilter, q: Select[Any]) -> Select[Any]:
    """The filter as WHERE clauses on visits."""
    q = q.where(Visit.local_day >= flt.start, Visit.local_day <= flt.end)
    if flt.site:
        q = q.where(Visit.site == flt.site)
    if flt.room:
        q = q.where(Visit.room == flt.room)
    if flt.category:
        q = q.where(func.lower(Visit.category).in_(category_spellings_asked(flt)))
    return q


def category_spellings_asked(flt: VisitFilter) -> list[str]:
    """Every spelling (lower case) of the filter's category: "Pelajar" from the member file is
    guests' "pelajar", and a mapped member type counts in its category."""
    code = flt.categories.resolve(flt.category or "")
    return sorted(flt.categories.spellings(code) if code else {(flt.category or "").casefold()})


# --- queries --------------------------------------------------------------------------------


def _gender_visits(letter: str, children: Any) -> Any:
    """Room visits of one gender: members and guests by the gender on their visit, a group's
    boys or girls."""
    return func.sum(
        case(
            (Visit.visitor_type == "group", func.coalesce(children, 0)),
            (Visit.gender == letter, Visit.headcount),
            else_=0,
        )
    )


def _rows(
    s: Session, flt: VisitFilter, keys: Sequence[Any]
) -> Iterator[tuple[tuple[Any, ...], str, Counts]]:
    """(key values, visitor type, counts) grouped in SQL by `keys` and visitor type."""
    q = select(
        *keys,
        Visit.visitor_type,
        func.sum(Visit.headcount),
        func.count(),
        func.count(Visit.member_id),
        func.count(Visit.member_id.distinct()),
        _gender_visits("L", Visit.boys),
        _gender_visits("P", Visit.girls),
    ).select_from(Visit)
    q = apply_filter(flt, q).group_by(*keys, Visit.visitor_type)
    width = len(keys)
    for row in s.execute(q):
        key, (kind, heads, n, known, distinct, male, female) = tuple(row[:width]), row[width:]
        # A member visit whose member was erased still counts as one person.
        people = int(distinct) + int(n) - int(known) if kind == "member" else int(heads)
        c = Counts()
        c.add(kind, int(heads), int(n), people, int(male or 0), int(female or 0))
        yield key, kind, c


def _grouped(s: Session, flt: VisitFilter, keys: Sequence[Any]) -> dict[tuple[Any, ...], Counts]:
    return _counted(s, flt, keys)[0]


Fold = Callable[[date], tuple[Any, ...]]
"""A day's key in a coarser period: room visits are summed per day, in the index's order,
and folded into months or years here, which is faster than grouping by month or year in SQL
(tools/bench_reports.py); people are counted in SQL per period."""


def _counted(
    s: Session, flt: VisitFilter, keys: Sequence[Any], fold: Fold | None = None
) -> tuple[dict[tuple[Any, ...], Counts], Counts]:
    """Counts per key, and for the whole filter with every person counted once.

    Narrow queries on the visits alone, read from the covering index ix_visits_counting (no
    join: the gender is on the visit): room visits by visitor type and gender, then members
    once per key, then members once over the whole filter. tools/bench_reports.py times this
    against the four queries with joins it replaced.
    """
    grouped = [Visit.local_day] if fold else keys
    width = len(grouped)
    out: dict[tuple[Any, ...], Counts] = {}
    total = Counts()

    q = apply_filter(
        flt,
        select(
            *grouped,
            Visit.visitor_type,
            Visit.gender,
            func.sum(Visit.headcount),
            func.count(),
            func.sum(Visit.boys),
            func.sum(Visit.girls),
        ),
    )
    for row in s.execute(q.group_by(*grouped, Visit.visitor_type, Visit.gender)):
        kind, gender, heads, n, boys, girls = row[width:]
        heads = int(heads)
        people = 0 if kind == "member" else heads  # members are counted below
        male = heads if gender == "L" else int(boys or 0)  # boys and girls: groups only
        female = heads if gender == "P" else int(girls or 0)
        key = fold(row[0]) if fold else tuple(row[:width])
        for c in (out.setdefault(key, Counts()), total):
            c.add(kind, heads, int(n), people, male, female)

    per_key = list(_members_once(s, flt, keys))
    for key, n in per_key:
        out.setdefault(key, Counts()).visitors += n
    total.visitors += sum(n for _key, n in (_members_once(s, flt, []) if keys else per_key))
    return out, total


def _members_once(
    s: Session, flt: VisitFilter, keys: Sequence[Any]
) -> Iterator[tuple[tuple[Any, ...], int]]:
    """Members as people per key: each member once; a visit of an erased member is one person
    of its own.

    count(DISTINCT) per key, except on PostgreSQL for keys that are not columns of the
    covering index (months, hours, no key): there the members are grouped first in a
    subquery, which PostgreSQL hashes where count(DISTINCT) sorts every visit; SQLite is
    faster with count(DISTINCT) throughout (tools/bench_reports.py)."""
    members = apply_filter(flt, select(*keys)).where(Visit.visitor_type == "member")
    in_order = bool(keys) and all(getattr(k, "table", None) is Visit.__table__ for k in keys)
    if in_order or s.get_bind().dialect.name != "postgresql":
        q = members.add_columns(
            func.count(Visit.member_id.distinct()), func.count() - func.count(Visit.member_id)
        ).group_by(*keys)
    else:
        inner = members.add_columns(Visit.member_id, func.count().label("n"))
        inner = inner.group_by(*keys, Visit.member_id).subquery()
        outer_keys = list(inner.c)[: len(keys)]
        erased = case((inner.c.member_id.is_(None), inner.c.n), else_=0)
        q = select(*outer_keys, func.count(inner.c.member_id), func.sum(erased))
        q = q.group_by(*outer_keys)
    for row in s.execute(q):
        distinct, erased_visits = row[-2:]
        if distinct or erased_visits:
            yield tuple(row[:-2]), int(distinct or 0) + int(erased_visits or 0)


def total_counts(s: Session, flt: VisitFilter) -> Counts:
    """The whole filter's counts, visitors distinct over the whole period."""
    return _counted(s, flt, [])[1]


def per_day(s: Session, flt: VisitFilter) -> dict[date, Counts]:
    return {k[0]: c for k, c in _grouped(s, flt, [Visit.local_day]).items()}


def per_hour(s: Session, flt: VisitFilter) -> dict[int, Counts]:
    """Local WIB hour, grouped in SQL."""
    return {int(k[0]): c for k, c in _grouped(s, flt, [local_hour(Visit.at_utc)]).items()}


KEYS: dict[str, list[Any]] = {
    "room": [Visit.site, Visit.room],
    "site": [Visit.site],
    "category": [func.lower(Visit.category)],
    "purpose": [Visit.purpose],
    "origin": [Visit.origin_code],
}


def per_key(s: Session, flt: VisitFilter, key: str) -> dict[Any, Counts]:
    """Totals per room ((site, room): a room code repeats across sites), site, category,
    guests' purpose or origin (kabupaten/kota code); NOT_GIVEN where there is no value."""
    return keyed_counts(s, flt, key)[0]


def keyed_counts(s: Session, flt: VisitFilter, key: str) -> tuple[dict[Any, Counts], Counts]:
    """`per_key` and the whole filter's counts (every person once), in one pass."""
    spelled = category_names(s, flt) if key == "category" else {}
    counted, total = _counted(s, flt, KEYS[key])
    out: dict[Any, Counts] = {}
    for k, c in counted.items():
        value = tuple(v or NOT_GIVEN for v in k) if len(k) > 1 else (k[0] or NOT_GIVEN)
        out.setdefault(spelled.get(value, value), Counts()).merge(c)
    return out, total


def per_gender(s: Session, flt: VisitFilter) -> dict[str, Counts]:
    """Counts per gender: "L", "P" and NOT_GIVEN. Members and guests by their gender; a
    group's boys and girls in their rows and the rest of its headcount (adults, children not
    told apart) as not given, where its visits (records) are counted too."""
    out = {"L": Counts(), "P": Counts(), NOT_GIVEN: Counts()}

    def add(gender: str | None, kind: str, heads: int, n: int, people: int) -> None:
        g = gender if gender in ("L", "P") else NOT_GIVEN
        male, female = (heads if g == "L" else 0), (heads if g == "P" else 0)
        out[g].add(kind, heads, n, people, male, female)

    q = select(
        Visit.gender,
        Visit.visitor_type,
        func.sum(Visit.headcount),
        func.count(),
        func.count(Visit.member_id.distinct()),
        func.count(Visit.member_id),
        func.sum(func.coalesce(Visit.boys, 0)),
        func.sum(func.coalesce(Visit.girls, 0)),
    )
    q = apply_filter(flt, q).group_by(Visit.gender, Visit.visitor_type)
    for gender, kind, heads, n, distinct, known, boys, girls in s.execute(q):
        heads, n, boys, girls = int(heads), int(n), int(boys), int(girls)
        if kind == "group":
            add("L", "group", boys, 0, boys)
            add("P", "group", girls, 0, girls)
            add(None, "group", heads - boys - girls, n, heads - boys - girls)
        elif kind == "member":  # an erased member's visit: one person of its own
            add(gender, "member", heads, n, int(distinct) + n - int(known))
        else:
            add(gender, str(kind), heads, n, heads)
    return out


def category_spellings(s: Session, flt: VisitFilter | None = None) -> dict[str, str]:
    """Each category on visits (lower case) -> the spelling reports show: the first in sort
    order, so a member type "Pelajar" names the row it shares with the guests' "pelajar"."""
    q = select(Visit.category).distinct().where(Visit.category.is_not(None))
    out: dict[str, str] = {}
    for name in sorted(s.scalars(apply_filter(flt, q) if flt else q)):
        out.setdefault(name.casefold(), name)
    return out


def category_names(s: Session, flt: VisitFilter) -> dict[str, str]:
    """Each category on visits (lower case) -> the row it counts in: the library's category
    for a known name or mapped member type ("PNS/TNI/Polri" -> "pegawai"), else the name."""
    return {
        low: flt.categories.resolve(name) or name
        for low, name in category_spellings(s, flt).items()
    }


def check_category(s: Session, flt: VisitFilter) -> None:
    """An unknown --category is an error listing the known ones, not a report of zeros."""
    if not flt.category:
        return
    if flt.categories.resolve(flt.category):
        return
    known = {c.code.casefold(): c.code for c in flt.categories.categories}
    known.update(category_spellings(s))
    if flt.category.casefold() not in known:
        names = ", ".join(sorted(known.values(), key=str.casefold))
        raise ValueError(f"unknown category {flt.category!r} (known: {names})")


PERIODS: dict[str, tuple[list[Any], Callable[[tuple[Any, ...]], Any], Fold | None]] = {
    "day": ([Visit.local_day], lambda k: k[0], None),
    "hour": ([local_hour(Visit.at_utc)], lambda k: int(k[0]), None),
    # dow: 0 is Sunday on both databases; 0 is Monday in reports, as date.weekday()
    "weekday": ([extract("dow", Visit.local_day)], lambda k: (int(k[0]) + 6) % 7, None),
    # the SQL keys' own text ('YYYY-MM', 'YYYY'), so that the folded days meet the people
    "month": (
        [month_text(Visit.local_day)],
        lambda k: (int(k[0][:4]), int(k[0][5:])),
        lambda d: (f"{d.year:04d}-{d.month:02d}",),
    ),
    "year": ([year_text(Visit.local_day)], lambda k: int(k[0]), lambda d: (f"{d.year:04d}",)),
}


def period_keys(flt: VisitFilter, by: str) -> list[Any]:
    """Every period of the range, so that empty ones are listed as zero."""
    if by == "hour":
        return list(range(24))
    if by == "weekday":
        return list(range(7))
    every_day = [flt.start + timedelta(d) for d in range((flt.end - flt.start).days + 1)]
    key = {"day": lambda d: d, "month": lambda d: (d.year, d.month), "year": lambda d: d.year}
    return sorted({key[by](d) for d in every_day})


def visit_report(s: Session, flt: VisitFilter, by: str) -> VisitReport:
    """Counts per period (every period of the range, empty ones as zero) or per key.

    Distinct visitors are counted within each row's period or key, and over the whole
    filter for the total.
    """
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)}")
    check_category(s, flt)
    if by in PERIODS:
        columns, convert, fold = PERIODS[by]
        counted, total = _counted(s, flt, columns, fold)
        grouped: dict[Any, Counts] = {}
        for k, c in counted.items():
            grouped.setdefault(convert(k), Counts()).merge(c)
        rows = [(k, grouped.get(k, Counts())) for k in period_keys(flt, by)]
    elif by == "gender":
        keyed, total = per_gender(s, flt), total_counts(s, flt)
        rows = list(keyed.items())
    else:
        keyed, total = keyed_counts(s, flt, by)
        rows = sorted(keyed.items())
    return VisitReport(flt, by, rows, total)


def daily_report(
    s: Session,
    day: date,
    site: str | None,
    rooms: Iterable[Any] | Mapping[str, Iterable[Any]] = (),
    categories: CategoryMap = DEFAULT_CATEGORIES,
) -> DailyReport:
    """The day's counts at one site, or every site (`site` None).

    `rooms` give the rooms' names: the layout's rooms of `site`, or for every site a mapping
    of site code to its rooms.
    """
    per_site = rooms if isinstance(rooms, Mapping) else {site or "": rooms}
    names = {(code, r.code): (r.name, r.name_en) for code, rs in per_site.items() for r in rs}
    flt = VisitFilter(day, day, site, categories=categories)
    order = {k: i for i, k in enumerate(VISITOR_TYPES)}
    spelled = category_names(s, flt)
    keys = [Visit.site, Visit.room, func.lower(Visit.category)]
    merged: dict[tuple[str, str, str, str], Counts] = {}
    for (where, room, lower), kind, c in _rows(s, flt, keys):
        # spellings of one category are one row; a member has one type, so people add up
        category = spelled.get(lower, lower) or ""
        merged.setdefault((where, room, kind, category), Counts()).merge(c)
    rows = [
        DailyRow(room, kind, cat, c.total, c.records, where, c.visitors, c.male, c.female)
        for (where, room, kind, cat), c in merged.items()
    ]
    rows.sort(key=lambda x: (x.site, x.room, order.get(x.visitor_type, 9), x.category))
    return DailyReport(
        day,
        site,
        rows,
        names,
        _grouped(s, flt, [Visit.site, Visit.room]),  # type: ignore[arg-type]
        total_counts(s, flt),
    )


def months_of_years(s: Session, years: Iterable[int], flt: VisitFilter) -> dict[int, list[int]]:
    """Headcount per month (12 values) for each year, for the year-over-year chart."""
    years = sorted(set(years))
    whole = replace(flt, start=date(years[0], 1, 1), end=date(years[-1], 12, 31))
    out = {y: [0] * 12 for y in years}
    for day, counts in per_day(s, whole).items():
        out[day.year][day.month - 1] += counts.total
    return out


def visit_views(s: Session, flt: VisitFilter, by: str, every_view: bool = False) -> VisitViews:
    """The report by `by` and its breakdowns; `every_view` adds every other period view."""
    wanted = dict.fromkeys((*PERIOD_BY, by) if every_view else (by,))
    views = {b: visit_report(s, flt, b) for b in wanted}
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


def _profile_value(name: str, value: str | None) -> str:
    """A stored profile answer as reports group it: ages in bands, "-" when not given."""
    if not value:
        return "-"
    if name == "age_band":
        try:
            return ikm.age_band(value)
        except ValueError:
            return value  # a band written some other way before ages were checked
    return value


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
        population = (
            s.scalar(apply_filter(total, select(func.coalesce(func.sum(Visit.headcount), 0)))) or 0
        )
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
            key = _profile_value(name, value)
            bucket[key] = bucket.get(key, 0) + n
    notes = where(select(SurveySuggestion.local_day, SurveySuggestion.text), SurveySuggestion)
    notes = notes.order_by(SurveySuggestion.local_day, SurveySuggestion.text)
    suggestions = [(day, text) for day, text in s.execute(notes)]
    return IkmReport(start, end, site, result, profile, channels, source, suggestions)


# --- the library's year ---------------------------------------------------------------------


def year_report(
    s: Session,
    year: int,
    site: str | None = None,
    categories: CategoryMap = DEFAULT_CATEGORIES,
    rooms: Mapping[str, Iterable[Any]] | None = None,
) -> YearReport:
    """The year's tables; `rooms` (site code -> the layout's rooms) give the rooms' names.

    Five passes over the year's visits, each read from the covering index: one grouped by
    month, site, room, visitor type, category and gender gives the category, room, gender
    and group tables (folded here); then people, guests' origin and purpose, hours and
    opening days. No join anywhere.
    """
    flt = VisitFilter(date(year, 1, 1), date(year, 12, 31), site, categories=categories)
    named = category_names(s, flt)
    cats: dict[str, list[int]] = {}
    room_months: dict[tuple[str, str], list[int]] = {}
    genders = {"L": [0] * 12, "P": [0] * 12, NOT_GIVEN: [0] * 12}
    groups: dict[str, tuple[int, int, int, int]] = {}
    visitors = 0
    # By month in SQL: grouping by day in the index's order is quicker in the database, but
    # the 60,000 rows of 17 sites' days then take longer to fetch and fold than that saves.
    month = month_text(Visit.local_day)
    cube = [month, Visit.site, Visit.room, Visit.visitor_type, Visit.category, Visit.gender]
    q = select(
        *cube,
        func.sum(Visit.headcount),
        func.count(),
        func.sum(func.coalesce(Visit.boys, 0)),
        func.sum(func.coalesce(Visit.girls, 0)),
    )
    for ym, where, room, kind, cat, gender, heads, n, boys, girls in s.execute(
        apply_filter(flt, q).group_by(*cube)
    ):
        m, heads, boys, girls = int(ym[5:]) - 1, int(heads), int(boys), int(girls)
        low = cat.casefold() if cat else None
        cats.setdefault(named.get(low, low) if low else NOT_GIVEN, [0] * 12)[m] += heads
        room_months.setdefault((where, room), [0] * 12)[m] += heads
        male = heads if gender == "L" else boys  # boys and girls: groups only
        female = heads if gender == "P" else girls
        genders["L"][m] += male
        genders["P"][m] += female
        genders[NOT_GIVEN][m] += heads - male - female
        visitors += heads if kind != "member" else 0  # members are counted below
        if kind == "group":
            level = cat or NOT_GIVEN
            was = groups.get(level, (0, 0, 0, 0))
            groups[level] = (was[0] + int(n), was[1] + heads, was[2] + boys, was[3] + girls)
    visitors += sum(n for _key, n in _members_once(s, flt, []))

    q = apply_filter(flt, select(Visit.origin_code, Visit.purpose, func.sum(Visit.headcount)))
    q = q.where(Visit.visitor_type == "guest")
    places = origins_by_code()
    origins: dict[str, tuple[str, int]] = {}
    purposes: dict[str, int] = {}
    for code, purpose, n in s.execute(q.group_by(Visit.origin_code, Visit.purpose)):
        key = code or NOT_GIVEN
        name = places[code].name if code in places else key
        origins[key] = (name, origins.get(key, (name, 0))[1] + int(n))
        purposes[purpose or NOT_GIVEN] = purposes.get(purpose or NOT_GIVEN, 0) + int(n)
    hour = local_hour(Visit.at_utc)
    q = apply_filter(flt, select(hour, func.sum(Visit.headcount))).group_by(hour)
    hours = {int(h): int(n) for h, n in s.execute(q)}
    days = apply_filter(flt, select(func.count(Visit.local_day.distinct())))
    names = {(code, r.code): (r.name, r.name_en) for code, rs in (rooms or {}).items() for r in rs}
    return YearReport(
        year=year,
        site=site,
        categories=dict(sorted(cats.items(), key=lambda kv: kv[0].casefold())),
        rooms=dict(sorted(room_months.items())),
        genders=genders,
        origins=origins,
        purposes=dict(sorted(purposes.items(), key=lambda kv: -kv[1])),
        groups=dict(sorted(groups.items())),
        hours=hours,
        opening_days=int(s.scalar(days) or 0),
        visitors=visitors,
        room_names=names,
    )


# --- the list of visits ---------------------------------------------------------------------


def visit_list(s: Session, flt: VisitFilter) -> list[VisitLine]:
    """Every visit of the filter in time order, one line each (an export of personal data:
    member numbers, no names of anyone)."""
    q = (
        select(
            Visit.at_utc,
            Visit.local_day,
            Visit.site,
            Visit.room,
            Visit.visitor_type,
            Member.number,
            Group.institution,
            Visit.category,
            Visit.gender,
            Visit.headcount,
            Visit.boys,
            Visit.girls,
            Visit.origin_code,
            Visit.purpose,
            Visit.source,
        )
        .select_from(Visit)
        .outerjoin(Member, Member.id == Visit.member_id)
        .outerjoin(Group, Group.id == Visit.group_id)
    )
    q = apply_filter(flt, q).order_by(Visit.at_utc, Visit.site, Visit.room)
    places = origins_by_code()
    out = []
    for row in s.execute(q):
        at, day, site, room, kind, number, institution, cat, gender, heads, *rest = row
        boys, girls, origin, purpose, source = rest
        local = local_time(at)
        out.append(
            VisitLine(
                day=day,
                time=f"{local.hour:02d}:{local.minute:02d}",
                site=site,
                room=room,
                visitor_type=str(kind),
                who=number or institution or "",
                category=(flt.categories.resolve(cat) or cat or NOT_GIVEN),
                gender=gender if gender in ("L", "P") else NOT_GIVEN,
                headcount=int(heads),
                boys=boys,
                girls=girls,
                origin=places[origin].name if origin in places else (origin or ""),
                purpose=purpose or "",
                source=str(source),
            )
        )
    return out


# --- IPLM figures ---------------------------------------------------------------------------


def iplm_report(s: Session, year: int, population: int | None = None) -> IplmReport:
    """Perpusnas' census figures on visits and members for a year (kiosk.domain.iplm)."""
    flt = VisitFilter(date(year, 1, 1), date(year, 12, 31))
    # Physical visits are people once per day and site: a member once a day at a site (the
    # distinct day-site-member triples, counted per site in SQL), an erased member's visit as
    # one person, guests and groups by headcount. Every query returns a few rows per site:
    # folding a row per day and site in Python took longer than the queries on PostgreSQL.
    per_site: dict[str, int] = {}
    room_visits = groups = 0
    q = select(
        Visit.site,
        Visit.visitor_type,
        func.sum(Visit.headcount),
        func.count() - func.count(Visit.member_id),
    )
    for site, kind, heads, erased in s.execute(
        apply_filter(flt, q).group_by(Visit.site, Visit.visitor_type)
    ):
        room_visits += int(heads)
        groups += int(heads) if kind == "group" else 0
        people = int(erased) if kind == "member" else int(heads)
        per_site[site] = per_site.get(site, 0) + people
    triples = apply_filter(flt, select(Visit.site, Visit.local_day, Visit.member_id).distinct())
    triples = triples.where(Visit.visitor_type == "member", Visit.member_id.is_not(None))
    sub = triples.subquery()
    for site, n in s.execute(select(sub.c.site, func.count()).group_by(sub.c.site)):
        per_site[site] = per_site.get(site, 0) + int(n)
    days = s.scalar(apply_filter(flt, select(func.count(Visit.local_day.distinct()))))
    start, _ = day_bounds_utc(flt.start)
    _, end = day_bounds_utc(flt.end)
    registered = s.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.created_at < end)
        .where((Member.expires.is_(None)) | (Member.expires >= flt.start))
    )
    new = s.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.created_at >= start, Member.created_at < end)
    )
    active = s.scalar(
        apply_filter(flt, select(func.count(Visit.member_id.distinct()))).where(
            Visit.visitor_type == "member"
        )
    )
    q = apply_filter(flt, select(func.coalesce(func.sum(Visit.headcount), 0)))
    events = s.scalar(q.where(Visit.visitor_type == "guest", Visit.purpose == "kegiatan"))
    return iplm_figures(
        year,
        physical=sum(per_site.values()),
        room_visits=room_visits,
        opening_days=int(days or 0),
        registered=int(registered or 0),
        new=int(new or 0),
        active=int(active or 0),
        participants=groups + int(events or 0),
        per_site=dict(sorted(per_site.items())),
        population=population,
    )
