"""Time rules: store UTC, count days in the library's zone (Asia/Jakarta, WIB).

Every place that needs "which day is this visit" calls `local_day`, so the CLI, the kiosk, the
reports and the database index agree on where midnight is.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as local library time (WIB)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=WIB)
    return at.astimezone(UTC)


def local_day(at: datetime) -> date:
    """The library's calendar day of an instant (naive values are read as WIB)."""
    return as_utc(at).astimezone(WIB).date()


def local_time(at: datetime) -> datetime:
    return as_utc(at).astimezone(WIB)


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a local library day."""
    start = datetime(day.year, day.month, day.day, tzinfo=WIB).astimezone(UTC)
    return start, start + timedelta(days=1)


def parse_at(text: str) -> datetime:
    """ISO 8601 date-time, with or without zone; without one it is local library time.

    A bare date means the start of that local day.
    """
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 near a zone shift
        raise ValueError(
            f"not an ISO 8601 time: {text!r} (example: 2026-11-27T09:30 or 2026-11-27T09:30+07:00)"
        ) from None


class Clock:
    """Wall clock for the record, monotonic clock for windows (immune to clock jumps)."""

    def now(self) -> datetime:
        return utcnow()

    def monotonic(self) -> float:
        return time.monotonic()
