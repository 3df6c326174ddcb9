#!/usr/bin/env python3
"""Every page of the central dashboard in both languages, at phone (390 px) and desktop
(1440 px) widths, into docs/screenshots/web-*.png (run by tools/screenshots, or alone).

    .venv/bin/python tools/web_screenshots.py [--out docs/screenshots]

The real server app runs on a throw-away SQLite central database in a thread; today's visits
and groups, three kiosks (one fine, one needing a person, one waiting for its code) and an
export in the access log are made through the same code the kiosks and the sync API use.
Debian's headless chromium takes each page whole (the window grows to the page's height).
Prints one JSON line: the files written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTHS = {"phone": (390, 844), "desktop": (1440, 900)}
PASSWORD = "contoh-kata-sandi-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_library(folder: Path):  # noqa: ANN201 - Settings
    """A central database with today's visits, groups, users and an export in the log."""
    from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker
    from kiosk.config import load_settings
    from kiosk.domain.cards import Keyring
    from kiosk.domain.clock import local_day, utcnow
    from kiosk.services import audit, web_accounts
    from kiosk.services.groups import add_group
    from kiosk.services.guests import GuestForm
    from kiosk.services.kiosk import KioskService

    settings = load_settings(
        overrides={"data_dir": folder, "kiosk_id": "central", "web_allow_http": True},
        environ={},
    )
    engine = make_engine(settings.database_url)
    init_db(engine)
    Keyring.generate(settings.key_file)
    today = local_day(utcnow())
    sites = ("PUSAT", "CAB-TABA", "PUSLING-1")
    with make_sessionmaker(engine).begin() as s:
        web_accounts.add_user(s, "kepala", "admin", None, PASSWORD, sites)
        web_accounts.add_user(s, "siti", "staff", "PUSAT", PASSWORD, sites)
        add_group(s, "PUSAT", today, "TK Pertiwi 2 Lubuklinggau", "TK", 22, 3, "Ibu Sari")
        add_group(s, "PUSAT", today, "SD Negeri 5 Lubuklinggau", "SD", 31, 2, "Pak Anton")
        audit.log_access(
            s, utcnow(), "PUSAT", "export", "visit list (example)", 42, "server", "web:siti"
        )
    engine.dispose()
    visits = {("PUSAT", "BACA"): 23, ("PUSAT", "ANAK"): 9, ("PUSAT", "REF"): 5}
    visits |= {("CAB-TABA", "BACA"): 6}
    for site in ("PUSAT", "CAB-TABA"):
        kiosk_settings = load_settings(
            overrides={
                "data_dir": folder,
                "site": site,
                "kiosk_id": f"k-{site.lower()}",
                "survey_chance": 0,
            },
            environ={},
        )
        svc = KioskService.open(kiosk_settings)
        for (where, room), n in visits.items():
            for i in range(n if where == site else 0):
                form = GuestForm(
                    category=("pelajar", "umum", "mahasiswa")[i % 3],
                    gender="LP"[i % 2],
                    origin="16.73",
                    purpose="membaca",
                )
                svc.guest_check_in(form, room)
        svc.close()
    return settings


def serve(settings, port: int):  # noqa: ANN001, ANN201 - Settings -> uvicorn.Server
    import uvicorn

    from kiosk.server.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def enrol_kiosks(settings, base: str) -> None:  # noqa: ANN001
    import httpx

    from kiosk.adapters.db.engine import make_engine, make_sessionmaker
    from kiosk.services.sync_central import add_kiosk

    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine).begin() as s:
        codes = {
            "pusat-pintu": add_kiosk(s, "pusat-pintu", "PUSAT", "entrance").code,
            "taba-baca": add_kiosk(s, "taba-baca", "CAB-TABA", "BACA").code,
        }
        add_kiosk(s, "pusling-1", "PUSLING-1", "entrance")
    engine.dispose()
    now = datetime.now(UTC)
    states = {
        "pusat-pintu": {"queued": 0, "quarantined": 0, "camera": "running", "free_disk_mb": 41000},
        "taba-baca": {"queued": 37, "quarantined": 2, "camera": "lost", "free_disk_mb": 150},
    }
    for kiosk, code in codes.items():
        token = httpx.post(base + "/api/v1/enroll", json={"code": code}).json()["token"]
        offset = timedelta(minutes=25) if kiosk == "taba-baca" else timedelta(seconds=2)
        body = states[kiosk] | {"version": "0.1.0", "kiosk_time": (now + offset).isoformat()}
        httpx.post(
            base + "/api/v1/status", json=body, headers={"authorization": f"Bearer {token}"}
        ).raise_for_status()


def shoot(driver, path: Path, width: int, height: int) -> int:  # noqa: ANN001
    """The whole page at `width` CSS pixels: the viewport is made as tall as the page."""
    from PIL import Image

    metrics = {"width": width, "deviceScaleFactor": 1, "mobile": width < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics | {"height": height})
    full = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", metrics | {"height": max(height, int(full))}
    )
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    img = Image.open(path).convert("RGB")
    img = img.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path, optimize=True)
    return path.stat().st_size


def log_in(driver, base: str, name: str) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    button = driver.find_element(By.ID, "login")
    button.click()
    WebDriverWait(driver, 60).until(ec.staleness_of(button))


def render(out: Path, written: list[dict]) -> None:
    from tests.web.browser import browser_problem, open_browser

    problem = browser_problem()
    if problem:
        raise SystemExit(f"web_screenshots: {problem}")
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-web-shots-"))
    try:
        settings = make_library(tmp / "central")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(settings, port)
        enrol_kiosks(settings, base)
        driver = open_browser(tmp / "downloads")
        try:
            pages = [
                ("01-login", None, "/login"),
                ("02-today", "kepala", "/today"),
                ("03-kiosks", "kepala", "/kiosks"),
                ("04-downloads", "kepala", "/downloads"),
                ("05-users", "kepala", "/users"),
                ("06-today-staff", "siti", "/today"),
                ("07-refused-staff", "siti", "/today?site=CAB-TABA"),
            ]
            for lang in ("id", "en"):
                for name, user, path in pages:
                    if user:
                        log_in(driver, base, user)
                    else:
                        driver.delete_all_cookies()
                    driver.get(f"{base}/lang/{lang}?next={path}")
                    for width, (w, h) in WIDTHS.items():
                        file = out / f"web-{name}-{lang}-{width}.png"
                        size = shoot(driver, file, w, h)
                        written.append({"file": file.name, "bytes": size})
        finally:
            driver.quit()
            server.should_exit = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[dict] = []
    render(out, written)
    print(json.dumps({"out": str(out), "files": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
