"""Faults with the real parts: the server down, killed or cut off by a misbehaving proxy,
kiosk processes killed at the worst moment, a van offline for a month. At the end of each
test every visit of every kiosk is on the central database exactly once."""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

import pytest

from kiosk.adapters.db.models import Visit
from kiosk.domain.clock import local_day
from kiosk.services.sync_kiosk import ServerUnavailable
from kiosk.services.sync_worker import SyncWorker
from tests.support.clock import ManualClock
from tests.sync.conftest import Kiosk, assert_converged, now_utc
from tests.sync.proxy import FaultyProxy


def number() -> str:
    return f"F{uuid.uuid4().hex[:8].upper()}"


@pytest.fixture
def proxy(central):
    p = FaultyProxy(central.port)
    yield p
    p.close()


def enrolled_via(
    proxy: FaultyProxy, central, tmp_path, name: str, site: str = "PUSAT", location: str = "BACA"
) -> Kiosk:
    kiosk_id = f"{name}-{uuid.uuid4().hex[:6]}"
    k = Kiosk(tmp_path / kiosk_id, kiosk_id, site, location)
    k.enroll(proxy.url, central.add_kiosk(kiosk_id, site, location))
    return k


def add_visits(k: Kiosk, members: list[str], clock: ManualClock, n: int) -> None:
    """n visits through the real check-in (and its outbox); three or more members, 11
    minutes apart, so none is a welcome back."""
    svc = k.service(clock)
    for i in range(n):
        svc.check_in(k.card(members[i % len(members)]))
        clock.advance(11 * 60)


def outbox_count(k: Kiosk) -> int:
    return k.sql("SELECT count(*) FROM sync_outbox WHERE quarantined = 0")[0][0]


def test_server_down_all_day_then_back(central, make_kiosk) -> None:
    ms = [number() for _ in range(5)]
    for m in ms:
        central.add_member(m)
    k = make_kiosk("down", "PUSAT", "BACA")
    k.sync().cycle()
    central.stop()
    try:
        clock = ManualClock(now_utc() - timedelta(hours=10))
        for _hour in range(8):
            add_visits(k, ms, clock, 5)
            with pytest.raises(ServerUnavailable):
                k.sync(timeout=2).cycle()
        _, status, _ = k.run("sync", "status", "--json")
        assert status["queued"] == 40 and status["last_error"]
    finally:
        central.start()
    out = k.sync().cycle()
    assert out["push"]["stored"] == 40
    assert_converged(central, [k])


def test_kiosk_killed_after_the_server_committed(central, proxy, tmp_path) -> None:
    ms = [number() for _ in range(3)]
    for m in ms:
        central.add_member(m)
    k = enrolled_via(proxy, central, tmp_path, "kill")
    k.sync().cycle()
    add_visits(k, ms, ManualClock(now_utc() - timedelta(hours=2)), 30)
    proxy.set("hold")  # the server answers, the answer waits in the proxy
    p = k.popen("sync", "--once", "--json")
    assert proxy.answer_seen.wait(120)
    p.kill()  # SIGKILL: the kiosk never marks the batch sent
    p.wait(30)
    assert len(set(central.visit_ids()) & set(k.own_visit_ids())) == 30
    assert outbox_count(k) == 30
    proxy.set("pass")
    out = k.sync().cycle()
    assert out["push"] == {"stored": 0, "duplicate": 30, "refused": 0, "gone": 0}
    assert_converged(central, [k])
    k.close()


