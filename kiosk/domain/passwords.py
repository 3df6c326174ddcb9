"""Secrets kept only as salted scrypt hashes (staff PINs, dashboard passwords).

scrypt is memory-hard: each guess costs 128 * N * r bytes of memory, so graphics cards and
custom chips gain little over the server. The hash is self-describing
(`scrypt$N$r$p$salt$hash`), so the cost can be raised later and old hashes still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

SCHEME = "scrypt"
# Dashboard passwords: N=2**15, r=8, p=1 is 32 MiB and about 0.1-0.25 s per guess on the
# central server (2 cores): offline guessing of a stolen database is slow, while a login
# stays quick. Online guessing is stopped by the lock-out (kiosk.services.web_accounts).
PASSWORD_COST = (2**15, 8, 1)
MIN_PASSWORD, MAX_PASSWORD = 10, 200


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL refuses more than 32 MiB unless asked: allow twice what the cost needs.
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * n * r * p + 2**20
    )


def hash_secret(secret: str, cost: tuple[int, int, int], salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` of `secret` with a fresh 16-byte salt."""
    n, r, p = cost
    salt = salt or os.urandom(16)
    digest = _scrypt(secret, salt, n, r, p, 32)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` gives `stored`; False for any other secret or a damaged hash."""
    try:
        scheme, n, r, p, salt, digest = stored.strip().split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        got = _scrypt(secret, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, expected)


def check_password(password: str) -> None:
    """A dashboard password: 10 characters or more (a passphrase is welcome)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(
            f"kata sandi minimal {MIN_PASSWORD} karakter "
            f"(the password needs {MIN_PASSWORD} characters or more)"
        )
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"kata sandi maksimal {MAX_PASSWORD} karakter (password too long)")


def hash_password(password: str) -> str:
    check_password(password)
    return hash_secret(password, PASSWORD_COST)
