"""The staff PIN policy: 4-12 digits, kept only as a salted scrypt hash, and the lockout rule."""

from __future__ import annotations

from kiosk.domain.passwords import SCHEME, hash_secret, verify_secret

__all__ = ["SCHEME", "check_pin_format", "hash_pin", "lockout_after", "verify_pin"]

N, R, P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 12


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise ValueError(f"the staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`, self-describing so the cost can be raised later."""
    check_pin_format(pin)
    return hash_secret(pin, (N, R, P), salt)


def verify_pin(pin: str, stored: str) -> bool:
    return verify_secret(pin, stored)


def lockout_after(failures: int, free_tries: int, first_lock: float, max_lock: float) -> float:
    """Seconds the staff screen locks after this many wrong PINs in a row (0: not locked).

    Past the free tries, every wrong PIN locks twice as long as the one before, up to max_lock.
    """
    over = failures - free_tries - 1  # 0 for the first wrong PIN past the free ones
    return 0.0 if over < 0 else min(max_lock, first_lock * 2**over)
