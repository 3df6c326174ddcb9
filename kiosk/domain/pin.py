"""The staff PIN policy: 4-12 digits, kept only as a salted scrypt hash, and the lockout rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 12


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise ValueError(f"the staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`, self-describing so the cost can be raised later."""
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.strip().split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        got = hashlib.scrypt(
            pin.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def lockout_after(failures: int, free_tries: int, first_lock: float, max_lock: float) -> float:
    """Seconds the staff screen locks after this many wrong PINs in a row (0: not locked).

    Past the free tries, every wrong PIN locks twice as long as the one before, up to max_lock.
    """
    over = failures - free_tries - 1  # 0 for the first wrong PIN past the free ones
    return 0.0 if over < 0 else min(max_lock, first_lock * 2**over)
