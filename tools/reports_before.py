"""The counting that tools/bench_reports.py compares against: reports as they were before
migration 0008 (four queries that join members and guests for people and gender, and a
year report of thirteen passes), kept here as the baseline only. `baseline()` puts them in
place of today's for the duration of a `with` block.

Copied from kiosk/services/reports.py at 2bc6e06; not used by the kiosk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Guest, Member, Visit
from kiosk.domain.categories import DEFAULT as DEFAULT_CATEGORIES
from kiosk.domain.categories import CategoryMap
from kiosk.domain.counts import NOT_GIVEN, Counts, VisitFilter, YearReport
from kiosk.services import reports
from kiosk.services.guests import origins_by_code
from kiosk.services.reports import apply_filter, month_text


@contextmanager
def baseline() -> Iterator[None]:
    """Today's counting functions swapped for the old ones (module attributes, so every
    report that calls them through the module uses the old ones)."""
    saved = {name: getattr(reports, name) for name in ("_counted", "per_gender", "year_report")}
    reports._counted = _counted  # type: ignore[assignment]
    reports.per_gender = per_gender  # type: ignore[assignment]
    reports.year_report = year_report  # type: ignore[assignment]
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(reports, name, fn)


def _counted(
    s: Session, flt: VisitFilter, keys: Sequence[Any], fold: Any = None
) -> tuple[dict[tuple[Any, ...], Counts], Counts]:
    """Counts per key, and for the whole filter with every person counted once.

    (`fold` is ignored: the old counting grouped months and years in SQL. Its joined query
    for keys on guests' columns is left out: the bench does not time those.)

    Four narrow queries instead of joining every visit to its member and guest (several times
    faster on a year of visits, tools/bench_reports.py): room visits from the report index
    alone, then members (people and gender), guests by gender, groups' boys and girls. Keys
    on guests' own columns (purpose, origin) take the joined query.
    """
    width = len(keys)
    out: dict[tuple[Any, ...], Counts] = {}
    total = Counts()

    def both(key: tuple[Any, ...]) -> tuple[Counts, Counts]:
        return out.setdefault(key, Counts()), total

    q = apply_filter(
        flt, select(*keys, Visit.visitor_type, func.sum(Visit.headcount), func.count())
    )
    for row in s.execute(q.group_by(*keys, Visit.visitor_type)):
        kind, heads, n = row[width:]
        people = 0 if kind == "member" else int(heads)  # members are counted below
        for c in both(tuple(row[:width])):
            c.add(kind, int(heads), int(n), people)

    genders = dict(s.execute(select(Member.id, Member.gender)).tuples().all())
    q = apply_filter(flt, select(*keys, Visit.member_id, func.sum(Visit.headcount), func.count()))
    q = q.where(Visit.visitor_type == "member").group_by(*keys, Visit.member_id)
    everyone: set[Any] = set()
    for row in s.execute(q):
        member, heads, n = row[width:]
        gender = genders.get(member)
        c = out.setdefault(tuple(row[:width]), Counts())
        c.visitors += 1 if member else int(n)  # an erased member's visits: one person each
        if member:
            everyone.add(member)
        else:
            total.visitors += int(n)
        for c in both(tuple(row[:width])):
            c.male += int(heads) if gender == "L" else 0
            c.female += int(heads) if gender == "P" else 0
    total.visitors += len(everyone)

    q = apply_filter(flt, select(*keys, Guest.gender, func.sum(Visit.headcount)))
    q = q.join(Guest, Guest.id == Visit.guest_id).where(Visit.visitor_type == "guest")
    for row in s.execute(q.group_by(*keys, Guest.gender)):
        gender, heads = row[width:]
        for c in both(tuple(row[:width])):
            c.male += int(heads) if gender == "L" else 0
            c.female += int(heads) if gender == "P" else 0

    q = apply_filter(flt, select(*keys, func.sum(Visit.boys), func.sum(Visit.girls)))
    q = q.where(Visit.visitor_type == "group").group_by(*keys)
    for row in s.execute(q):
        boys, girls = row[width:]
        for c in both(tuple(row[:width])):
            c.male += int(boys or 0)
            c.female += int(girls or 0)
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

    genders = dict(s.execute(select(Member.id, Member.gender)).tuples().all())
    q = apply_filter(flt, select(Visit.member_id, func.sum(Visit.headcount), func.count()))
    for member, heads, n in s.execute(
        q.where(Visit.visitor_type == "member").group_by(Visit.member_id)
    ):
        add(genders.get(member), "member", int(heads), int(n), 1 if member else int(n))
    q = apply_filter(flt, select(Guest.gender, func.sum(Visit.headcount), func.count()))
    q = q.join(Guest, Guest.id == Visit.guest_id).where(Visit.visitor_type == "guest")
    for gender, heads, n in s.execute(q.group_by(Guest.gender)):
        add(gender, "guest", int(heads), int(n), int(heads))
    q = apply_filter(
        flt,
        select(
            func.sum(Visit.headcount),
            func.count(),
            func.sum(func.coalesce(Visit.boys, 0)),
            func.sum(func.coalesce(Visit.girls, 0)),
        ),
    ).where(Visit.visitor_type == "group")
    heads, n, boys, girls = (int(v or 0) for v in s.execute(q).one())
    add("L", "group", boys, 0, boys)
    add("P", "group", girls, 0, girls)
    add(None, "group", heads - boys - girls, n, heads - boys - girls)
    return out


def _per_month(
    s: Session, flt: VisitFilter, keys: Sequence[Any]
) -> dict[tuple[Any, ...], list[int]]:
    """Room visits per month (12 values) for each value of `keys`."""
    out: dict[tuple[Any, ...], list[int]] = {}
    q = apply_filter(flt, select(month_text(Visit.local_day), *keys, func.sum(Visit.headcount)))
    for month, *key, heads in s.execute(q.group_by(month_text(Visit.local_day), *keys)):
        out.setdefault(tuple(key), [0] * 12)[int(month[5:]) - 1] += int(heads)
    return out


def year_report(
    s: Session,
    year: int,
    site: str | None = None,
    categories: CategoryMap = DEFAULT_CATEGORIES,
    rooms: Mapping[str, Iterable[Any]] | None = None,
) -> YearReport:
    """The year's tables; `rooms` (site code -> the layout's rooms) give the rooms' names."""
    flt = VisitFilter(date(year, 1, 1), date(year, 12, 31), site, categories=categories)
    named = reports.category_names(s, flt)
    cats: dict[str, list[int]] = {}
    for (low,), months in _per_month(s, flt, [func.lower(Visit.category)]).items():
        row = cats.setdefault(named.get(low, low) if low else NOT_GIVEN, [0] * 12)
        for m in range(12):
            row[m] += months[m]
    room_months = {
        (where, room): months
        for (where, room), months in _per_month(s, flt, [Visit.site, Visit.room]).items()
    }
    by_month, total = reports._counted(s, flt, [month_text(Visit.local_day)])
    genders = {"L": [0] * 12, "P": [0] * 12, NOT_GIVEN: [0] * 12}
    for (month,), c in by_month.items():
        m = int(month[5:]) - 1
        genders["L"][m] += c.male
        genders["P"][m] += c.female
        genders[NOT_GIVEN][m] += c.gender_unknown

    guests = apply_filter(flt, select(Guest.origin_code, func.sum(Visit.headcount)))
    guests = guests.join(Guest, Guest.id == Visit.guest_id).where(Visit.visitor_type == "guest")
    places = origins_by_code()
    origins = {
        code or NOT_GIVEN: (places[code].name if code in places else code or NOT_GIVEN, int(n))
        for code, n in s.execute(guests.group_by(Guest.origin_code))
    }
    q = apply_filter(flt, select(Guest.purpose, func.sum(Visit.headcount)))
    q = q.join(Guest, Guest.id == Visit.guest_id).where(Visit.visitor_type == "guest")
    purposes = {p or NOT_GIVEN: int(n) for p, n in s.execute(q.group_by(Guest.purpose))}
    q = apply_filter(
        flt,
        select(
            Visit.category,
            func.count(),
            func.sum(Visit.headcount),
            func.sum(func.coalesce(Visit.boys, 0)),
            func.sum(func.coalesce(Visit.girls, 0)),
        ),
    ).where(Visit.visitor_type == "group")
    groups = {
        level or NOT_GIVEN: (int(n), int(h), int(b), int(g))
        for level, n, h, b, g in s.execute(q.group_by(Visit.category))
    }
    hours = {h: c.total for h, c in reports.per_hour(s, flt).items()}
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
        visitors=total.visitors,
        room_names=names,
    )
