"""The refusal log, rate-limited: the same text refused again soon after is counted on the
row already stored instead of adding a row (a forged animated QR held to the camera would
otherwise add 30 rows a second, about 560 MB a day)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import RefusedScan

REPEAT_WINDOW_S = 60.0  # the same text refused within this is a repeat of the stored row


@dataclass
class RefusalLog:
    monotonic: Callable[[], float]
    window: float = REPEAT_WINDOW_S
    keep: int = 256  # texts remembered; the oldest are forgotten first
    _last: dict[tuple[str | None, str, str], tuple[uuid.UUID, float]] = field(
        default_factory=dict, repr=False
    )

    def add(self, s: Session, row: RefusedScan) -> bool:
        """Stage `row`, or count it on the stored row of the same text; True if counted."""
        key = (row.room, row.reason, row.excerpt)
        now = self.monotonic()
        last = self._last.get(key)
        if last is not None and now - last[1] < self.window:
            done = s.execute(
                update(RefusedScan)
                .where(RefusedScan.id == last[0])
                .values(repeats=RefusedScan.repeats + 1)
            )
            if done.rowcount:  # not erased or purged meanwhile
                return True
        if row.id is None:
            row.id = uuid.uuid4()
        row.repeats = 0
        s.add(row)
        self._last.pop(key, None)
        self._last[key] = (row.id, now)
        while len(self._last) > self.keep:
            self._last.pop(next(iter(self._last)))
        return False
