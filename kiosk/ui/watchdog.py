"""The systemd watchdog, fed from the Kivy clock: if the screen freezes, the pings stop and
systemd restarts the kiosk (see assets/systemd/kiosk.service)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk.adapters.systemd import Notifier


class Watchdog:
    def __init__(self, notifier: Notifier | None = None) -> None:
        self.notifier = notifier or Notifier.from_env()
        self._event: Any = None
        self.pings = 0

    def start(self) -> Watchdog:
        """Say the kiosk is ready and ping from the UI thread's clock from now on."""
        self.notifier.ready("kiosk screen up")
        every = self.notifier.ping_every
        if every is not None and self._event is None:
            self._event = Clock.schedule_interval(self._ping, every)
        return self

    def _ping(self, _dt: float) -> None:
        if self.notifier.ping():
            self.pings += 1

    def report(self, text: str) -> None:
        """A status line `systemctl status kiosk` shows (e.g. the red banner's error)."""
        self.notifier.status(text)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.notifier.stopping()
