"""Counting long periods from the counts the database keeps per day and month (migration 0011).

`kiosk report` reads the visits themselves; on ten years of seventeen sites that is 1.5
million rows, several seconds a question. The dashboard's Trends page asks for ten years and
the ten before on every view, so it reads the counts kept by triggers on visits instead: room
visits per site, room, visitor type, category and gender in `visit_month_counts` for the
period's whole months and `visit_day_counts` for the days around them, and the members who
came in each month (`visit_member_months`). The numbers are the reports' own: the same rules as
kiosk.services.reports (a group's boys and girls, an erased member's visit one person of its
own), and tests/services/test_day_counts.py holds both to each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import DayCount, MemberMonth, MonthCount, Visit
from kiosk.domain.counts import NOT_GIVEN, Counts, VisitFilter
from kiosk.services.reports import (
    apply_filter,
    category_spellings_asked,
    month_text,
    period_keys,
    year_text,
)

CONVERT = {"day": lambda v: v, "month": lambda v: (int(v[:4]), int(v[5:])), "year": int}
Table = type[DayCount] | type[MonthCount]


def _dated(table: Table) -> Any:
    return table.local_day if table is DayCount else table.month


def _keys(table: Table, name: str) -> list[Any]:
    """The grouping columns of a period ("day", "month", "year") or of the "breakdown"."""
    if name == "day":
        return [table.local_day]  # type: ignore[union-attr] - asked of the day counts only
    if name in ("month", "year"):
        return [(month_text if name == "month" else year_text)(_dated(table))]
    return [table.site, table.room, table.category]


def _parts(flt: VisitFilter, days_only: bool) -> list[tuple[Table, date, date]]:
    """Where the period's counts are: its whole months in the month counts, the days before
    and after them in the day counts (bounds included)."""
    months = None if days_only else _whole_months(flt)
    if months is None:
        return [(DayCount, flt.start, flt.end)]
    first, after = months
    parts: list[tuple[Table, date, date]] = [(MonthCount, first, after - timedelta(days=1))]
    if flt.start < first:
        parts.append((DayCount, flt.start, first - timedelta(days=1)))
    if after <= flt.end:
        parts.append((DayCount, after, flt.end))
    return parts


def _grouped(s: Session, flt: VisitFilter, name: str) -> Iterator[Any]:
    """(keys..., visitor type, gender, room visits, visits, boys, girls, unnamed) rows grouped
    by a period or key; one key's rows may come more than once (whole months, edge days)."""
    for table, lo, hi in _parts(flt, days_only=name == "day"):
        keys = _keys(table, name)
        q = select(
            *keys,
            table.visitor_type,
            table.gender,
            func.sum(table.heads),
            func.sum(table.records),
            func.sum(table.boys),
            func.sum(table.girls),
            func.sum(table.unnamed),
        ).where(_dated(table) >= lo, _dated(table) <= hi)
        if flt.site:
            q = q.where(table.site == flt.site)
        if flt.room:
            q = q.where(table.room == flt.room)
        if flt.category:
            q = q.where(func.lower(table.category).in_(category_spellings_asked(flt)))
        yield from s.execute(q.group_by(*keys, table.visitor_type, table.gender))


def _add(c: Counts, kind: str, gender: str, sums: tuple[Any, ...]) -> None:
    """One grouped row into `c`: room visits by gender as the reports count them (a group's
    boys and girls); people only where no member needs counting once (see breakdown())."""
    heads, n, boys, girls, unnamed = (int(x or 0) for x in sums)
    male = heads if gender == "L" else boys
    female = heads if gender == "P" else girls
    c.add(kind, heads, n, unnamed if kind == "member" else heads, male, female)


