"""The real parts of a library network: a central database (a fresh PostgreSQL database per
test module when KIOSK_TEST_PG_URL is set, else a SQLite file), the real server process on a
free port of 127.0.0.1, and kiosks with their own data folders and SQLite files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker
from kiosk.adapters.db.models import Visit
from kiosk.config import DEFAULT_LAYOUT, Settings, load_settings
from kiosk.domain.cards import Keyring, make_payload
from kiosk.services import members as members_mod
from kiosk.services import sync_central as central_mod
from kiosk.services.kiosk import KioskService
from kiosk.services.sync_kiosk import KioskSync, enroll
from tests.support.clock import ManualClock

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
RUN_KIOSK = "import sys; from kiosk.cli import main; sys.exit(main())"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_DATA_DIR=str(data_dir), KIOSK_SURVEY_CHANCE="0")
    env["XDG_CONFIG_HOME"] = str(data_dir / "xdg")  # no stray settings file
    return env


class Central:
    """The central database and its server process."""

    def __init__(self, root: Path, db_url: str) -> None:
        root.mkdir(parents=True, exist_ok=True)
        layout = root / "layout.toml"  # the library's layout, as the central server has it
        layout.write_bytes(DEFAULT_LAYOUT.read_bytes())
        self.settings = load_settings(
            overrides={
                "data_dir": root,
                "db_url": db_url,
                "kiosk_id": "central",
                "layout_file": layout,
            },
            environ={},
        )
        self.engine = make_engine(db_url)
        init_db(self.engine)
        Keyring.generate(self.settings.key_file)
        self.db = central_mod.CentralDatabase.open(self.settings)  # marks it central
        self.sessions = make_sessionmaker(self.engine)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = base_env(root) | {"KIOSK_DB_URL": db_url, "KIOSK_LAYOUT": str(layout)}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int = 1) -> None:
        args = ["serve", "--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen([sys.executable, "-c", RUN_KIOSK, *args], env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.proc.wait(20)
        self.proc = None

    def add_kiosk(self, kiosk_id: str, site: str, location: str = "entrance") -> str:
        with self.sessions() as s, s.begin():
            return central_mod.add_kiosk(s, kiosk_id, site, location).code

    def add_member(self, number: str, name: str = "Anggota") -> None:
        with self.sessions() as s, s.begin():
            members_mod.add_member(s, number, name, "P", "Umum")

    def visit_ids(self) -> Counter[uuid.UUID]:
        with self.sessions() as s:
            return Counter(s.scalars(select(Visit.id)).all())

    def receipts(self) -> dict[uuid.UUID, str]:
        from kiosk.adapters.db.models import SyncReceipt

        with self.sessions() as s:
            return dict(s.execute(select(SyncReceipt.record_id, SyncReceipt.flags)).tuples().all())

    def close(self) -> None:
        self.stop()
        self.db.close()
        self.engine.dispose()


class Kiosk:
    """One kiosk: its own data folder, SQLite file, settings and (optionally) a clock."""

    def __init__(self, root: Path, kiosk_id: str, site: str, location: str = "entrance") -> None:
        self.root = root
        self.kiosk_id, self.site, self.location = kiosk_id, site, location
        self.settings: Settings = load_settings(
            overrides={
                "data_dir": root,
                "kiosk_id": kiosk_id,
                "site": site,
                "location": location,
                "survey_chance": 0,
            },
            environ={},
        )
        self.env = base_env(root) | {
            "KIOSK_ID": kiosk_id,
            "KIOSK_SITE": site,
            "KIOSK_LOCATION": location,
        }
        self._services: list[KioskService] = []

    def enroll(self, url: str, code: str) -> dict[str, Any]:
        return enroll(self.settings, url, code)

    def service(self, clock: ManualClock | None = None) -> KioskService:
        svc = KioskService.open(self.settings, clock=clock)
        self._services.append(svc)
        return svc

    def card(self, number: str, seq: int = 1) -> str:
        return make_payload(number, seq, Keyring.load(self.settings.key_file))

    def sync(self, url: str | None = None, **kw: Any) -> KioskSync:
        """An in-process sync (the same code `kiosk sync` runs); `url` reroutes it."""
        sync = KioskSync.open(self.settings, **kw)
        if url is not None:
            from kiosk.adapters.http.client import CentralClient

            token = (self.root / "sync-token").read_text().strip()
            sync.client.close()
            sync.client = CentralClient(url, token, timeout=kw.get("timeout", 30.0))
        return sync

    def cli(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
        p = subprocess.run(
            [sys.executable, "-c", RUN_KIOSK, *args],
            env=self.env | (env or {}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        out = p.stdout.strip()
        data = json.loads(out.splitlines()[-1]) if "--json" in args and out else out
        return p.returncode, data, p.stderr

    def run(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
        """`kiosk ARGS` in this process (quicker than `cli`), with this kiosk's environment."""
        import contextlib
        import io

        from kiosk.cli import main

        saved = dict(os.environ)
        out, err = io.StringIO(), io.StringIO()
        try:
            os.environ.clear()
            os.environ.update(self.env | (env or {}))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        text_out = out.getvalue().strip()
        data = json.loads(text_out.splitlines()[-1]) if "--json" in args and text_out else text_out
        return code, data, err.getvalue()

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", RUN_KIOSK, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def own_visit_ids(self) -> list[uuid.UUID]:
        engine = make_engine(self.settings.database_url)
        with engine.connect() as c:
            ids = c.execute(select(Visit.id).where(Visit.kiosk_id == self.kiosk_id)).scalars()
            out = list(ids)
        engine.dispose()
        return out

    def own_counts(self) -> dict[tuple[str, str], int]:
        """This kiosk's own headcount by local day and visitor type."""
        engine = make_engine(self.settings.database_url)
        q = (
            select(Visit.local_day, Visit.visitor_type, func.sum(Visit.headcount))
            .where(Visit.kiosk_id == self.kiosk_id)
            .group_by(Visit.local_day, Visit.visitor_type)
        )
        with engine.connect() as c:
            out = {(d.isoformat(), k): int(n) for d, k, n in c.execute(q)}
        engine.dispose()
        return out

    def sql(self, statement: str, **params: Any) -> Any:
        engine = make_engine(self.settings.database_url)
        with engine.begin() as c:
            result = c.execute(text(statement), params)
            rows = result.all() if result.returns_rows else result.rowcount
        engine.dispose()
        return rows

    def close(self) -> None:
        for svc in self._services:
            svc.close()


