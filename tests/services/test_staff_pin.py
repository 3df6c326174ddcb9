"""The staff PIN: salted scrypt hashes, and a lockout that grows with repeated failures."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.services.staff_pin import PinGuard, hash_pin, save_pin, stored_hash, verify_pin


def test_hash_is_salted_and_verifies() -> None:
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a != b and a.startswith("scrypt$")
    assert "2468" not in a
    assert verify_pin("2468", a) and verify_pin("2468", b)
    assert not verify_pin("2469", a)
    assert not verify_pin("2468", "garbage") and not verify_pin("2468", "")


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123"])
def test_pin_format(pin: str) -> None:
    with pytest.raises(ValueError):
        hash_pin(pin)


def test_lockout_grows_and_the_right_pin_resets_it() -> None:
    now = [0.0]
    guard = PinGuard(hash_pin("2468"), clock=lambda: now[0])
    for _ in range(3):
        assert not guard.try_pin("0000")
    assert guard.lockout_left() == 0  # three free tries
    assert not guard.try_pin("0000")
    assert guard.lockout_left() == 30
    assert not guard.try_pin("2468")  # locked: not even checked
    now[0] += 30
    assert not guard.try_pin("0000")
    assert guard.lockout_left() == 60
    now[0] += 60
    assert not guard.try_pin("0000")
    assert guard.lockout_left() == 120
    now[0] += 120
    assert guard.try_pin("2468")
    assert guard.failures == 0
    assert not guard.try_pin("0000") and guard.lockout_left() == 0


def test_no_pin_set_opens_nothing() -> None:
    guard = PinGuard("")
    assert not guard.configured and not guard.try_pin("1234")


def test_set_pin_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("97531\n"))
    assert main(["staff", "set-pin", "--pin-stdin"]) == 0
    stored = stored_hash(load_settings(overrides={"data_dir": tmp_path}, environ={}))
    assert verify_pin("97531", stored)
    assert (tmp_path / "staff-pin").stat().st_mode & 0o077 == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["staff", "set-pin", "--pin-stdin"]) == 2


class Clocks:
    """A monotonic clock that starts again at 0 on every "restart", and a wall clock (UTC)."""

    def __init__(self) -> None:
        self.mono = 0.0
        self.utc = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.utc += timedelta(seconds=seconds)

    def restart(self) -> None:
        self.mono = 0.0

    def guard(self, path: Path) -> PinGuard:
        return PinGuard(
            hash_pin("2468"), clock=lambda: self.mono, state_file=path, wall=lambda: self.utc
        )


def test_lockout_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "staff-pin-guard.json"
    clocks = Clocks()
    guard = clocks.guard(path)
    for _ in range(4):
        assert not guard.try_pin("0000")
    assert guard.lockout_left() == 30
    assert path.stat().st_mode & 0o077 == 0
    clocks.advance(10)
    clocks.restart()  # the kiosk restarts: the monotonic clock begins again
    again = clocks.guard(path)
    assert again.failures == 4
    assert again.lockout_left() == 20
    assert not again.try_pin("2468")  # still locked
    clocks.advance(20)
    assert not again.try_pin("0000")  # the failures were kept: the lock doubles
    assert again.lockout_left() == 60
    clocks.advance(60)
    assert again.try_pin("2468")
    clocks.restart()
    fresh = clocks.guard(path)
    assert fresh.failures == 0 and fresh.lockout_left() == 0


def test_a_wall_clock_set_back_cannot_lock_for_days(tmp_path: Path) -> None:
    path = tmp_path / "staff-pin-guard.json"
    clocks = Clocks()
    guard = clocks.guard(path)
    for _ in range(4):
        guard.try_pin("0000")
    clocks.utc -= timedelta(days=3)  # a flat clock battery after a power cut
    clocks.restart()
    assert clocks.guard(path).lockout_left() == guard.max_lock


def test_an_unreadable_state_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "staff-pin-guard.json"
    path.write_text("{not json", encoding="utf-8")
    guard = Clocks().guard(path)
    assert guard.failures == 0 and guard.lockout_left() == 0
    assert guard.try_pin("2468")


def test_for_settings_keeps_the_state_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(overrides={"data_dir": tmp_path}, environ={})
    save_pin(settings, "2468")
    guard = PinGuard.for_settings(settings)
    assert guard.configured and not guard.try_pin("0000")
    assert json.loads((tmp_path / "staff-pin-guard.json").read_text())["failures"] == 1
    assert PinGuard.for_settings(settings).failures == 1
