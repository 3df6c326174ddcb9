"""Inside `kiosk run`: the sync worker runs on its own thread and the staff screen shows
what waits to be sent. The real Kivy app, offscreen, against the real server."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.headless import use_offscreen

use_offscreen()

from ui.driver import Driver, FakeMono  # noqa: E402

from kiosk.services.staff_pin import save_pin  # noqa: E402

pytestmark = pytest.mark.ui


def test_enrolled_kiosk_syncs_on_its_thread_and_staff_see_it(central, make_kiosk) -> None:
    number = f"S{uuid.uuid4().hex[:8].upper()}"
    central.add_member(number, "Siti Aminah")
    k = make_kiosk("app", "PUSAT", "BACA")
    k.sync().cycle()
    save_pin(k.settings, "2468")
    svc = k.service()
    svc.check_in(k.card(number))
    assert svc.sync_status().queued == 1
    driver = Driver.start(svc, k.settings, camera=None, mono=FakeMono())
    try:
        deadline = time.monotonic() + 60
        while svc.sync_status().queued and time.monotonic() < deadline:
            time.sleep(0.05)
        assert svc.sync_status().queued == 0 and svc.sync_status().last_push is not None
        driver.tap(driver.app.root.ids.staff_button)
        pad = driver.screen("staff_pin").ids.pad
        driver.type_on(pad, "2468")
        driver.tap_key(pad, "OK")
        assert driver.current == "staff"
        driver.settle()
        text = driver.texts()
        assert "Server pusat: 0 menunggu, 0 disisihkan" in text
        assert "terakhir terima belum pernah" not in text
    finally:
        driver.close()
    assert svc._sync_worker is None  # on_stop ended the thread
    assert set(central.visit_ids()) >= set(k.own_visit_ids())


def test_a_kiosk_without_a_server_shows_no_sync_line(tmp_path) -> None:
    from tests.sync.conftest import Kiosk

    k = Kiosk(tmp_path / "alone", "alone", "PUSAT", "BACA")
    assert k.run("init")[0] == 0
    svc = k.service()
    assert svc.sync_status() is None and svc.start_sync() is False