def test_server_killed_mid_batch(central, proxy, tmp_path) -> None:
    ms = [number() for _ in range(10)]
    for m in ms:
        central.add_member(m)
    k = enrolled_via(proxy, central, tmp_path, "srvkill")
    k.sync().cycle()
    add_visits(k, ms, ManualClock(now_utc() - timedelta(hours=6)), 40)
    bulk_visits(k, ms, ManualClock(now_utc() - timedelta(hours=3)), 1460)
    p = k.popen("sync", "--once", "--json")
    deadline = time.monotonic() + 120
    while not set(central.visit_ids()) & set(k.own_visit_ids()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    central.stop(kill=True)  # somewhere in the following batches
    try:
        assert p.wait(120) != 0  # the kiosk says it could not finish, and loses nothing
    finally:
        central.start()
    k.sync().cycle()
    assert outbox_count(k) == 0
    assert_converged(central, [k])
    k.close()


@pytest.mark.parametrize("fault", ["drop", "stall", "cut"])
def test_proxy_drops_stalls_and_cuts(central, proxy, tmp_path, fault: str) -> None:
    ms = [number() for _ in range(3)]
    for m in ms:
        central.add_member(m)
    k = enrolled_via(proxy, central, tmp_path, fault)
    k.sync().cycle()
    add_visits(k, ms, ManualClock(now_utc() - timedelta(hours=1)), 12)
    proxy.set(fault)
    for _ in range(2):
        with pytest.raises(ServerUnavailable):
            k.sync(timeout=1.5).cycle()
    assert outbox_count(k) == 12  # nothing lost, nothing marked
    if fault == "cut":  # the server had stored them; the kiosk never heard
        assert len(set(central.visit_ids()) & set(k.own_visit_ids())) == 12
    proxy.set("pass")
    k.sync().cycle()
    assert outbox_count(k) == 0
    assert_converged(central, [k])
    k.close()


def bulk_visits(k: Kiosk, members: list[str], clock: ManualClock, n: int) -> None:
    """n member visits in one transaction, through the ORM (so the outbox listener runs)."""
    from sqlalchemy import select

    from kiosk.adapters.db.models import Member

    svc = k.service(clock)
    with svc.session() as s:
        ids = s.scalars(select(Member.id).where(Member.number.in_(members))).all()
        rooms = [r.code for r in svc.rooms]
        for i in range(n):
            at = clock.now()
            s.add(
                Visit(
                    at_utc=at,
                    local_day=local_day(at),
                    site=k.site,
                    kiosk_id=k.kiosk_id,
                    room=rooms[i % len(rooms)] if k.location == "entrance" else k.location,
                    visitor_type="member",
                    decision="welcome",
                    category="Umum",
                    headcount=1,
                    children=0,
                    adults=1,
                    member_id=ids[i % len(ids)],
                    source="scan",
                )
            )
            clock.advance(30)


def test_a_van_offline_for_thirty_days(central, make_kiosk) -> None:
    ms = [number() for _ in range(50)]
    for m in ms:
        central.add_member(m)
    van = make_kiosk("van", "PUSLING-1", "MOBIL")
    van.sync().cycle()
    start = now_utc() - timedelta(days=30)
    for day in range(30):  # a hundred visits a day, five of them through the scan itself
        clock = ManualClock(start + timedelta(days=day))
        add_visits(van, ms, clock, 5)
        bulk_visits(van, ms, clock, 95)
    assert outbox_count(van) == 3000
    code, out, err = van.cli("sync", "--once", "--json")  # the van's own process
    assert code == 0, err
    assert out["push"]["stored"] == 3000 and out["push"]["refused"] == 0
    assert_converged(central, [van])


def test_worker_backs_off_with_jitter_and_drains_on_its_thread(central, make_kiosk) -> None:
    worker = SyncWorker(lambda: None, interval=30, max_delay=300, rng=random.Random(7))
    delays = []
    for failures in range(10):
        worker.failures = failures
        delays.append(worker.delay())
    assert delays[0] == 30
    assert all(30 * 2**f * 0.5 <= d <= 30 * 2**f for f, d in list(enumerate(delays))[1:3])
    assert max(delays) <= 300 and len(set(delays[5:])) > 1  # capped, and spread

    m = number()
    central.add_member(m)
    k = make_kiosk("thread", "PUSAT", "REF")
    svc = k.service()
    k.sync().cycle()
    svc.check_in(k.card(m))
    worker = SyncWorker(lambda: k.sync(), interval=0.2)
    seen = []
    worker.on_cycle = lambda summary, error: seen.append((summary, error))
    worker.start()
    deadline = time.monotonic() + 60
    while outbox_count(k) and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert outbox_count(k) == 0 and seen and seen[0][1] is None
    assert worker.thread is not None and not worker.thread.is_alive()
    assert_converged(central, [k])