def per_period(s: Session, flt: VisitFilter, by: str) -> list[tuple[Any, Counts]]:
    """Room visits per day, week (7 days from the period's first), month or year, every
    period listed; `visitors` are not counted per period (Trends shows them for the whole)."""
    name = "day" if by == "week" else by
    out: dict[Any, Counts] = {}
    for key, kind, gender, *sums in _grouped(s, flt, name):
        _add(out.setdefault(CONVERT[name](key), Counts()), kind, gender, tuple(sums))
    if by == "week":
        weeks: dict[date, Counts] = {}
        for day, c in out.items():
            first = flt.start + timedelta(weeks=(day - flt.start).days // 7)
            weeks.setdefault(first, Counts()).merge(c)
        every = [flt.start + timedelta(weeks=w) for w in range((flt.end - flt.start).days // 7 + 1)]
        return [(k, weeks.get(k, Counts())) for k in every]
    return [(k, out.get(k, Counts())) for k in period_keys(flt, by)]


def breakdown(s: Session, flt: VisitFilter) -> tuple[dict[str, dict[Any, Counts]], Counts]:
    """Room visits per site, (site, room), category and gender ("L", "P", NOT_GIVEN), keyed as
    reports.keyed_counts and reports.per_gender key them (`visitors` as in per_period), and
    the whole period's counts with every person once: guests and groups as recorded, an erased
    member's visit one person, each member once. One grouping of the counts for all of them."""
    rows = list(_grouped(s, flt, "breakdown"))
    spellings: dict[str, str] = {}
    for name in sorted({row[2] for row in rows} - {""}):
        spellings.setdefault(name.casefold(), name)
    spelled = {low: flt.categories.resolve(name) or name for low, name in spellings.items()}
    out: dict[str, dict[Any, Counts]] = {"site": {}, "room": {}, "category": {}}
    out["gender"] = {"L": Counts(), "P": Counts(), NOT_GIVEN: Counts()}
    whole = Counts()
    for site, room, category, kind, gender, *sums in rows:
        low = category.lower()
        for key, value in (("site", site), ("room", (site, room))):
            _add(out[key].setdefault(value, Counts()), kind, gender, tuple(sums))
        value = spelled.get(low, low) if low else NOT_GIVEN
        _add(out["category"].setdefault(value, Counts()), kind, gender, tuple(sums))
        _add(whole, kind, gender, tuple(sums))
        _by_gender(out["gender"], kind, gender, tuple(sums))
    whole.visitors += members_once(s, flt)
    return out, whole


def _by_gender(out: dict[Any, Counts], kind: str, gender: str, sums: tuple[Any, ...]) -> None:
    """reports.per_gender: members and guests by their gender; a group's boys and girls where
    the leader gave them, the rest of its headcount not given."""
    heads, n, boys, girls, _unnamed = (int(x or 0) for x in sums)
    if kind == "group":
        out["L"].add("group", boys, 0, 0, boys, 0)
        out["P"].add("group", girls, 0, 0, 0, girls)
        out[NOT_GIVEN].add("group", heads - boys - girls, n, 0)
    else:
        g = gender if gender in ("L", "P") else NOT_GIVEN
        out[g].add(kind, heads, n, 0, heads if g == "L" else 0, heads if g == "P" else 0)


def members_once(s: Session, flt: VisitFilter) -> int:
    """Distinct members of the period: its whole months from the members per month, the days
    before and after them from the visits (each part its own range, so each uses an index)."""
    parts = _parts(flt, days_only=bool(flt.room or flt.category))  # months know neither
    found = []
    for table, lo, hi in parts:
        if table is MonthCount:
            q = select(MemberMonth.member_id).where(MemberMonth.month.between(lo, hi))
            found.append(q.where(MemberMonth.site == flt.site) if flt.site else q)
        else:
            days = replace(flt, start=lo, end=hi)
            found.append(
                apply_filter(days, select(Visit.member_id)).where(Visit.member_id.is_not(None))
            )
    every = union_all(*found).subquery()
    return int(s.scalar(select(func.count(every.c.member_id.distinct()))) or 0)


def _whole_months(flt: VisitFilter) -> tuple[date, date] | None:
    """[first, after): the whole months of the period, None when it has none."""
    first = flt.start if flt.start.day == 1 else _next_month(flt.start)
    after = _next_month(flt.end)
    if after != flt.end + timedelta(days=1):  # the last month is not whole
        after = flt.end.replace(day=1)
    return (first, after) if first < after else None


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
