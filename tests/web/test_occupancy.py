"""Today's live occupancy over HTTP on the real app and a real database (SQLite and
PostgreSQL): the headcount that came into a room with a capacity within its typical stay, the
window's edge, groups by their headcount, the 80 % and 100 % levels, and staff kept to their
own site. The kiosks and the dashboard share one hand-moved clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_LAYOUT
from kiosk.domain.cards import make_payload
from kiosk.services import groups, members
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock
from tests.web.conftest import Web, guest, running_web

DAY = date(2026, 11, 25)
# The shipped layout (ANAK: 40 people, 45 minutes; PAV: 30 people, 90 minutes) and a
# capacity for the branch's reading room, whose code PUSAT's general reading room shares.
BRANCH_ROOM = 'name_en = "Reading room"\n'
BRANCH_CAPACITY = "    capacity = 12\n    stay_minutes = 60\n"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 09:00 WIB


@pytest.fixture
def occ(tmp_path: Path, db_url: str, clock: ManualClock) -> Iterator[Web]:
    text = DEFAULT_LAYOUT.read_text(encoding="utf-8")
    assert text.count(BRANCH_ROOM) == 1
    layout = tmp_path / "layout.toml"
    layout.write_text(text.replace(BRANCH_ROOM, BRANCH_ROOM + BRANCH_CAPACITY), encoding="utf-8")
    with running_web(tmp_path, db_url, clock, layout) as web:
        yield web


def at(clock: ManualClock, hh: int, mm: int, ss: int = 0) -> None:
    """Move the shared clock to HH:MM:SS WIB on DAY (forward only)."""
    target = datetime(2026, 11, 25, hh - 7, mm, ss, tzinfo=UTC)
    assert target >= clock.now()
    clock.advance((target - clock.now()).total_seconds())


def occupancy(html: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(site, room) -> (people shown inside, capacity, level) for each occupancy box."""
    boxes = re.findall(
        r'<div class="occ occ-(\w+)" data-site="([^"]+)" data-room="([^"]+)">'
        r'.*?class="occ-inside">(\d+)</b> / <span class="occ-capacity">(\d+)<',
        html,
        re.S,
    )
    return {(site, room): (int(n), int(cap), level) for level, site, room, n, cap in boxes}


def pusat(web: Web, clock: ManualClock) -> KioskService:
    svc = web.kiosk("PUSAT", clock)
    with svc.session() as s:
        members.add_member(s, "M001", "Siti Aminah", "P", "Umum")
    return svc


def group_arrives(svc: KioskService, room: str, children: int, adults: int) -> None:
    with svc.session() as s:
        code = groups.add_group(s, "PUSAT", DAY, "TK Pertiwi", "TK", children, adults).code
    assert svc.group_check_in(code, children, adults, room).accepted


def test_occupancy_is_the_headcount_in_the_last_stay(occ: Web, clock: ManualClock) -> None:
    svc = pusat(occ, clock)
    at(clock, 9, 10)
    guest(svc, "ANAK")
    at(clock, 9, 30)
    assert svc.check_in(make_payload("M001", 1, svc.desk.keyring), "ANAK").accepted
    at(clock, 9, 40)
    group_arrives(svc, "ANAK", 8, 2)  # ten people in one visit
    guest(svc, "PAV")
    guest(svc, "BACA")  # no capacity: no occupancy box
    manda = occ.client("manda")

    at(clock, 9, 54, 59)  # the 09:10 guest is 44 min 59 s in: still counted
    shown = occupancy(manda.get("/today?site=PUSAT").text)
    assert shown == {("PUSAT", "ANAK"): (12, 40, "ok"), ("PUSAT", "PAV"): (1, 30, "ok")}
    at(clock, 9, 55)  # 45 minutes: the typical stay is over
    page = manda.get("/today?site=PUSAT").text
    assert occupancy(page)[("PUSAT", "ANAK")] == (11, 40, "ok")
    assert "perkiraan dari yang masuk dalam 45 menit terakhir; belum ada pindai keluar" in page
    assert "perkiraan dari yang masuk dalam 90 menit terakhir" in page
    # The live refresh's fragment carries the same numbers.
    fragment = manda.get("/today/numbers?site=PUSAT", headers={"x-requested-with": "fetch"})
    assert occupancy(fragment.text)[("PUSAT", "ANAK")] == (11, 40, "ok")

    at(clock, 10, 24, 59)
    assert occupancy(manda.get("/today?site=PUSAT").text)[("PUSAT", "ANAK")][0] == 10
    at(clock, 10, 25)  # the group has had its 45 minutes; the pavilion keeps its 90
    shown = occupancy(manda.get("/today?site=PUSAT").text)
    assert shown == {("PUSAT", "ANAK"): (0, 40, "ok"), ("PUSAT", "PAV"): (1, 30, "ok")}
    at(clock, 11, 10)
    assert occupancy(manda.get("/today?site=PUSAT").text)[("PUSAT", "PAV")][0] == 0
    english = occ.client("manda")
    english.get("/lang/en", follow_redirects=True)
    page = english.get("/today?site=PUSAT").text
    assert "estimate from those who came in within the last 45 minutes; no exit scans yet" in page


