"""The dates and times staff type, read one way everywhere (commands, screens, the dashboard).

Staff write 2027-12-31, 31-12-2027 or 31/12/2027 (the Indonesian day-month-year order); a
back-entered visit needs its time of day too, because midnight is never when anyone came.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from kiosk.domain.clock import as_utc

DATE_EXAMPLE = "2027-12-31, 31-12-2027 or 31/12/2027"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


def parse_date(text: str) -> date:
    """A calendar date in any of the forms staff type; ValueError in staff words otherwise."""
    t = text.strip()
    if m := _ISO.fullmatch(t):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.fullmatch(t):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise ValueError(f"{text!r} is not a date: write it as {DATE_EXAMPLE}")
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar: check day and month") from None


def parse_visit_time(text: str, now: datetime, opened_year: int) -> datetime:
    """When a visit happened (UTC), from "DATE TIME" in library time (WIB) or with a zone.

    A date without a time is refused (ask for the time); so are times in the future and
    before `opened_year`, when the library's records start (its `[library] opened` setting).
    """
    t = text.strip()
    day_part, _, time_part = t.replace("T", " ", 1).partition(" ")
    time_part = time_part.strip()
    if not time_part:
        parse_date(day_part)  # a bad date is named as such first
        raise ValueError(
            f"{text!r} has no time of day: add when the visit happened, e.g. '{day_part} 09:30'"
        )
    day = parse_date(day_part)
    zone = ""
    if m := re.search(r"(Z|[+-]\d{2}:?\d{2})$", time_part):
        zone, time_part = m.group(1), time_part[: m.start()].strip()
    m = _TIME.fullmatch(time_part)
    if not m:
        raise ValueError(f"{text!r}: the time must be hours:minutes, e.g. 09:30")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        raise ValueError(f"{text!r}: {time_part} is not a time of day")
    iso = f"{day.isoformat()}T{h:02d}:{mi:02d}:{s:02d}{zone.replace('Z', '+00:00')}"
    at = as_utc(datetime.fromisoformat(iso))
    if day.year < opened_year:
        raise ValueError(
            f"{text!r} is before {opened_year}, when the library's records start "
            "(the [library] opened setting)"
        )
    if at > now + timedelta(minutes=5):
        raise ValueError(f"{text!r} is in the future: only past visits can be entered")
    return at
