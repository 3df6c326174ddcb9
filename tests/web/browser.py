"""Debian's headless Chromium through Debian's chromedriver (Selenium), never a download.

`browser_problem()` says why the browser tests cannot run here (they skip with that reason);
`open_browser()` starts one with downloads going to a folder.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 90  # seconds: generous, the machine may be busy; every wait is on a condition


def browser_problem() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return (
            "Debian's chromium and chromium-driver are not installed "
            "(as root: apt-get install chromium chromium-driver, or run ./tools/setup)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def open_browser(downloads: Path, width: int = 1280, height: int = 900) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # tests may run as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--password-store=basic",
        f"--window-size={width},{height}",
        "--lang=id",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "credentials_enable_service": False,
            "profile.password_manager_enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    return driver


def wait_for_file(folder: Path, pattern: str, timeout: float = WAIT) -> Path:
    """The finished download (no .crdownload left) matching `pattern` in `folder`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        partial = list(folder.glob("*.crdownload"))
        if done and not partial:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no download {pattern} in {folder}: {sorted(os.listdir(folder))}")


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def click_and_wait_for_next_page(driver: Any, button: Any, timeout: float = WAIT) -> None:
    """Click a form's button and wait until the page it leads to has loaded.

    The page being left is marked; the wait ends when a document without the mark is complete.
    Waiting for the button to go stale instead raced with Chromium replacing the document
    ("Node with given id does not belong to the document"), so this asks the page itself, and
    a question asked while the document changes is simply asked again.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.kioskPageLeft = true")
    button.click()
    loaded = "return document.readyState === 'complete' && window.kioskPageLeft === undefined"
    wait = WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,))
    wait.until(lambda d: d.execute_script(loaded))
