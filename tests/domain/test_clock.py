from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.domain.clock import WIB, day_bounds_utc, local_day, parse_at


def test_late_evening_wib_is_that_day_and_after_midnight_the_next() -> None:
    assert local_day(datetime(2026, 11, 27, 23, 30, tzinfo=WIB)) == date(2026, 11, 27)
    assert local_day(datetime(2026, 11, 28, 0, 30, tzinfo=WIB)) == date(2026, 11, 28)
    # The same instants seen in UTC: 16:30 and 17:30 on the 27th.
    assert local_day(datetime(2026, 11, 27, 16, 30, tzinfo=UTC)) == date(2026, 11, 27)
    assert local_day(datetime(2026, 11, 27, 17, 30, tzinfo=UTC)) == date(2026, 11, 28)


def test_day_bounds_are_wib_midnights() -> None:
    start, end = day_bounds_utc(date(2026, 11, 28))
    assert start == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T09:30", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),  # no zone: WIB
        ("2026-11-27T09:30+07:00", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),
        ("2026-11-27T09:30Z", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),
        ("2026-11-27 23:30", datetime(2026, 11, 27, 16, 30, tzinfo=UTC)),
        ("2026-11-27", datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
    ],
)
def test_parse_at(text: str, expected: datetime) -> None:
    assert parse_at(text) == expected


def test_parse_at_rejects_garbage_with_an_example() -> None:
    with pytest.raises(ValueError, match="example"):
        parse_at("yesterday")
