"""Repeated log lines are counted, not repeated.

A camera unplugged for a few seconds, or a bad card held in front of the lens, can produce
the same warning dozens of times a second. `RepeatFilter` lets the first line of a kind
through, holds back the same line (same logger, same message template) for `window`
seconds, then lets the next one through with how many were held back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class RepeatFilter(logging.Filter):
    def __init__(
        self, window: float = 10.0, clock: Callable[[], float] = time.monotonic, keep: int = 500
    ) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self.keep = keep  # remembered kinds of line; the oldest are forgotten first
        self._seen: dict[tuple[str, object, int], tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.suppressed = 0  # lines held back since the start, for `kiosk doctor` and tests

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg, record.levelno)
        now = self.clock()
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last[0] < self.window:
                self._seen[key] = (last[0], last[1] + 1)
                self.suppressed += 1
                return False
            held = last[1] if last is not None else 0
            self._seen.pop(key, None)
            self._seen[key] = (now, 0)
            while len(self._seen) > self.keep:
                self._seen.pop(next(iter(self._seen)))
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last {self.window:g} s)"
        return True
