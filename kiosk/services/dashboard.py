"""What the central dashboard's pages read and change, one transaction per call.

The web layer (kiosk.web) never touches the database: it calls these methods from a worker
thread and renders what they return. Counting is the CLI's own (kiosk.services.reports), so a
number on the page is the number in `kiosk report` and `kiosk export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import Visit
from kiosk.config import ConfigError, Settings
from kiosk.domain.clock import Clock, local_day, local_time, utcnow
from kiosk.domain.counts import Counts, VisitFilter
from kiosk.domain.vocab import N_
from kiosk.layout import Layout, load_layout
from kiosk.services import audit, reports, web_accounts
from kiosk.services.groups import GroupInfo, groups_on
from kiosk.services.sync_central import CentralDatabase, add_kiosk, list_kiosks, revoke_kiosk
from kiosk.services.web_accounts import Account, LoggedIn

# When a kiosk needs a person (the Kiosks page shows these in red).
SILENT_AFTER = timedelta(minutes=15)  # the sync worker reports every 30 s when it can
LOW_DISK_MB = 200  # kiosk doctor's own limit (kiosk.services.doctor.MIN_FREE)
CAMERA_DOWN = ("lost", "ended", "stopped")
# What kiosks report about their camera (kiosk.vision.sources states), as the page words them.
CAMERA_WORDS = {
    "running": N_("working"),
    "starting": N_("starting"),
    "lost": N_("lost"),
    "ended": N_("ended"),
    "stopped": N_("stopped"),
    "off": N_("no camera"),
    "unknown": N_("not reported"),
}
NEARLY_FULL = 0.8  # occupancy above this share of the capacity shows amber, at 100 % red


@dataclass(frozen=True)
class RoomToday:
    site: str
    room: str
    name: str
    name_en: str
    counts: Counts


@dataclass(frozen=True)
class Occupancy:
    """An estimate of the people in a room with a capacity: the headcount that came in within
    its typical stay (no exit scans are recorded yet)."""

    site: str
    room: str
    name: str
    name_en: str
    inside: int
    capacity: int
    stay_minutes: int

    @property
    def percent(self) -> int:
        return round(100 * self.inside / self.capacity)

    @property
    def level(self) -> str:
        """'full' (at or above capacity), 'high' (above 80 %) or 'ok'."""
        if self.inside >= self.capacity:
            return "full"
        return "high" if self.inside > NEARLY_FULL * self.capacity else "ok"


@dataclass(frozen=True)
class Today:
    day: date
    at: datetime  # when the numbers were read (UTC)
    total: Counts  # every person once over the sites in view
    sites: list[tuple[str, str, Counts]]  # (code, name, counts)
    rooms: list[RoomToday]
    groups: list[GroupInfo]
    occupancy: list[Occupancy]  # the rooms in view with a capacity in the layout


@dataclass(frozen=True)
class KioskRow:
    data: dict[str, Any]
    problems: list[str]  # English msgids of what needs a person; empty when all is well


class Dashboard:
    """The dashboard's access to the central database (shared with the sync API)."""

    def __init__(self, settings: Settings, db: CentralDatabase, clock: Clock | None = None) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock or Clock()
        self.layout: Layout = load_layout(settings.layout_file)

    @property
    def site_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.layout.sites)

    # --- accounts ---------------------------------------------------------------------------

    def login(self, name: str, password: str) -> tuple[str, LoggedIn]:
        """A failed login is committed too (the failure counts toward the lock-out)."""
        with self.db.sessions() as s:
            try:
                result = web_accounts.login(s, name, password, utcnow())
            except web_accounts.LoginRefused:
                s.commit()  # the failure counts toward the lock-out
                raise
            s.commit()
        return result

    def session(self, token: str | None) -> LoggedIn | None:
        with self.db.sessions() as s:
            return web_accounts.session_of(s, token, utcnow())

    def logout(self, token: str | None) -> None:
        with self.db.sessions() as s, s.begin():
            web_accounts.logout(s, token)

    def users(self) -> list[dict[str, object]]:
        with self.db.sessions() as s:
            return web_accounts.list_users(s)

    def add_user(self, name: str, role: str, site: str | None, password: str) -> Account:
        with self.db.sessions() as s, s.begin():
            return web_accounts.add_user(s, name, role, site, password, self.site_codes)

    def remove_user(self, name: str) -> None:
        with self.db.sessions() as s, s.begin():
            web_accounts.remove_user(s, name)

    # --- the access log of personal data ------------------------------------------------------

    def log_export(
        self, who: Account, site: str | None, what: str, rows: int, action: str = "export"
    ) -> None:
        """One row in the access log for a download of personal data (or, with `action`, a
        search listing names or a print of cards), before it is sent."""
        with self.db.sessions() as s, s.begin():
            audit.log_access(
                s,
                utcnow(),
                site or "*",
                action,
                what,
                rows,
                channel="server",
                actor=f"web:{who.name}",
            )

    def access_log(self, limit: int = 200) -> list[audit.Access]:
        with self.db.sessions() as s:
            return list(reversed(audit.read_log(s, limit=limit)))  # newest first

    # --- Today -----------------------------------------------------------------------------

    def today(self, site: str | None) -> Today:
        """Visits so far today (WIB day) at `site`, or every site (None)."""
        now = self.clock.now()
        day = local_day(now)
        flt = VisitFilter(day, day, site, categories=self.settings.categories)
        with self.db.sessions() as s:
            per_room, total = reports.keyed_counts(s, flt, "room")
            per_site, _ = reports.keyed_counts(s, flt, "site")
            groups = groups_on(s, day, site, today=day)
            occupancy = room_occupancy(s, self.layout, site, now)
        names = {x.code: x.name for x in self.layout.sites}
        rooms = []
        for (where, code), counts in sorted(per_room.items()):
            room = self.room(where, code)
            rooms.append(
                RoomToday(
                    where,
                    code,
                    room.name if room else code,
                    room.name_en if room else code,
                    counts,
                )
            )
        sites = [(code, names.get(code, code), c) for code, c in sorted(per_site.items())]
        return Today(day, now, total, sites, rooms, groups, occupancy)

    def room(self, site: str, code: str) -> Any:
        """The layout's room, or None for a site or room no longer in the layout (its old
        visits still count, shown under their codes)."""
        try:
            return self.layout.site(site).room(code)
        except (LookupError, ConfigError):
            return None

    # --- Kiosks ----------------------------------------------------------------------------

    def kiosks(self, site: str | None = None) -> list[KioskRow]:
        now = utcnow()
        with self.db.sessions() as s:
            rows = list_kiosks(s)
        out = []
        for r in rows:
            if site is not None and r["site"] != site:
                continue
            out.append(KioskRow(r, kiosk_problems(r, now)))
        return out

    def enrol(self, kiosk_id: str, site: str, location: str) -> dict[str, str]:
        """A one-time enrolment code (shown once: only its hash is stored)."""
        kiosk_id = kiosk_id.strip()
        if not kiosk_id or len(kiosk_id) > 40:
            raise ValueError("ID kiosk wajib diisi, maks. 40 karakter (kiosk ID: 1-40 characters)")
        found = self.layout.site(site)  # ConfigError (a ValueError) names the sites
        if location != "entrance" and found.room(location) is None:
            rooms = ", ".join(r.code for r in found.rooms)
            raise ValueError(
                f"{location!r} bukan 'entrance' atau ruang di {site} ({rooms}) "
                f"(not the entrance nor a room of {site})"
            )
        with self.db.sessions() as s, s.begin():
            enrolment = add_kiosk(s, kiosk_id, site, location)
        return enrolment.to_json()

    def revoke(self, kiosk_id: str) -> None:
        with self.db.sessions() as s, s.begin():
            revoke_kiosk(s, kiosk_id)


