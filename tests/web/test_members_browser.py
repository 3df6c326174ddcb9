"""A member task in a real headless Chromium against the real `kiosk serve` on PostgreSQL:
add a member, renew the membership, download the card PDF. Every wait is on a condition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.members import renewed_until
from tests.sync.conftest import Central
from tests.web.browser import clear, wait_for_file
from tests.web.test_browser import (  # noqa: F401 - the browser tests' fixtures
    browser,
    by_id,
    central,
    downloads,
    log_in,
    pytestmark,
    text_of,
    until,
)


def test_add_renew_and_print_a_card(central: Central, browser: Any, downloads: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    log_in(browser, central.url, "siti")  # staff: members are the whole library's
    browser.get(central.url + "/members")
    by_id(browser, "new-number").send_keys("M2099001")
    by_id(browser, "new-name").send_keys("Rina Wati")
    form = by_id(browser, "add-member")
    expires = form.find_element(By.NAME, "expires")  # the date picker's typing is per locale
    browser.execute_script("arguments[0].value = '2027-12-31'", expires)
    by_id(browser, "add-member-button").click()
    until(browser, lambda d: "Anggota ditambahkan" in text_of(d, "member-done"))
    row = by_id(browser, "member-M2099001")
    assert "Rina Wati" in row.text
    first = row.find_element(By.CLASS_NAME, "expires").text
    # Renew by six months: the CLI's rule, from the current end.
    Select(row.find_element(By.NAME, "months")).select_by_value("6")
    row.find_element(By.CLASS_NAME, "renew").click()
    until(browser, lambda d: "diperpanjang" in text_of(d, "member-done"))
    shown = by_id(browser, "member-M2099001").find_element(By.CLASS_NAME, "expires").text
    day, month, year = (int(x) for x in first.split("-"))
    today = local_day(utcnow())
    expected = renewed_until(today.replace(year, month, day), today, None, 6)
    assert shown == f"{expected:%d-%m-%Y}"
    # The card PDF arrives as a download.
    clear(downloads)
    downloads.mkdir(parents=True, exist_ok=True)
    by_id(browser, "member-M2099001").find_element(By.CLASS_NAME, "card-pdf").click()
    pdf = wait_for_file(downloads, "kartu-M2099001.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
