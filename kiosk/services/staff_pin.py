"""The staff PIN: stored only as a salted scrypt hash, with a growing lockout after failures.

A kiosk PIN is short, so the hash alone would not stop a patient guesser who can read the file;
the lockout is what protects the staff screen at the kiosk itself: after `free_tries` wrong
PINs every further wrong PIN locks the screen for twice as long as the one before (30 s, 60 s,
2 min, ... up to 1 hour), on the monotonic clock so that a clock change cannot lift it.

Restarting the kiosk must not lift it either: the failures and the end of the lockout (wall
clock, UTC) are kept in data_dir/staff-pin-guard.json and read back at start. After a restart
the monotonic clock has begun again, so the wall clock gives what is left of the lockout,
never more than `max_lock` (a wall clock set far back cannot lock the staff out for days).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.adapters.files.atomic import PRIVATE, write_text
from kiosk.config import Settings
from kiosk.domain.clock import utcnow
from kiosk.domain.pin import check_pin_format, hash_pin, lockout_after, verify_pin

__all__ = [
    "GUARD_FILE",
    "PIN_FILE",
    "PinGuard",
    "check_pin_format",
    "hash_pin",
    "pin_file",
    "save_pin",
    "stored_hash",
    "verify_pin",
]

log = logging.getLogger(__name__)

PIN_FILE = "staff-pin"
GUARD_FILE = "staff-pin-guard.json"


def pin_file(settings: Settings) -> Path:
    return settings.data_dir / PIN_FILE


def stored_hash(settings: Settings) -> str:
    """The PIN hash from the settings ([staff] pin_hash), else from data_dir/staff-pin."""
    if settings.staff_pin_hash:
        return settings.staff_pin_hash
    path = pin_file(settings)
    return path.read_text(encoding="ascii").strip() if path.exists() else ""


def save_pin(settings: Settings, pin: str) -> Path:
    """Hash `pin` into data_dir/staff-pin (readable by the kiosk's user only)."""
    path = pin_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(hash_pin(pin) + "\n", encoding="ascii")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


@dataclass
class PinGuard:
    """Checks PINs against one stored hash and locks out repeated failures.

    With a `state_file` the failures and the lockout survive a restart of the kiosk.
    """

    stored: str
    clock: Callable[[], float] = time.monotonic
    free_tries: int = 3
    first_lock: float = 30.0
    max_lock: float = 3600.0
    failures: int = 0
    locked_until: float = field(default=0.0)
    state_file: Path | None = None
    wall: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        self._load()

    @classmethod
    def for_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> PinGuard:
        """The kiosk's guard: the stored PIN hash, the lockout kept in data_dir."""
        return cls(stored_hash(settings), clock=clock, state_file=settings.data_dir / GUARD_FILE)

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            failures = int(data["failures"])
            until = datetime.fromisoformat(data["locked_until_utc"])
            left = (until - self.wall()).total_seconds()
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning(
                "staff PIN lockout state %s unreadable (%s): starting afresh", self.state_file, e
            )
            return
        self.failures = max(0, failures)
        if left > 0:
            self.locked_until = self.clock() + min(self.max_lock, left)

    def _save(self) -> None:
        if self.state_file is None:
            return
        until = self.wall() + timedelta(seconds=self.lockout_left())
        state = {"failures": self.failures, "locked_until_utc": until.isoformat()}
        try:
            write_text(self.state_file, json.dumps(state) + "\n", PRIVATE)
        except OSError as e:  # the lockout still holds until the kiosk restarts
            log.warning("could not keep the staff PIN lockout in %s: %s", self.state_file, e)

    @property
    def configured(self) -> bool:
        return bool(self.stored)

    def lockout_left(self) -> float:
        """Seconds until a PIN may be tried again (0: now)."""
        return max(0.0, self.locked_until - self.clock())

    def try_pin(self, pin: str) -> bool:
        """True for the right PIN. While locked, no PIN is even checked."""
        if not self.configured or self.lockout_left() > 0:
            return False
        if verify_pin(pin, self.stored):
            if self.failures:
                self.failures = 0
                self._save()
            return True
        self.failures += 1
        lock = lockout_after(self.failures, self.free_tries, self.first_lock, self.max_lock)
        if lock:
            self.locked_until = self.clock() + lock
        self._save()
        return False
