"""Enrolment, push and pull against the real server process and the central database."""

from __future__ import annotations

import stat
import uuid
from datetime import timedelta

import pytest

from kiosk.adapters.http.client import CentralClient, ServerRefused
from kiosk.domain.clock import local_day
from kiosk.services.guests import GuestForm
from kiosk.services.sync_central import list_kiosks
from kiosk.services.sync_kiosk import KioskSync
from tests.support.clock import ManualClock
from tests.sync.conftest import assert_converged, now_utc


def number() -> str:
    return f"M{uuid.uuid4().hex[:8].upper()}"


def test_enrol_pull_check_in_push_exactly_once(central, make_kiosk) -> None:
    m = number()
    central.add_member(m, "Siti Aminah")
    k = make_kiosk("k", "PUSAT", "BACA")
    token = k.root / "sync-token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    code, status, _ = k.cli("sync", "status", "--json")
    assert code == 0 and status["server"] == central.url and status["last_pull"] is None

    code, out, err = k.cli("sync", "--once", "--json")
    assert code == 0, err
    assert out["pull"]["members"] >= 1
    d = k.service().check_in(k.card(m))
    assert d.decision == "welcome"
    code, status, _ = k.cli("sync", "status", "--json")
    assert status["queued"] == 1
    code, out, _ = k.cli("sync", "--once", "--json")
    assert out["push"]["stored"] == 1
    _, status, _ = k.cli("sync", "status", "--json")
    assert set(status) >= {"queued", "quarantined", "last_push", "last_pull", "server"}
    assert status["queued"] == 0 and status["last_push"]
    assert_converged(central, [k])
    # The server keeps only the token's hash.
    with central.sessions() as s:
        row = next(r for r in list_kiosks(s) if r["kiosk"] == k.kiosk_id)
    assert row["last_contact"] and row["version"] and row["queued"] is not None
    from sqlalchemy import select

    from kiosk.adapters.db.models import SyncKiosk
    from kiosk.services.sync_central import digest

    with central.sessions() as s:
        stored = s.scalar(select(SyncKiosk.token_hash).where(SyncKiosk.kiosk_id == k.kiosk_id))
    assert stored == digest(token.read_text().strip())


def test_a_library_without_a_server_writes_no_outbox(tmp_path) -> None:
    from tests.sync.conftest import Kiosk

    k = Kiosk(tmp_path / "alone", "alone", "PUSAT", "BACA")
    assert k.run("init", "--json")[0] == 0
    assert k.run("members", "add", "A1", "Budi", "--json")[0] == 0
    assert k.run("checkin", "A1", "--json")[0] == 0 or True
    assert k.sql("SELECT count(*) FROM sync_outbox")[0][0] == 0
    code, status, _ = k.run("sync", "status", "--json")
    assert code == 0 and status["server"] is None and status["queued"] == 0
    code, _, err = k.run("sync", "--once")
    assert code == 2 and "not enrolled" in err


def test_guests_groups_refusals_and_surveys_travel(central, make_kiosk) -> None:
    from kiosk.services import groups as groups_mod

    m = number()
    central.add_member(m)
    k = make_kiosk("g", "PUSAT", "BACA")
    svc = k.service()
    with central.sessions() as s, s.begin():
        code = groups_mod.add_group(  # today in the library's zone (WIB), not in UTC
            s, "PUSAT", local_day(svc.clock.now()), "TK Melati", "TK", 12, 2
        ).code
    k.sync().cycle()
    svc.guest_check_in(GuestForm(category="umum", gender="L", origin="16.73", purpose="membaca"))
    svc.group_check_in(code, children=12, adults=2)
    svc.check_in("LK1:K1:NOPE:1:AAAAAAAAAA")  # refused, logged
    svc.record_rating({"U1": 4})
    out = k.sync().cycle()
    assert out["push"]["refused"] == 0 and out["push"]["stored"] >= 4
    assert_converged(central, [k])
    with central.sessions() as s:
        from sqlalchemy import func, select

        from kiosk.adapters.db.models import RefusedScan, SurveyAnswer

        assert s.scalar(select(func.count()).where(RefusedScan.kiosk_id == k.kiosk_id)) == 1
        assert s.scalar(select(func.count(SurveyAnswer.id)).where(SurveyAnswer.site == "PUSAT"))


