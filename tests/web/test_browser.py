"""End to end in a real headless Chromium against the real `kiosk serve` process on a real
PostgreSQL: log in, a kiosk's check-in reaching Today through a real sync, the daily export
equal to the CLI's, enrolling a kiosk from the page, staff refused another site, CSRF and
lock-out. Every wait is an explicit wait on a condition, with a generous timeout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk.domain.clock import local_day, utcnow
from kiosk.services.guests import GuestForm
from tests.sync.conftest import RUN_KIOSK, Central, Kiosk
from tests.web.browser import (
    WAIT,
    browser_problem,
    clear,
    click_and_wait_for_next_page,
    open_browser,
    wait_for_file,
)
from tests.web.conftest import PASSWORDS, add_accounts, away_from_midnight

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
problem = browser_problem() or (
    None if PG_URL else "KIOSK_TEST_PG_URL is not set: the browser tests run on PostgreSQL"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.skipif(problem is not None, reason=problem or ""),
]


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """`kiosk serve` on a fresh PostgreSQL database, with the four test accounts."""
    admin = make_url(PG_URL or "").set(drivername="postgresql+psycopg")
    name = f"kiosk_web_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    server = Central(tmp_path_factory.mktemp("central"), url)
    server.env["KIOSK_WEB_ALLOW_HTTP"] = "1"  # plain http on 127.0.0.1 for the test
    add_accounts(url)
    server.start()
    yield server
    server.close()
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    driver = open_browser(downloads)
    yield driver
    driver.quit()


def until(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # An element found on the page being left goes stale when the next page arrives: look again.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return until(driver, lambda d: d.find_element(By.ID, element_id))


def text_of(driver: Any, element_id: str) -> str:
    return by_id(driver, element_id).text.strip()


def log_in(driver: Any, base: str, name: str, password: str | None = None) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/login")
    by_id(driver, "name").send_keys(name)
    by_id(driver, "password").send_keys(PASSWORDS[name] if password is None else password)
    click_and_wait_for_next_page(driver, by_id(driver, "login"))


def test_a_kiosk_check_in_appears_on_today_after_a_sync(
    central: Central, browser: Any, tmp_path: Path
) -> None:
    away_from_midnight()
    log_in(browser, central.url, "boss")
    assert browser.current_url.endswith("/today")
    before = int(text_of(browser, "total-visits"))
    code = central.add_kiosk("web-k1", "PUSAT", "BACA")
    kiosk = Kiosk(tmp_path / "k1", "web-k1", "PUSAT", "BACA")
    kiosk.enroll(central.url, code)
    svc = kiosk.service()
    form = GuestForm(category="umum", gender="P", origin="16.73", purpose="membaca")
    svc.guest_check_in(form)
    svc.guest_check_in(form)
    sync = kiosk.sync()
    try:
        pushed = sync.cycle()["push"]
        assert pushed["refused"] == 0 and pushed["stored"] == 4  # two guests, two visits
    finally:
        sync.close()
    # No reload: the page fetches its numbers again by itself (every 30 s).
    until(browser, lambda d: int(text_of(d, "total-visits")) == before + 2)
    rows = by_id(browser, "per-room").text
    assert "Ruang Baca Umum" in rows
    kiosk.close()


def test_occupancy_refreshes_itself_after_a_sync(
    central: Central, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    def inside(d: Any) -> int:
        box = d.find_element(By.CSS_SELECTOR, '[data-site="PUSAT"][data-room="ANAK"] .occ-inside')
        return int(box.text.strip())

    away_from_midnight()
    log_in(browser, central.url, "siti")
    (before,) = until(browser, lambda d: (inside(d),))  # a tuple: 0 people is an answer too
    kiosk = Kiosk(tmp_path / "k2", "web-k2", "PUSAT", "ANAK")  # a kiosk in the children's area
    kiosk.enroll(central.url, central.add_kiosk("web-k2", "PUSAT", "ANAK"))
    form = GuestForm(category="umum", gender="L", origin="16.73", purpose="membaca")
    kiosk.service().guest_check_in(form)
    sync = kiosk.sync()
    try:
        assert sync.cycle()["push"]["stored"] == 2  # the guest and the visit
    finally:
        sync.close()
    until(browser, lambda d: inside(d) == before + 1)  # no reload: the 30 s refresh
    kiosk.close()


def test_the_daily_export_download_is_the_cli_export(
    central: Central, browser: Any, downloads: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.support.ui import Select

    away_from_midnight()
    log_in(browser, central.url, "manda")
    browser.get(central.url + "/downloads")
    form = by_id(browser, "form-daily")
    day = local_day(utcnow())
    from selenium.webdriver.common.by import By

    Select(form.find_element(By.NAME, "site")).select_by_value("PUSAT")
    Select(form.find_element(By.NAME, "format")).select_by_value("csv")
    clear(downloads)
    form.find_element(By.ID, "get-daily").click()
    got = wait_for_file(downloads, f"kunjungan-PUSAT-{day.isoformat()}.csv")
    out = tmp_path / "cli.csv"
    args = ["export", "daily", "--date", day.isoformat(), "--site", "PUSAT", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", RUN_KIOSK, *args], env=central.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert got.read_bytes() == out.read_bytes()
    assert "Jumlah" in got.read_text(encoding="utf-8-sig")


def test_enrol_a_kiosk_from_the_page(central: Central, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import Select

    log_in(browser, central.url, "boss")
    browser.get(central.url + "/kiosks")
    by_id(browser, "enrol-kiosk").send_keys("web-k2")
    Select(by_id(browser, "enrol-site")).select_by_value("CAB-TABA")
    location = by_id(browser, "enrol-location")
    location.clear()
    location.send_keys("BACA")
    by_id(browser, "enrol").click()
    code = until(
        browser,
        lambda d: re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", text_of(d, "enrol-code")),
    ).group(0)
    kiosk = Kiosk(tmp_path / "k2", "web-k2", "CAB-TABA", "BACA")
    data = kiosk.enroll(central.url, code)  # the code from the page works on a real kiosk
    assert (data["kiosk"], data["site"]) == ("web-k2", "CAB-TABA")
    browser.get(central.url + "/kiosks")
    assert "terdaftar" in by_id(browser, "kiosk-web-k2").text
    kiosk.close()


def test_staff_are_refused_another_sites_page(central: Central, browser: Any) -> None:
    log_in(browser, central.url, "siti")
    browser.get(central.url + "/today?site=CAB-TABA")
    assert "Staf hanya dapat melihat lokasinya sendiri" in text_of(browser, "refused")
    assert not browser.find_elements("id", "total-visits")
    browser.get(central.url + "/users")
    assert "Peran Anda tidak boleh membuka halaman ini" in text_of(browser, "refused")
    browser.get(central.url + "/today")
    assert text_of(browser, "total-visits").isdigit()


def test_a_form_with_a_wrong_csrf_token_is_refused(central: Central, browser: Any) -> None:
    log_in(browser, central.url, "boss")
    browser.get(central.url + "/kiosks")
    by_id(browser, "enrol-kiosk").send_keys("web-forged")
    browser.execute_script(
        "document.querySelector('#enrol-form input[name=csrf]').value = 'forged-token';"
    )
    by_id(browser, "enrol").click()
    assert "kedaluwarsa" in text_of(browser, "refused")
    browser.get(central.url + "/kiosks")
    assert not browser.find_elements("id", "kiosk-web-forged")


def test_five_wrong_passwords_lock_the_account(central: Central, browser: Any) -> None:
    for _ in range(4):
        log_in(browser, central.url, "tono", "salah-salah-salah")
        assert "Nama pengguna atau kata sandi salah" in text_of(browser, "login-error")
    log_in(browser, central.url, "tono", "salah-salah-salah")
    assert "dikunci" in text_of(browser, "login-error")
    log_in(browser, central.url, "tono")  # the right password, but locked
    assert "dikunci" in text_of(browser, "login-error")
    assert browser.current_url.endswith("/login")
