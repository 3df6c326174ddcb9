"""The access log of personal data: who saw or took members' names, when, how, how many.

Every command and screen that shows, prints or exports names writes one row here; `kiosk
audit` reads them back. A row names the person asking and what they asked for (a search, a
member number, a file), never the members in the answer.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import AccessRecord
from kiosk.domain.clock import local_time

CHANNELS = ("cli", "screen", "server")


def this_user() -> str:
    """user@host of the process (the administrator at the terminal, or the kiosk's user)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = "uid?"
    return f"{user}@{socket.gethostname()}"[:80]


def log_access(
    s: Session,
    at: datetime,
    site: str,
    action: str,
    subject: str,
    rows: int,
    channel: str = "cli",
    actor: str | None = None,
) -> None:
    """Add one access to the caller's unit of work (`KioskService.log_access` commits it at
    once, apart from any other work)."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    s.add(
        AccessRecord(
            at_utc=at,
            site=site,
            actor=(actor or this_user())[:80],
            channel=channel,
            action=action[:20],
            subject=subject[:160],
            rows=rows,
        )
    )


@dataclass(frozen=True)
class Access:
    at: datetime
    site: str
    actor: str
    channel: str
    action: str
    subject: str
    rows: int

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "local_time": local_time(self.at).isoformat(timespec="seconds"),
            "site": self.site,
            "actor": self.actor,
            "channel": self.channel,
            "action": self.action,
            "subject": self.subject,
            "rows": self.rows,
        }


def read_log(s: Session, since: datetime | None = None, limit: int = 200) -> list[Access]:
    """The newest `limit` accesses (since `since`), oldest first."""
    q = select(AccessRecord).order_by(AccessRecord.at_utc.desc()).limit(limit)
    if since is not None:
        q = q.where(AccessRecord.at_utc >= since)
    rows = list(s.scalars(q))
    return [
        Access(r.at_utc, r.site, r.actor, r.channel, r.action, r.subject, r.rows)
        for r in reversed(rows)
    ]