def test_same_batch_twice_is_stored_once(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("dup")
    sync = k.sync()
    sync.cycle()
    svc = k.service()
    svc.check_in(k.card(m), room="KOL")
    svc.check_in(k.card(m), room="BACA")
    from kiosk.adapters.db.models import OutboxItem, Visit
    from kiosk.services.sync_records import to_wire

    with svc.sessions() as s:
        visits = s.query(Visit).filter(Visit.kiosk_id == k.kiosk_id).all()
        assert s.query(OutboxItem).count() == 2
    body = {"items": [{"kind": "visit", "record": to_wire(v)} for v in visits]}
    token = (k.root / "sync-token").read_text().strip()
    with CentralClient(central.url, token) as c:
        first = c.post("/push", body)["results"]
        second = c.post("/push", body)["results"]
    assert [r["status"] for r in first] == ["stored", "stored"]
    assert [r["status"] for r in second] == ["duplicate", "duplicate"]
    out = sync.cycle()  # the kiosk's own send of the same records: duplicates, a success
    assert out["push"]["duplicate"] == 2
    assert_converged(central, [k])


def test_visits_arrive_with_their_gender_also_from_an_older_kiosk(central, make_kiosk) -> None:
    """A visit carries its visitor's gender (and a guest's origin and purpose) to the central
    database; a kiosk older than these columns on visits sends none, and the server takes the
    member's or guest's."""
    from sqlalchemy import select

    from kiosk.adapters.db.models import Guest, Visit
    from kiosk.services.sync_records import to_wire

    m = number()
    central.add_member(m)  # gender P
    k = make_kiosk("sex")
    k.sync().cycle()
    svc = k.service()
    new = svc.check_in(k.card(m), room="KOL").visit_id
    svc.guest_check_in(GuestForm("umum", "L", "16.73", "membaca"), room="BACA")
    svc.check_in(k.card(m), room="BACA")
    with svc.sessions() as s:
        guest = s.scalar(select(Guest))
        mine = select(Visit).where(Visit.kiosk_id == k.kiosk_id)  # not the peers' visits
        visits = s.scalars(mine.where(Visit.id != new)).all()
    items = [{"kind": "guest", "record": to_wire(guest)}]
    for v in visits:  # what an older kiosk sends: no such fields
        record = to_wire(v)
        for field in ("gender", "origin_code", "purpose"):
            del record[field]
        items.append({"kind": "visit", "record": record})
    token = (k.root / "sync-token").read_text().strip()
    with CentralClient(central.url, token) as c:
        results = c.post("/push", {"items": items})["results"]
    assert [r["status"] for r in results] == ["stored"] * 3, results
    assert k.sync().cycle()["push"]["refused"] == 0  # the new kiosk's own visit, with gender
    with central.sessions() as s:
        q = select(Visit.visitor_type, Visit.room, Visit.gender, Visit.origin_code, Visit.purpose)
        rows = s.execute(q.where(Visit.kiosk_id == k.kiosk_id)).tuples().all()
    assert sorted(rows) == [
        ("guest", "BACA", "L", "16.73", "membaca"),
        ("member", "BACA", "P", None, None),
        ("member", "KOL", "P", None, None),
    ]


def test_a_bad_item_in_the_middle_is_quarantined_and_the_rest_goes(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("bad")
    k.sync().cycle()
    svc = k.service()
    ids = [svc.check_in(k.card(m), room=r).visit_id for r in ("KOL", "BACA", "REF", "PAV")]
    # One visit too long for its column (refused by the server's checks), one the database
    # itself refuses (a NUL character): both quarantined, the others stored.
    k.sql("UPDATE visits SET room = 'A-ROOM-CODE-TOO-LONG' WHERE id = :i", i=ids[1].hex)
    k.sql("UPDATE visits SET category = 'Um' || char(0) || 'um' WHERE id = :i", i=ids[2].hex)
    out = k.sync().cycle()
    on_pg = central.settings.database_url.startswith("postgresql")
    assert out["push"]["stored"] == (2 if on_pg else 3)  # SQLite keeps a NUL
    assert out["push"]["refused"] == (2 if on_pg else 1)
    _, status, _ = k.run("sync", "status", "--json")
    assert status["quarantined"] == out["push"]["refused"] and status["queued"] == 0
    # Later records are never blocked by the quarantined ones.
    svc.check_in(k.card(m), room="ANAK")
    assert k.sync().cycle()["push"]["stored"] == 1


def test_a_row_of_another_site_is_refused(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("site")
    k.sync().cycle()
    svc = k.service()
    good = svc.check_in(k.card(m), room="KOL").visit_id
    bad = svc.check_in(k.card(m), room="BACA").visit_id
    k.sql("UPDATE visits SET site = 'CAB-TABA' WHERE id = :i", i=bad.hex)
    out = k.sync().cycle()
    assert out["push"] == {"stored": 1, "duplicate": 0, "refused": 1, "gone": 0}
    assert set(central.visit_ids()) >= {good} and bad not in central.visit_ids()
    from kiosk.services.sync_kiosk import quarantined_items

    with svc.sessions() as s:
        (item,) = quarantined_items(s)
    assert "CAB-TABA" in item["error"] and item["id"] == str(bad)


def test_a_revoked_token_stops_the_kiosk_and_keeps_its_queue(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("rev")
    k.sync().cycle()
    k.service().check_in(k.card(m), room="KOL")
    code, out, err = k.run("kiosks", "revoke", k.kiosk_id, env=central.env)
    assert code == 0, err
    with pytest.raises(ServerRefused, match="revoked"):
        k.sync().cycle()
    code, status, _ = k.run("sync", "status", "--json")
    assert status["queued"] == 1 and "revoked" in status["last_error"]
    code, _, err = k.run("sync", "--once")
    assert code == 2 and "revoked" in err
    # Enrolled again: the queue goes.
    k.enroll(central.url, central.add_kiosk(k.kiosk_id, "PUSAT"))
    assert k.sync().cycle()["push"]["stored"] == 1
    assert_converged(central, [k])


def test_entrance_and_room_kiosks_share_recent_visits(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    entrance = make_kiosk("ent", "PUSAT", "entrance")
    room = make_kiosk("baca", "PUSAT", "BACA")
    for k in (entrance, room):
        k.sync().cycle()
    assert entrance.service().check_in(entrance.card(m), room="KOL").decision == "welcome"
    entrance.sync().cycle()
    assert room.sync().cycle()["pull"]["peer_visits"] == 1
    # The room kiosk knows the member came in at the entrance and went to KOL first.
    assert room.service().check_in(room.card(m)).decision == "moved"
    room.sync().cycle()
    entrance.sync().cycle()
    assert entrance.service().check_in(entrance.card(m), room="BACA").decision == "welcome_back"
    assert_converged(central, [entrance, room])


def test_card_revoked_while_offline_is_kept_and_flagged(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    van = make_kiosk("van", "PUSLING-1", "MOBIL")
    van.sync().cycle()
    from kiosk.services import members as members_mod

    with central.sessions() as s, s.begin():
        members_mod.revoke_card(s, m)  # the card is lost; the van is on the road, offline
    d = van.service().check_in(van.card(m, seq=1))
    assert d.decision == "welcome"
    out = van.sync().cycle()
    assert out["push"]["stored"] == 1 and out["pull"]["members"] >= 1
    assert "revoked_card" in central.receipts()[d.visit_id]
    assert_converged(central, [van])
    # Now the van knows: the old card is refused.
    assert van.service().check_in(van.card(m, seq=1)).decision == "revoked_card"


def test_clocks_off_are_flagged_never_dropped(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    fast = make_kiosk("fast", "PUSAT", "BACA")
    slow = make_kiosk("slow", "PUSAT", "REF")
    ahead = ManualClock(now_utc() + timedelta(hours=3))
    behind = ManualClock(now_utc() - timedelta(days=2))
    fast.sync(clock=ahead).cycle()
    slow.sync(clock=behind).cycle()
    v1 = fast.service(ahead).check_in(fast.card(m)).visit_id
    v2 = slow.service(behind).check_in(slow.card(m)).visit_id
    fast.sync(clock=ahead).cycle()
    slow.sync(clock=behind).cycle()
    receipts = central.receipts()
    assert "future" in receipts[v1] and "clock_off" in receipts[v1]
    assert "clock_off" in receipts[v2] and "future" not in receipts[v2]
    with central.sessions() as s:
        rows = {r["kiosk"]: r for r in list_kiosks(s)}
    assert rows[fast.kiosk_id]["clock_flag"] and rows[fast.kiosk_id]["clock_offset_s"] > 3 * 3590
    assert rows[slow.kiosk_id]["clock_flag"] and rows[slow.kiosk_id]["clock_offset_s"] < -86400
    code, listed, _ = fast.run("kiosks", "list", "--json", env=central.env)
    assert code == 0 and any(r["kiosk"] == fast.kiosk_id and r["clock_flag"] for r in listed)
    assert_converged(central, [fast, slow])


def test_enrolment_codes_are_one_time(central, make_kiosk, tmp_path) -> None:
    from tests.sync.conftest import Kiosk

    code = central.add_kiosk("once-" + uuid.uuid4().hex[:6], "PUSAT")
    a = Kiosk(tmp_path / "a", "a", "PUSAT")
    a.enroll(central.url, code)
    b = Kiosk(tmp_path / "b", "b", "PUSAT")
    rc, _, err = b.cli("enroll", central.url, code)
    assert rc == 2 and "enrolment code unknown, used or expired" in err
    with pytest.raises(Exception, match="not enrolled|enrolled as"):
        KioskSync.open(a.settings)  # settings say "a", the server named it otherwise


def test_what_a_kiosk_recorded_before_it_joined_is_sent_and_kept(central, tmp_path) -> None:
    from tests.sync.conftest import Kiosk

    kiosk_id = "before-" + uuid.uuid4().hex[:6]
    k = Kiosk(tmp_path / kiosk_id, kiosk_id, "CAB-TABA", "BACA")
    assert k.run("init")[0] == 0
    assert k.run("members", "add", "LOCAL1", "Budi")[0] == 0  # a member only this kiosk knows
    assert k.run("checkin", "LOCAL1", "--json")[1]["decision"] == "welcome"
    data = k.enroll(central.url, central.add_kiosk(kiosk_id, "CAB-TABA", "BACA"))
    assert data["queued_from_before"] == 1 and data["settings_to_change"] == {}
    (visit_id,) = k.own_visit_ids()
    out = k.sync().cycle()
    assert out["push"]["stored"] == 1
    assert "unknown_member" in central.receipts()[visit_id]  # kept, without the member link
    assert_converged(central, [k])


def test_card_key_rotation_and_layout_changes_reach_kiosks(central, make_kiosk) -> None:
    from kiosk.domain.cards import Keyring
    from kiosk.layout import load_layout
    from kiosk.services.sync_kiosk import layout_path

    m = number()
    central.add_member(m)
    k = make_kiosk("rot", "PUSAT", "BACA")
    first = k.sync().cycle()["pull"]
    assert first.get("layout") == 1 and layout_path(k.settings).exists()
    # The library adds a key (cards are reprinted over time) and a room at the central site.
    ring = Keyring.load(central.settings.key_file)
    new_id = f"K{len(ring.keys) + 1}"
    ring.with_new_key(new_id).save(central.settings.key_file)
    layout = central.settings.layout_file
    room = (
        '    [[site.floor.room]]\n    code = "LAB"\n    name = "Laboratorium Komputer"\n'
        '    name_en = "Computer lab"\n\n'
    )
    text = layout.read_text(encoding="utf-8")
    at = text.index('    [[site.floor.room]]\n    code = "BACA"')
    layout.write_text(text[:at] + room + text[at:], encoding="utf-8")
    pulled = k.sync().cycle()["pull"]
    assert pulled["keys"] == 1 and pulled["layout"] == 1
    assert Keyring.load(k.settings.key_file).current == new_id
    assert load_layout(layout_path(k.settings)).site("PUSAT").room("LAB") is not None
    card = k.card(m)  # signed with the new current key
    assert card.startswith(f"LK1:{new_id}:")
    assert k.service().check_in(card).decision == "welcome"
    assert k.sync().cycle()["pull"].get("keys") is None  # unchanged: not sent again
