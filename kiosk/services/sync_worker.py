"""The sync worker: rounds of push and pull on their own thread (never the UI thread), with
back-off and jitter after failures.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from kiosk.adapters.http.client import ServerRefused, ServerUnavailable
from kiosk.services.sync_joining import NotEnrolled
from kiosk.services.sync_kiosk import KioskSync

log = logging.getLogger(__name__)


class SyncWorker:
    """Runs sync cycles on its own thread (never the UI thread), backing off with jitter."""

    def __init__(
        self,
        make_sync: Callable[[], KioskSync],
        interval: float = 30.0,
        max_delay: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self.make_sync = make_sync
        self.interval = interval
        self.max_delay = max_delay
        self.rng = rng or random.Random()
        self.failures = 0
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.on_cycle: Callable[[dict[str, Any] | None, str | None], None] | None = None

    def delay(self) -> float:
        """After n failures in a row: up to interval x 2^n, at most max_delay, with jitter so
        that kiosks coming back after a power cut do not all call at the same second."""
        if self.failures == 0:
            return self.interval
        cap = min(self.max_delay, self.interval * 2 ** min(self.failures, 16))
        return cap * self.rng.uniform(0.5, 1.0)

    def run(self) -> None:
        sync: KioskSync | None = None
        while not self.stop_event.is_set():
            summary, error = None, None
            try:
                sync = sync or self.make_sync()
                summary = sync.cycle()
                self.failures = 0
            except ServerUnavailable as e:
                self.failures += 1
                error = str(e)
            except (ServerRefused, NotEnrolled) as e:
                self.failures = max(self.failures + 1, 6)  # a person must act: call rarely
                error = str(e)
            except Exception as e:  # noqa: BLE001 - the worker must outlive any one cycle
                log.exception("sync cycle failed")
                self.failures += 1
                error = f"{type(e).__name__}: {e}"
            if self.on_cycle is not None:
                self.on_cycle(summary, error)
            self.stop_event.wait(self.delay())
        if sync is not None:
            sync.close()

    def start(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name="kiosk-sync", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)