def room_occupancy(s: Session, layout: Layout, site: str | None, now: datetime) -> list[Occupancy]:
    """The rooms with a capacity at `site` (None: every site), each with the headcount of
    visits into it within its typical stay, read in one query."""
    rooms = [
        (x.code, r, r.capacity, r.stay_minutes)
        for x in layout.sites
        if site is None or x.code == site
        for r in x.rooms
        if r.capacity and r.stay_minutes
    ]
    if not rooms:
        return []
    since = {(w, r.code): now - timedelta(minutes=stay) for w, r, _cap, stay in rooms}
    q = (
        select(Visit.site, Visit.room, func.sum(Visit.headcount))
        # the day bound lets the (site, local_day) index narrow the rows first
        .where(Visit.local_day >= local_day(min(since.values())))
        .where(
            or_(
                *(
                    and_(Visit.site == w, Visit.room == code, Visit.at_utc > start)
                    for (w, code), start in since.items()
                )
            )
        )
        .group_by(Visit.site, Visit.room)
    )
    inside = {(w, code): int(n) for w, code, n in s.execute(q)}
    return [
        Occupancy(w, r.code, r.name, r.name_en, inside.get((w, r.code), 0), cap, stay)
        for w, r, cap, stay in rooms
    ]


def kiosk_problems(row: dict[str, Any], now: datetime) -> list[str]:
    """What about a kiosk needs a person, as English msgids (the page translates them)."""
    if row["revoked"]:
        return []
    if not row["enrolled"]:
        return []  # a code waiting to be used: shown as such, nothing is wrong yet
    problems = []
    last = row["last_contact"]
    if last is None or datetime.fromisoformat(last) < now - SILENT_AFTER:
        problems.append(N_("no contact for more than 15 minutes"))
    if row["quarantined"]:
        problems.append(N_("records in quarantine"))
    if row["camera"] in CAMERA_DOWN:
        problems.append(N_("camera not working"))
    if row["free_disk_mb"] is not None and row["free_disk_mb"] < LOW_DISK_MB:
        problems.append(N_("disk almost full"))
    if row["clock_flag"]:
        problems.append(N_("clock is off"))
    return problems


def local_clock(at: datetime | str | None) -> str:
    """'YYYY-MM-DD HH:MM' in WIB for a UTC time (or its ISO text), '-' for none."""
    if at is None:
        return "-"
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return local_time(when).strftime("%Y-%m-%d %H:%M")
