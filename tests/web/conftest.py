"""The dashboard on a real central database (SQLite file and PostgreSQL), driven over HTTP
through the real Starlette app, or in a real headless Chromium (test_browser.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker
from kiosk.config import Settings, load_settings
from kiosk.domain.cards import Keyring
from kiosk.domain.clock import Clock, local_time
from kiosk.server.app import create_app
from kiosk.services import web_accounts
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService

PASSWORDS = {
    "boss": "kepala-perpus-2026",
    "manda": "pimpinan-lubuk-01",
    "siti": "staf-pusat-rahasia",
    "tono": "staf-taba-rahasia",
}
ROLES = {"boss": ("admin", None), "manda": ("manager", None)}
ROLES |= {"siti": ("staff", "PUSAT"), "tono": ("staff", "CAB-TABA")}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_accounts(database_url: str) -> None:
    engine = make_engine(database_url)
    sites = ("PUSAT", "CAB-TABA", "PUSLING-1")
    with make_sessionmaker(engine).begin() as s:
        for name, (role, site) in ROLES.items():
            web_accounts.add_user(s, name, role, site, PASSWORDS[name], sites)
    engine.dispose()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str | None = None) -> object:
    form = client.get("/login")
    return client.post(
        "/login",
        data={
            "csrf": csrf_of(form.text),
            "name": name,
            "password": PASSWORDS[name] if password is None else password,
            "next": "/today",
        },
        follow_redirects=False,
    )


@dataclass
class Web:
    settings: Settings
    app: object

    def client(self, name: str | None = None, base_url: str = "http://testserver") -> TestClient:
        c = TestClient(self.app, base_url=base_url)  # type: ignore[arg-type]
        if name:
            r = login(c, name)
            assert r.status_code == 303, r.text
        return c

    def kiosk(self, site: str, clock: Clock | None = None) -> KioskService:
        """A kiosk writing to the same database (as if its visits had been synced)."""
        s = load_settings(
            overrides={
                "data_dir": self.settings.data_dir,
                "db_url": self.settings.database_url,
                "site": site,
                "kiosk_id": f"k-{site.lower()}",
                "survey_chance": 0,
            },
            environ={},
        )
        return KioskService.open(s, clock)


def guest(svc: KioskService, room: str, gender: str = "P") -> None:
    form = GuestForm(category="umum", gender=gender, origin="16.73", purpose="membaca")
    svc.guest_check_in(form, room)


def away_from_midnight(margin: timedelta = timedelta(minutes=4)) -> None:
    """Wait past WIB midnight when it is near: a visit made at 23:59 and a page read at
    00:00 would be on two different days (the library's day is cut at midnight WIB)."""
    now = local_time(datetime.now(UTC))
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 2)


def make_settings(
    tmp_path: Path, db_url: str, allow_http: bool = True, layout: Path | None = None
) -> Settings:
    overrides = {
        "data_dir": tmp_path,
        "db_url": db_url,
        "kiosk_id": "central",
        "web_allow_http": allow_http,
    }
    return load_settings(
        overrides=overrides | ({"layout_file": layout} if layout else {}), environ={}
    )


@contextmanager
def running_web(
    tmp_path: Path, db_url: str, clock: Clock | None = None, layout: Path | None = None
) -> Iterator[Web]:
    """The real app on a fresh central database with the test accounts; `clock` is the
    dashboard's (the system clock unless given), `layout` its layout file (the shipped one)."""
    settings = make_settings(tmp_path, db_url, layout=layout)
    engine = make_engine(db_url)
    init_db(engine)
    engine.dispose()
    Keyring.generate(settings.key_file)
    add_accounts(db_url)
    app = create_app(settings, clock)
    with TestClient(app):  # runs the lifespan: the database closes at the end
        yield Web(settings, app)


@pytest.fixture
def web(tmp_path: Path, db_url: str) -> Iterator[Web]:
    away_from_midnight()
    with running_web(tmp_path, db_url) as w:
        yield w
