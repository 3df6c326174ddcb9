"""The staff PIN: salted scrypt hashes, and a lockout that grows with repeated failures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.core.staff_pin import PinGuard, hash_pin, stored_hash, verify_pin


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
    assert guard.wait_seconds() == 0  # three free tries
    assert not guard.try_pin("0000")
    assert guard.wait_seconds() == 30
    assert not guard.try_pin("2468")  # locked: not even checked
    now[0] += 30
    assert not guard.try_pin("0000")
    assert guard.wait_seconds() == 60
    now[0] += 60
    assert not guard.try_pin("0000")
    assert guard.wait_seconds() == 120
    now[0] += 120
    assert guard.try_pin("2468")
    assert guard.failures == 0
    assert not guard.try_pin("0000") and guard.wait_seconds() == 0


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
