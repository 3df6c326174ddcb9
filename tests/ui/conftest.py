"""Kivy for real, rendered offscreen: the environment is set before Kivy is first imported."""

from __future__ import annotations

import os

from tests.support.headless import use_offscreen

use_offscreen()

from collections.abc import Callable, Iterator  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kiosk.adapters.db.engine import init_db, make_engine  # noqa: E402
from kiosk.config import Settings, load_settings  # noqa: E402
from kiosk.domain.cards import Keyring  # noqa: E402
from kiosk.services.kiosk import KioskService  # noqa: E402
from kiosk.services.members import add_member  # noqa: E402
from tests.support.clock import ManualClock  # noqa: E402
from ui.driver import Driver, FakeMono  # noqa: E402

MEMBERS = [
    ("M2016001", "SITI AMINAH", "P", "Umum", None),
    ("M2016002", "Budi Santoso", "L", "Pelajar", None),
    ("M2016003", "Rina Wati", "P", "Umum", date(2020, 1, 1)),  # membership ended
]


def make_service(
    tmp_path: Path, clock: ManualClock | None = None, **overrides: object
) -> tuple[KioskService, Settings]:
    """A kiosk database with three members; 10:00 WIB on Wednesday 25 November 2026."""
    clock = clock or ManualClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    values = {"data_dir": tmp_path / "data", "kiosk_id": "ui-test", **overrides}
    settings = load_settings(overrides=values, environ={})
    engine = make_engine(settings.database_url)
    init_db(engine)
    engine.dispose()
    Keyring.generate(settings.key_file)
    svc = KioskService.open(settings, clock=clock)
    with svc.session() as s:
        for number, name, gender, category, expires in MEMBERS:
            add_member(s, number, name, gender, category, expires)
    return svc, settings


CameraFor = Callable[[KioskService], str]


@pytest.fixture
def open_kiosk(tmp_path: Path) -> Iterator[Callable[..., Driver]]:
    """Start the real kiosk app: `open_kiosk(camera=lambda svc: folder, **settings)`."""
    started: list[tuple[Driver, KioskService]] = []

    def start(
        camera: CameraFor | None = None, clock: ManualClock | None = None, **overrides: object
    ) -> Driver:
        svc, settings = make_service(tmp_path, clock, **overrides)
        driver = Driver.start(
            svc, settings, camera=camera(svc) if camera else None, mono=FakeMono()
        )
        started.append((driver, svc))
        return driver

    yield start
    for driver, svc in started:
        driver.close()  # dispatches on_stop: camera, decoder and worker threads end
        svc.close()


@pytest.fixture
def kiosk(open_kiosk: Callable[..., Driver]) -> Driver:
    """An entrance kiosk without a camera."""
    return open_kiosk()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.ui)
