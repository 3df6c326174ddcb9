"""A clock that tests move by hand, including wall-clock jumps."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.domain.clock import Clock, as_utc


class ManualClock(Clock):
    def __init__(self, start: datetime, mono: float = 1000.0) -> None:
        self._now = as_utc(start)
        self._mono = mono

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def jump_wall(self, seconds: float) -> None:
        """The wall clock jumps (time sync after a power cut); monotonic time does not."""
        self._now += timedelta(seconds=seconds)
