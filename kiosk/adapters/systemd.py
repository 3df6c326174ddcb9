"""systemd's notify protocol (sd_notify), standard library only.

Under a unit with `Type=notify` and `WatchdogSec=`, systemd passes NOTIFY_SOCKET (a Unix
datagram socket; a leading "@" names an abstract one) and WATCHDOG_USEC. The kiosk says
READY=1 once its screen is up and WATCHDOG=1 at least every half period; when the pings stop
(a frozen screen), systemd kills and restarts it. Outside systemd every call does nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Notifier:
    address: str | None  # None: not started by systemd with notify access
    watchdog_usec: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET") or None
        try:
            usec = int(env.get("WATCHDOG_USEC", "0"))
        except ValueError:
            usec = 0
        # WATCHDOG_PID is not checked: under cage the kiosk is the main process's child, and
        # the unit (NotifyAccess=all) means this watchdog for it.
        return cls(address, max(usec, 0))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def ping_every(self) -> float | None:
        """Seconds between watchdog pings (half the period, as systemd advises), or None."""
        return self.watchdog_usec / 2e6 if self.watchdog_usec else None

    def notify(self, message: str) -> bool:
        """Send one notification; False when not under systemd or the socket is gone."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
                s.sendto(message.encode(), target)
        except OSError:
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