def assert_converged(central: Central, kiosks: list[Kiosk]) -> None:
    """Every visit of every kiosk is on the central database exactly once, and the central
    counts (headcount by day and visitor type) equal the sum of the kiosks' own."""
    ids = [k.kiosk_id for k in kiosks]
    with central.sessions() as s:
        on_central = Counter(s.scalars(select(Visit.id).where(Visit.kiosk_id.in_(ids))).all())
        q = (
            select(Visit.local_day, Visit.visitor_type, func.sum(Visit.headcount))
            .where(Visit.kiosk_id.in_(ids))
            .group_by(Visit.local_day, Visit.visitor_type)
        )
        central_counts = Counter({(d.isoformat(), k): int(n) for d, k, n in s.execute(q)})
    expected: Counter[uuid.UUID] = Counter()
    summed: Counter[tuple[str, str]] = Counter()
    for k in kiosks:
        expected.update(k.own_visit_ids())
        summed.update(k.own_counts())
    assert max(expected.values(), default=1) == 1
    assert on_central == expected
    assert central_counts == summed


@pytest.fixture(scope="module")
def central_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh central database for this test module."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('central-db') / 'central.sqlite3'}"
        return
    admin = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"kiosk_sync_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_db_url: str) -> Iterator[Central]:
    c = Central(tmp_path_factory.mktemp("central"), central_db_url)
    c.start()
    yield c
    c.close()


@pytest.fixture
def make_kiosk(tmp_path: Path, central: Central) -> Iterator[Any]:
    """Enrolled kiosks: make_kiosk(ID, SITE, LOCATION) -> Kiosk."""
    made: list[Kiosk] = []

    def make(kiosk_id: str, site: str = "PUSAT", location: str = "entrance") -> Kiosk:
        kiosk_id = f"{kiosk_id}-{uuid.uuid4().hex[:6]}"  # one central database per module
        k = Kiosk(tmp_path / kiosk_id, kiosk_id, site, location)
        k.enroll(central.url, central.add_kiosk(kiosk_id, site, location))
        made.append(k)
        return k

    yield make
    for k in made:
        k.close()


def now_utc() -> datetime:
    return datetime.now(UTC)
