"""The one boundary between worker threads and the UI thread: a queue plus a Clock trigger.

Threads never touch widgets or GL. They put a callable on the queue and fire the trigger; the
UI thread drains the queue on its next frame (the pattern of kivy-smoothie-host).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)


class UiBridge:
    def __init__(self) -> None:
        self._posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._trigger = Clock.create_trigger(self.drain, 0)

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn(*args)` on the UI thread soon. Safe to call from any thread."""
        self._posted.put(lambda: fn(*args))
        self._trigger()

    def drain(self, *_: Any) -> int:
        done = 0
        while True:
            try:
                fn = self._posted.get_nowait()
            except queue.Empty:
                return done
            try:
                fn()
            except Exception:  # a failing callback must not stop the others
                log.exception("UI callback failed")
            done += 1


class Worker:
    """One background thread for database work, in order; results come back through the bridge.

    One thread is enough (a check-in takes milliseconds) and keeps every database call in
    order, so a visitor's room choice can never overtake their card.
    """

    def __init__(self, bridge: UiBridge, name: str = "kiosk-worker") -> None:
        self.bridge = bridge
        self._jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._busy = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def busy(self) -> int:
        """Jobs submitted whose callback has not run yet (tests wait for 0)."""
        return self._busy

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> None:
        with self._lock:
            self._busy += 1
        self._jobs.put((fn, args, kwargs, then, failed))

    def _done(self, cb: Callable[[Any], None] | None, value: Any) -> None:
        try:
            if cb is not None:
                cb(value)
        finally:
            with self._lock:
                self._busy -= 1

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args, kwargs, then, failed = job
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # reported on the UI thread, the worker lives on
                log.exception("background job %s failed", getattr(fn, "__name__", fn))
                self.bridge.post(self._done, failed, exc)
                continue
            self.bridge.post(self._done, then, result)

    def stop(self, timeout: float = 2.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)