def test_amber_above_80_percent_and_red_at_capacity(occ: Web, clock: ManualClock) -> None:
    svc = pusat(occ, clock)
    siti = occ.client("siti")
    at(clock, 9, 30)
    group_arrives(svc, "ANAK", 30, 2)  # 32 of 40: exactly 80 %, not above it
    assert occupancy(siti.get("/today").text)[("PUSAT", "ANAK")] == (32, 40, "ok")
    guest(svc, "ANAK")  # 33: above 80 %
    page = siti.get("/today").text
    assert occupancy(page)[("PUSAT", "ANAK")] == (33, 40, "high")
    assert "Hampir penuh" in page and "Penuh:" not in page
    group_arrives(svc, "ANAK", 6, 1)  # 40 of 40: full
    page = siti.get("/today").text
    assert occupancy(page)[("PUSAT", "ANAK")] == (40, 40, "full")
    assert "Penuh: sudah mencapai atau melebihi kapasitas" in page
    assert 'class="occ-fill" width="100"' in page
    guest(svc, "ANAK")  # over capacity: the number says 41, the bar stops at its end
    page = siti.get("/today").text
    assert occupancy(page)[("PUSAT", "ANAK")] == (41, 40, "full")
    assert "102%</span>" in page and 'width="102"' not in page


def test_staff_see_their_own_sites_rooms_only(occ: Web, clock: ManualClock) -> None:
    svc, taba = pusat(occ, clock), occ.kiosk("CAB-TABA", clock)
    at(clock, 9, 30)
    for _ in range(5):
        guest(svc, "BACA")  # PUSAT's BACA: no capacity, and not the branch's BACA
        guest(svc, "ANAK")
    for _ in range(3):
        guest(taba, "BACA")
    siti, tono, manda = occ.client("siti"), occ.client("tono"), occ.client("manda")
    assert occupancy(siti.get("/today").text) == {
        ("PUSAT", "ANAK"): (5, 40, "ok"),
        ("PUSAT", "PAV"): (0, 30, "ok"),
    }
    assert occupancy(tono.get("/today").text) == {("CAB-TABA", "BACA"): (3, 12, "ok")}
    r = tono.get("/today/numbers?site=PUSAT", headers={"x-requested-with": "fetch"})
    assert r.status_code == 403 and "occ-inside" not in r.text
    # Every site at once (managers): each room under its own site.
    assert occupancy(manda.get("/today?site=all").text) == {
        ("PUSAT", "ANAK"): (5, 40, "ok"),
        ("PUSAT", "PAV"): (0, 30, "ok"),
        ("CAB-TABA", "BACA"): (3, 12, "ok"),
    }
    # A site with no capacity in the layout says so instead of a number.
    page = manda.get("/today?site=PUSLING-1").text
    assert occupancy(page) == {}
    assert "Belum ada ruang di sini yang kapasitasnya tercantum" in page
