"""Inside `kiosk run`: the sync worker runs on its own thread and the staff screen shows
what waits to be sent. The real Kivy app, offscreen, against the real server."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from tests.support.headless import use_offscreen

use_offscreen()

from ui.driver import Driver, FakeMono  # noqa: E402

from kiosk.domain.clock import local_time  # noqa: E402
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


def test_the_last_sync_problem_in_staff_words_with_its_time(central, make_kiosk) -> None:
    import os

    from kiosk.adapters.http.client import ServerRefused, ServerUnavailable
    from kiosk.services.doctor import WARN, run_checks
    from tests.sync.conftest import free_port

    number = f"E{uuid.uuid4().hex[:8].upper()}"
    central.add_member(number)
    k = make_kiosk("trouble", "PUSAT", "BACA")
    k.sync().cycle()
    svc = k.service()
    svc.check_in(k.card(number))
    # The network is down (nothing listens there): the error is kept with its time.
    with pytest.raises(ServerUnavailable):
        k.sync(url=f"http://127.0.0.1:{free_port()}").cycle()
    st = svc.sync_status()
    assert st.last_error.startswith("offline:") and st.last_error_at is not None
    (check,) = [c for c in run_checks(k.settings) if c.name == "sync"]
    assert check.status == "ok"  # the last send was minutes ago: a blip, nobody must act
    assert "1 records waiting; last problem at" in check.detail
    assert "cannot be reached" in check.detail
    later = svc.clock.now() + timedelta(days=2)
    (check,) = [c for c in run_checks(k.settings, now=later) if c.name == "sync"]
    assert check.status == WARN and "check the network" in check.fix
    # The administrator revokes the kiosk: a person must act, and staff are told what to do.
    assert k.run("kiosks", "revoke", k.kiosk_id, env=central.env)[0] == 0
    with pytest.raises(ServerRefused):
        k.sync().cycle()
    (check,) = [c for c in run_checks(k.settings) if c.name == "sync"]
    assert check.status == WARN and "no longer accepts this kiosk" in check.detail
    assert "kiosk enroll" in check.fix
    code, out, _ = k.run("doctor", "--no-camera", "--json")
    assert any(c["name"] == "sync" and "no longer accepts" in c["detail"] for c in out)
    save_pin(k.settings, "2468")
    driver = Driver.start(svc, k.settings, camera=None, mono=FakeMono())
    try:
        driver.tap(driver.app.root.ids.staff_button)
        pad = driver.screen("staff_pin").ids.pad
        driver.type_on(pad, "2468")
        driver.tap_key(pad, "OK")
        driver.settle()
        driver.wait(lambda: driver.screen("staff").sync_error_text, what="the sync problem")
        when = local_time(svc.sync_status().last_error_at).strftime("%d-%m %H:%M")
        text = driver.texts()
        assert "Server pusat: 1 menunggu, 0 disisihkan" in text
        assert (
            f"Masalah sinkronisasi terakhir, {when}: server pusat tidak lagi menerima kiosk "
            "ini: minta kode pendaftaran baru kepada administrator"
        ) in text
        assert "Needs attention: sync" not in text and "Perlu perhatian: sync" not in text
        if os.environ.get("KIOSK_SHOTS"):
            driver.app.root.export_to_png(os.path.join(os.environ["KIOSK_SHOTS"], "sync-error.png"))
    finally:
        driver.close()
