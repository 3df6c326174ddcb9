"""The database file deleted under the running kiosk: a red banner, and nobody is greeted."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.adapters.db.engine import sqlite_file
from ui.driver import Driver
from ui.helpers import card_payload


def test_a_deleted_database_stops_greeting_with_a_red_banner(open_kiosk, tmp_path: Path) -> None:
    kiosk: Driver = open_kiosk(location="BACA")  # a room kiosk: the scan alone logs a visit
    app = kiosk.app
    card = card_payload(app.service, "M2016001")
    kiosk.later(1)
    assert app.storage_problem == "" and app.root.ids.storage_banner.height == 0

    db = sqlite_file(app.service.engine)
    assert db is not None
    os.remove(db)  # e.g. a cleaning script, or the stick holding the data pulled out
    kiosk.later(1)
    assert "deleted" in app.storage_problem
    banner = app.root.ids.storage_banner
    assert banner.height > 0 and banner.opacity == 1
    assert "Kunjungan tidak dapat disimpan" in banner.text
    if os.environ.get("KIOSK_SHOTS"):
        app.root.export_to_png(os.path.join(os.environ["KIOSK_SHOTS"], "storage-banner.png"))

    app.card_seen(card)
    kiosk.settle()
    assert kiosk.current != "result" or "Selamat datang" not in kiosk.texts()
    assert not db.exists()  # nothing was written into a new, empty file either
