"""Two kiosks on one database never double-count; a repeated refusal is counted, not stored."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from kiosk.adapters.db.models import RefusedScan, Visit
from kiosk.config import Settings
from kiosk.domain.cards import make_payload
from kiosk.services import members
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock

ROUNDS = 40


def test_two_kiosks_scanning_one_member_at_once_count_one_visit(
    service: KioskService, settings: Settings, clock: ManualClock
) -> None:
    with service.session() as s:
        for i in range(ROUNDS):
            members.add_member(s, f"M{i:04d}", f"Anggota {i}", None, None, date(2027, 1, 1))
    second = KioskService.open(settings, clock=clock)  # another kiosk process's own engine
    kiosks = [service, second]
    cards = [make_payload(f"M{i:04d}", 1, service.desk.keyring) for i in range(ROUNDS)]
    barrier = threading.Barrier(2)
    decisions: list[list[str]] = [[], []]

    def run(k: int) -> None:
        for text in cards:
            barrier.wait()
            decisions[k].append(kiosks[k].check_in(text, "BACA").decision)

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.close()
    with service.sessions() as s:
        per_member = dict(
            s.execute(select(Visit.member_id, func.count()).group_by(Visit.member_id)).all()
        )
    assert len(per_member) == ROUNDS and set(per_member.values()) == {1}
    for a, b in zip(*decisions, strict=True):
        assert sorted([a, b]) == ["welcome", "welcome_back"]


def test_the_same_refused_text_is_counted_on_one_row(
    service: KioskService, clock: ManualClock
) -> None:
    forged = "LK1:K1:M2016001:1:AAAAAAAAAA"
    for _ in range(90):  # three seconds of a forged animated QR at 30 frames a second
        assert service.check_in(forged, "BACA").decision == "bad_payload"
        clock.advance(1 / 30)
    other = service.check_in("LK1:K1:M2016002:1:BBBBBBBBBB", "BACA")
    assert other.decision == "bad_payload"
    with service.sessions() as s:
        rows = s.execute(select(RefusedScan.excerpt, RefusedScan.repeats)).all()
    assert sorted(rows) == [("LK1:K1:M2016001:1:*", 89), ("LK1:K1:M2016002:1:*", 0)]
    clock.advance(120)  # later, the same text is a new row again
    service.check_in(forged, "BACA")
    with service.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RefusedScan)) == 3
