"""What the dashboard's Trends and Satisfaction pages show, counted by the CLI's own functions
(kiosk.services.reports): a number on the page is the number of `kiosk report visits` and
`kiosk report ikm` for the same period and site. Nothing here writes SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kiosk.domain.counts import Counts, IkmReport, VisitFilter
from kiosk.services import reports
from kiosk.services.surveys import standard_for
from kiosk.services.sync_central import CentralDatabase

TREND_BY = ("day", "week", "month", "year")
BREAKDOWNS = ("site", "room", "category", "gender")


def last_year(day: date) -> date:
    """The same date a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def default_window(by: str, end: date) -> tuple[date, date]:
    """The period a trend shows unless one is asked for: the last 31 days, the last 12 weeks
    (from a Monday), this year so far by month, the last ten years."""
    if by == "day":
        return end - timedelta(days=30), end
    if by == "week":
        monday = end - timedelta(days=end.weekday())
        return monday - timedelta(weeks=11), end
    if by == "month":
        return end.replace(month=1, day=1), end
    return date(end.year - 9, 1, 1), end


@dataclass(frozen=True)
class TrendRow:
    key: Any  # a day, a week's first day, (year, month) or a year
    this: Counts
    last: Counts  # the same period a year earlier


@dataclass(frozen=True)
class KeyRow:
    key: Any  # site code, (site, room), category, or gender "L" / "P" / "-"
    this: Counts
    last: Counts


@dataclass
class Trends:
    by: str
    start: date
    end: date
    last_start: date
    last_end: date
    site: str | None
    rows: list[TrendRow]
    total: Counts  # the whole period, every person once
    last_total: Counts
    breakdowns: dict[str, list[KeyRow]] = field(default_factory=dict)


def _weeks(flt: VisitFilter, days: list[tuple[Any, Counts]]) -> list[tuple[date, Counts]]:
    """Room visits per 7 days from the period's first day (the day report's rows summed)."""
    out: dict[date, Counts] = {}
    for day, c in days:
        first = flt.start + timedelta(weeks=(day - flt.start).days // 7)
        out.setdefault(first, Counts()).merge(c)
    return sorted(out.items())


def _periods(s: Any, flt: VisitFilter, by: str) -> tuple[list[tuple[Any, Counts]], Counts]:
    """The visit report's rows (`kiosk report visits --by`); weeks from its days."""
    report = reports.visit_report(s, flt, "day" if by == "week" else by)
    rows = _weeks(flt, report.rows) if by == "week" else report.rows
    return rows, report.total


def _keyed(s: Any, flt: VisitFilter, key: str) -> dict[Any, Counts]:
    if key == "gender":
        return reports.per_gender(s, flt)
    return reports.keyed_counts(s, flt, key)[0]


def _pair(
    this: dict[Any, Counts], last: dict[Any, Counts], order: Callable[[Any], Any]
) -> list[KeyRow]:
    keys = sorted(set(this) | set(last), key=order)
    return [KeyRow(k, this.get(k, Counts()), last.get(k, Counts())) for k in keys]


def trends(
    db: CentralDatabase,
    settings_categories: Any,
    by: str,
    start: date,
    end: date,
    site: str | None,
) -> Trends:
    """Visits per period of [start, end] at `site` (None: every site) beside the same period a
    year earlier, and the period's visits per site, room, category and gender."""
    if by not in TREND_BY:
        raise ValueError(f"by must be one of {', '.join(TREND_BY)}")
    flt = VisitFilter(start, end, site, categories=settings_categories)
    before = VisitFilter(last_year(start), last_year(end), site, categories=settings_categories)
    with db.sessions() as s:
        rows, total = _periods(s, flt, by)
        last_rows, last_total = _periods(s, before, by)
        # Periods side by side in order: the n-th day, week, month or year of each period.
        paired = [
            TrendRow(k, c, last_rows[i][1] if i < len(last_rows) else Counts())
            for i, (k, c) in enumerate(rows)
        ]
        gender_order = {"P": 0, "L": 1}
        breakdowns = {
            key: _pair(
                _keyed(s, flt, key),
                _keyed(s, before, key),
                (lambda k: gender_order.get(k, 2)) if key == "gender" else str,
            )
            for key in BREAKDOWNS
        }
    return Trends(
        by, start, end, before.start, before.end, site, paired, total, last_total, breakdowns
    )


def satisfaction(
    db: CentralDatabase,
    start: date,
    end: date,
    standard: str,
    site: str | None,
) -> IkmReport:
    """`kiosk report ikm --standard S --from --to [--site]` (its population: the visits)."""
    with db.sessions() as s:
        return reports.ikm_report(s, start, end, standard_for(standard), None, site)
