"""Copies of the site's other kiosks' visits (pulled for *moved* and *welcome back*) are never
this kiosk's own: not in its staff numbers, its exports or its reports, never pushed back, and
dropped after the peer window."""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from kiosk.adapters.db.models import OutboxItem, PeerVisit, Visit
from tests.support.clock import ManualClock
from tests.sync.conftest import assert_converged, now_utc


def test_peer_copies_are_not_counted_exported_or_pushed(central, make_kiosk, tmp_path) -> None:
    m = f"Q{uuid.uuid4().hex[:8].upper()}"
    central.add_member(m)
    entrance = make_kiosk("ent", "PUSAT", "entrance")
    room = make_kiosk("kol", "PUSAT", "KOL")
    for k in (entrance, room):
        k.sync().cycle()
    entrance.service().check_in(entrance.card(m), room="BACA")
    entrance.sync().cycle()
    assert room.sync().cycle()["pull"]["peer_visits"] == 1
    svc = room.service()
    with svc.sessions() as s:
        assert s.scalar(select(func.count(PeerVisit.id))) == 1
        assert s.scalar(select(func.count(Visit.id))) == 0
        assert s.scalar(select(func.count(OutboxItem.id))) == 0
    # Staff numbers and the daily export of the room kiosk: nothing of its own yet.
    assert not any(svc.counts_on().values())
    assert svc.daily_report().rows == []
    out = tmp_path / "usb"
    out.mkdir()
    code, data, err = room.run("export", "daily", "--out", str(out), "--format", "csv", "--json")
    assert code == 0, err
    (exported,) = out.glob("*.csv")
    with exported.open(encoding="utf-8-sig") as f:
        body = list(csv.reader(f, delimiter=";" if ";" in f.readline() else ","))
    assert not any("BACA" in row for row in body)
    # The copy still serves the decision: the member came in at the entrance to BACA.
    assert svc.check_in(room.card(m)).decision == "moved"
    assert {r: c for r, c in svc.counts_on().items() if c} == {"KOL": {"member": 1}}
    out = room.sync().cycle()
    assert out["push"]["stored"] == 1 and out["push"]["refused"] == 0
    assert_converged(central, [entrance, room])
    with central.sessions() as s:
        assert s.scalar(select(func.count(Visit.id)).where(Visit.kiosk_id == room.kiosk_id)) == 1
    # Past the peer window the copies go at the next pull.
    later = ManualClock(now_utc() + timedelta(hours=13))
    room.sync(clock=later).cycle()
    with svc.sessions() as s:
        assert s.scalar(select(func.count(PeerVisit.id))) == 0
