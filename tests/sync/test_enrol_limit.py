"""Wrong enrolment codes are limited per client address and overall, counted in the central
database so that every server process agrees: the real server, two processes, 429 with
Retry-After."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from kiosk.adapters.db.models import EnrolFailure
from kiosk.services.sync_enrolment import (
    ENROL_FAILURES_OVERALL,
    ENROL_FAILURES_PER_CLIENT,
    ENROL_WINDOW,
    TooManyAttempts,
    check_enrol_limit,
    utcnow,
)
from tests.sync.conftest import RUN_KIOSK, free_port


def enrol(url: str, code: str, client: str) -> httpx.Response:
    # uvicorn takes the client's address from X-Forwarded-For when the connection comes from
    # 127.0.0.1 (a reverse proxy on the server), as it does behind Caddy or nginx.
    return httpx.post(
        url + "/api/v1/enroll", json={"code": code}, headers={"X-Forwarded-For": client}
    )


@pytest.fixture
def second_server(central):
    """Another server process on the same central database (as behind a load balancer)."""
    port = free_port()
    args = ["serve", "--port", str(port)]
    proc = subprocess.Popen([sys.executable, "-c", RUN_KIOSK, *args], env=central.env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(20)


def test_wrong_codes_are_limited_per_address_and_overall(central, second_server) -> None:
    good = central.add_kiosk("limit-1", "PUSAT")
    servers = [central.url, second_server]
    for i in range(ENROL_FAILURES_PER_CLIENT):  # the two processes take turns
        r = enrol(servers[i % 2], f"WRONG-{i:04d}-0000", "10.0.0.1")
        assert r.status_code == 401 and "unknown, used or expired" in r.json()["error"]
    for url in servers:
        r = enrol(url, good, "10.0.0.1")  # even the right code waits
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= ENROL_WINDOW.total_seconds() + 1
        assert r.json()["error"].startswith("too many wrong enrolment codes from this address")
    # Another address is not held back, and the right code still works from it.
    r = enrol(second_server, good, "10.0.0.2")
    assert r.status_code == 200 and r.json()["kiosk"] == "limit-1"
    with central.sessions() as s:
        assert s.scalar(select(func.count(EnrolFailure.id))) == ENROL_FAILURES_PER_CLIENT
    # A guesser with many addresses meets the overall limit.
    for i in range(ENROL_FAILURES_OVERALL - ENROL_FAILURES_PER_CLIENT):
        address = f"10.1.{i // ENROL_FAILURES_PER_CLIENT}.1"
        assert enrol(servers[i % 2], f"WRONG-{i:04d}-1111", address).status_code == 401
    r = enrol(central.url, "WRONG-0000-2222", "10.9.9.9")
    assert r.status_code == 429 and "in all" in r.json()["error"]
    # The failures leave the window with time (the same check, a quarter of an hour later).
    with central.sessions() as s:
        with pytest.raises(TooManyAttempts):
            check_enrol_limit(s, "10.9.9.9", utcnow())
        check_enrol_limit(s, "10.0.0.1", utcnow() + ENROL_WINDOW + timedelta(seconds=1))
