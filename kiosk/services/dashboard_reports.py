"""What the dashboard's Trends and Satisfaction pages show: a number on the page is the number
of `kiosk report visits` and `kiosk report ikm` for the same period and site. Trends count from
the day counts the database keeps (kiosk.services.day_counts: ten years in a few thousand
rows), Satisfaction with the CLI's own function. Nothing here writes SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kiosk.domain.counts import Counts, IkmReport, VisitFilter
from kiosk.services import day_counts, reports
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
    """Room visits of one period (people are counted for the whole period: Trends.total)."""

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
        rows = day_counts.per_period(s, flt, by)
        last_rows = day_counts.per_period(s, before, by)
        # Periods side by side in order: the n-th day, week, month or year of each period.
        paired = [
            TrendRow(k, c, last_rows[i][1] if i < len(last_rows) else Counts())
            for i, (k, c) in enumerate(rows)
        ]
        this, total = day_counts.breakdown(s, flt)
        last, last_total = day_counts.breakdown(s, before)
    gender_order = {"P": 0, "L": 1}
    breakdowns = {
        key: _pair(
            this[key], last[key], (lambda k: gender_order.get(k, 2)) if key == "gender" else str
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
