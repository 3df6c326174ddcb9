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
from urllib.parse import quote

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
        tk = add_group(s, "PUSAT", today, "TK Pertiwi 2 Lubuklinggau", "TK", 22, 3, "Ibu Sari")
        sd = add_group(s, "PUSAT", today, "SD Negeri 5 Lubuklinggau", "SD", 31, 2, "Pak Anton")
        # arriving below: the children's area nearly full (amber), the pavilion over (red)
        arrivals = {"PUSAT": [(tk.code, 22, 3, "ANAK"), (sd.code, 31, 2, "PAV")]}
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
        for code, children, adults, room in arrivals.get(site, []):
            svc.group_check_in(code, children, adults, room)
        svc.close()
    add_history(settings, folder)
    return settings


def add_history(settings, folder: Path) -> None:  # noqa: ANN001
    """For Trends, Satisfaction, Members and Groups: visits on earlier days of this year and
    last year (back-entered as from the paper guest book), members, a paper survey file
    imported with the CLI, and a group next week."""
    import contextlib
    import io

    from kiosk.adapters.db.engine import make_engine, make_sessionmaker
    from kiosk.cli import main as kiosk_main
    from kiosk.config import load_settings
    from kiosk.domain.clock import local_day, utcnow
    from kiosk.services.groups import add_group
    from kiosk.services.guests import GuestForm
    from kiosk.services.kiosk import KioskService
    from kiosk.services.members import add_member

    today = local_day(utcnow())
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine).begin() as s:
        add_member(s, "M2016001", "Siti Aminah", "P", "Umum", today.replace(year=today.year + 1))
        add_member(s, "M2016002", "Budi Santoso", "L", "Pelajar", today - timedelta(days=40))
        add_member(s, "M2019044", "Sri Wahyuni Kusumaningsih", "P", "PNS/TNI/Polri", None)
        day = today + timedelta(days=7)
        add_group(s, "PUSAT", day, "SMP Negeri 2 Lubuklinggau", "SMP", 34, 2, "Pak Hadi")
        add_group(s, "CAB-TABA", day, "PAUD Melati", "PAUD", 15, 4, "Bu Yanti")
    engine.dispose()
    for site, rooms in (("PUSAT", ("BACA", "ANAK", "REF")), ("CAB-TABA", ("BACA",))):
        kiosk_settings = load_settings(
            overrides={"data_dir": folder, "site": site, "kiosk_id": f"h-{site.lower()}"},
            environ={},
        )
        svc = KioskService.open(kiosk_settings)
        for back in range(1, 740, 4):  # every fourth day of the last two years
            day = today - timedelta(days=back)
            for i in range((back * 7) % 11 + (3 if site == "PUSAT" else 1)):
                at = datetime(day.year, day.month, day.day, 2 + i % 7, 10, tzinfo=UTC)
                form = GuestForm(
                    category=("pelajar", "umum", "mahasiswa", "anak")[i % 4],
                    gender="LP"[(i + back) % 2],
                    origin="16.73",
                    purpose="membaca",
                )
                svc.guest_check_in(form, rooms[i % len(rooms)], at=at)
        svc.close()
    paper = folder / "skm.csv"
    lines = ["Tanggal;Jenis kelamin;Umur;" + ";".join(f"U{i}" for i in range(1, 10)) + ";Saran"]
    notes = ("Tambah buku cerita anak", "", "Wifi di ruang baca sering putus", "", "")
    for i in range(24):
        day = today.replace(month=1, day=1) + timedelta(days=i * 3)
        answers = ";".join(str(3 + (i + e) % 2 if e != 5 else 2 + i % 3) for e in range(9))
        lines.append(f"{day:%d/%m/%Y};{'LP'[i % 2]};{18 + i};{answers};{notes[i % 5]}")
    paper.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["--db", settings.database_url, "survey", "import", str(paper)]
    with contextlib.redirect_stdout(io.StringIO()):
        assert kiosk_main([*args, "--standard", "2017"]) == 0


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

    from tests.web.browser import click_and_wait_for_next_page

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait_for_next_page(driver, driver.find_element(By.ID, "login"))


def render(out: Path, written: list[dict], only: str | None = None) -> None:
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
                ("08-trends", "kepala", "/trends"),
                ("09-trends-day-site", "kepala", "/trends?by=day&site=PUSAT"),
                ("10-satisfaction", "kepala", "/satisfaction"),
                ("11-members", "kepala", "/members?q=s"),
                ("12-groups", "siti", "/groups"),
            ]
            if only:
                pages = [p for p in pages if p[0].split("-", 1)[1].startswith(only)]
            for lang in ("id", "en"):
                for name, user, path in pages:
                    if user:
                        log_in(driver, base, user)
                    else:
                        driver.delete_all_cookies()
                    driver.get(f"{base}/lang/{lang}?next={quote(path)}")
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
    p.add_argument("--only", help="the pages whose name starts so (trends, members, ...)")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[dict] = []
    render(out, written, args.only)
    print(json.dumps({"out": str(out), "files": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
