"""A plain progress bar on stderr for long staff and developer jobs (stdout stays clean JSON)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`[#####.....]  50%  label  12s`, redrawn in place at most ten times a second.

    Draws nothing when stderr is not a terminal (scripts, tests, cron), unless `force`.
    """

    def __init__(
        self, total: int, title: str, stream: TextIO | None = None, force: bool = False
    ) -> None:
        self.total = max(total, 1)
        self.title = title
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self.done_steps = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def step(self, label: str = "", n: int = 1) -> None:
        self.done_steps += n
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.1 or self.done_steps >= self.total):
            self._drawn = now
            share = min(self.done_steps / self.total, 1.0)
            bar = "#" * int(share * 30)
            self.stream.write(
                f"\r{self.title} [{bar:<30}] {share:4.0%} {label:<12} {now - self.started:4.0f}s"
            )
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
