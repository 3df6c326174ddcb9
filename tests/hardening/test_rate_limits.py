"""Repeated log lines and refusals of the same text are counted instead of repeated."""

from __future__ import annotations

import logging

from kiosk.logs import RepeatFilter


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_camera_gone_for_six_seconds_logs_a_few_lines() -> None:
    now = [0.0]
    handler = Collect()
    rf = RepeatFilter(window=10.0, clock=lambda: now[0])
    handler.addFilter(rf)
    log = logging.getLogger("kiosk.test.camera")
    log.addHandler(handler)
    log.propagate = False
    try:
        for i in range(522):  # what one unplugged camera wrote in 6 s
            now[0] = i * 6.0 / 522
            log.warning("camera %s read error: %s", 0, f"frame {i}")
        log.warning("camera %s: %s", 0, "running")  # another kind of line still shows
        now[0] = 12.0
        log.warning("camera %s read error: %s", 0, "again")
    finally:
        log.removeHandler(handler)
    assert handler.lines[0] == "camera 0 read error: frame 0"
    assert handler.lines[1] == "camera 0: running"
    assert handler.lines[2] == "camera 0 read error: again (and 521 more like it in the last 10 s)"
    assert len(handler.lines) == 3 and rf.suppressed == 521
