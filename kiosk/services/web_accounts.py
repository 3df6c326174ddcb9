"""Accounts of the central dashboard: users and roles, logins, sessions, lock-out.

Everything lives in the central database, never in a server process's memory, so any number
of stateless workers behind one address agree on who is logged in and who is locked out.

- Passwords: scrypt hashes (kiosk.domain.passwords: N=2**15, r=8, p=1, 32 MiB a guess).
- Sessions: a random token in the browser's cookie; the database keeps only its SHA-256
  (a copied database gives no working cookie) and a per-session CSRF token that every
  form posts back.
- Lock-out: 5 wrong passwords within 15 minutes lock the account for 15 minutes, counted in
  web_login_failures. A right password during the lock-out does not open it.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import WebLoginFailure, WebSession, WebUser
from kiosk.domain.passwords import check_password, hash_password, verify_secret
from kiosk.domain.vocab import N_

__all__ = ["check_password"]  # the CLI checks a typed password before storing it
from kiosk.services.sync_enrolment import digest

ROLES = (N_("admin"), N_("manager"), N_("staff"))  # msgids: the pages name the roles
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)  # one working day; then log in again
# Verified when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


# English msgids: the dashboard shows them in the reader's language (kiosk.i18n).
WRONG = N_("Wrong user name or password.")
LOCKED = N_("This account is locked after too many wrong passwords. Try again later.")


class LoginRefused(PermissionError):
    """A login that did not work: `locked_until` is set when the account is locked."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class Account:
    """Who is asking: their role decides the pages, their site (staff) the numbers."""

    name: str
    role: str
    site: str | None

    def may_see(self, site: str | None) -> bool:
        """Staff see only their own site (and never every site at once); others see all."""
        return self.role != "staff" or (site is not None and site == self.site)

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role, "site": self.site}


@dataclass(frozen=True)
class LoggedIn:
    account: Account
    csrf: str
    expires: datetime


def check_user(name: str, role: str, site: str | None, sites: tuple[str, ...]) -> None:
    """A valid account: lower-case login name, a known role, a known site for staff only."""
    if not NAME.match(name):
        raise ValueError(
            f"nama pengguna {name!r}: huruf kecil, angka, . _ - (maks. 40) "
            "(user name: lower-case letters, digits, . _ -)"
        )
    if role not in ROLES:
        raise ValueError(f"peran (role) harus salah satu dari {', '.join(ROLES)}")
    if role == "staff" and not site:
        raise ValueError("staf perlu --site: staf hanya melihat satu lokasi (staff need --site)")
    if role != "staff" and site:
        raise ValueError(f"hanya staf yang terikat pada satu lokasi; {role} melihat semua lokasi")
    if site and site not in sites:
        raise ValueError(f"lokasi {site!r} tidak ada di tata letak (sites: {', '.join(sites)})")


def add_user(
    s: Session, name: str, role: str, site: str | None, password: str, sites: tuple[str, ...]
) -> Account:
    check_user(name, role, site, sites)
    if s.get(WebUser, name) is not None:
        raise ValueError(f"pengguna {name!r} sudah ada (already exists)")
    s.add(WebUser(name=name, role=role, site=site, password_hash=hash_password(password)))
    return Account(name, role, site)


def _user(s: Session, name: str) -> WebUser:
    row = s.get(WebUser, name)
    if row is None:
        raise LookupError(f"tidak ada pengguna {name!r} (no such user; see `kiosk users list`)")
    return row


def list_users(s: Session) -> list[dict[str, object]]:
    rows = s.scalars(select(WebUser).order_by(WebUser.name)).all()
    return [
        {
            "name": r.name,
            "role": r.role,
            "site": r.site,
            "created": r.created_at.isoformat(),
            "locked_until": r.locked_until.isoformat() if r.locked_until else None,
        }
        for r in rows
    ]


def remove_user(s: Session, name: str) -> None:
    """The account and its sessions go at once (a browser still open is logged out)."""
    row = _user(s, name)
    s.execute(delete(WebSession).where(WebSession.user_name == name))
    s.execute(delete(WebLoginFailure).where(WebLoginFailure.user_name == name))
    s.delete(row)


def set_password(s: Session, name: str, password: str) -> None:
    """A new password ends every session of the account and lifts a lock-out."""
    row = _user(s, name)
    row.password_hash = hash_password(password)
    row.locked_until = None
    s.execute(delete(WebSession).where(WebSession.user_name == name))
    s.execute(delete(WebLoginFailure).where(WebLoginFailure.user_name == name))


def login(s: Session, name: str, password: str, now: datetime) -> tuple[str, LoggedIn]:
    """(cookie token, session) for a right password; LoginRefused otherwise.

    The caller commits in every case: a failure must be counted even though it raises.
    """
    wrong = WRONG
    row = s.get(WebUser, name.strip().lower()) if name else None
    if row is None:
        verify_secret(password, _DUMMY_HASH)
        raise LoginRefused(wrong)
    if row.locked_until is not None and row.locked_until > now:
        raise LoginRefused(LOCKED, row.locked_until)
    if not verify_secret(password, row.password_hash):
        s.add(WebLoginFailure(user_name=row.name, at_utc=now))
        s.flush()
        recent = s.scalar(
            select(func.count())
            .select_from(WebLoginFailure)
            .where(
                WebLoginFailure.user_name == row.name,
                WebLoginFailure.at_utc > now - FAILURE_WINDOW,
            )
        )
        if (recent or 0) >= MAX_FAILURES:
            row.locked_until = now + LOCK_TIME
            s.execute(delete(WebLoginFailure).where(WebLoginFailure.user_name == row.name))
            raise LoginRefused(LOCKED, row.locked_until)
        raise LoginRefused(wrong)
    row.locked_until = None
    s.execute(delete(WebLoginFailure).where(WebLoginFailure.user_name == row.name))
    s.execute(delete(WebSession).where(WebSession.expires_at < now))  # tidy up old ones
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    s.add(
        WebSession(
            token_hash=digest(token),
            user_name=row.name,
            csrf=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    return token, LoggedIn(Account(row.name, row.role, row.site), csrf, expires)


def session_of(s: Session, token: str | None, now: datetime) -> LoggedIn | None:
    """The live session of a cookie token, or None (unknown, expired, account removed)."""
    if not token:
        return None
    row = s.get(WebSession, digest(token))
    if row is None or row.expires_at <= now:
        return None
    user = s.get(WebUser, row.user_name)
    if user is None:
        return None
    return LoggedIn(Account(user.name, user.role, user.site), row.csrf, row.expires_at)


def csrf_ok(session: LoggedIn, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), (sent or "").encode())


def logout(s: Session, token: str | None) -> None:
    if token:
        s.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))
