"""Every check-in decision, on a real SQLite file and (when configured) a real PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kiosk.adapters.db.models import Guest, RefusedScan, Visit
from kiosk.domain.cards import Keyring, make_payload
from kiosk.domain.clock import parse_at
from kiosk.services import groups, members
from kiosk.services.checkin import EXCERPT_CHARS
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock


def card(svc: KioskService, number: str, seq: int = 1) -> str:
    return make_payload(number, seq, svc.desk.keyring)


@pytest.fixture
def svc(service: KioskService) -> KioskService:
    with service.session() as s:
        members.add_member(s, "M001", "Siti Aminah", "P", "Umum", date(2027, 1, 1))
        members.add_member(s, "M002", "Budi Santoso", "L", "Pelajar")
        members.add_member(s, "OLD1", "Rahmat", "L", "Umum", date(2026, 11, 24))
        members.add_member(s, "SUS1", "Dewi", "P", "Umum")
        members.set_suspended(s, "SUS1", True)
    return service


def visits(svc: KioskService) -> list[Visit]:
    with svc.sessions() as s:
        return list(s.scalars(select(Visit).order_by(Visit.at_utc)))


def refusals(svc: KioskService) -> list[RefusedScan]:
    with svc.sessions() as s:
        return list(s.scalars(select(RefusedScan).order_by(RefusedScan.at_utc)))


def test_welcome_commits_the_visit_before_returning(svc: KioskService) -> None:
    d = svc.check_in(card(svc, "M001"), "BACA")
    assert (d.decision, d.member, d.room, d.accepted) == ("welcome", "M001", "BACA", True)
    # A separate connection sees it: the visit is committed, not pending.
    stored = visits(svc)
    assert [(v.id, v.room, v.visitor_type, v.category) for v in stored] == [
        (d.visit_id, "BACA", "member", "Umum")
    ]
    assert stored[0].local_day == date(2026, 11, 25)


def test_same_room_inside_window_is_welcome_back_and_counts_nothing(
    svc: KioskService, clock: ManualClock
) -> None:
    first = svc.check_in(card(svc, "M001"), "BACA")
    clock.advance(29 * 60)
    again = svc.check_in(card(svc, "M001"), "BACA")
    assert again.decision == "welcome_back" and again.visit_id is None
    assert len(visits(svc)) == 1 and first.counted


def test_same_room_after_window_is_a_new_visit(svc: KioskService, clock: ManualClock) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    clock.advance(31 * 60)
    # They left and came back: a new arrival, not a move inside the library.
    assert svc.check_in(card(svc, "M001"), "BACA").decision == "welcome"
    clock.advance(60)
    assert svc.check_in(card(svc, "M001"), "REF").decision == "moved"
    assert [v.decision for v in visits(svc)] == ["welcome", "welcome", "moved"]


def test_another_site_is_not_a_repeat(svc: KioskService, clock: ManualClock) -> None:
    from dataclasses import replace

    svc.check_in(card(svc, "M001"), "BACA")
    branch = KioskService.open(
        replace(svc.settings, site="CAB-TABA", kiosk_id="taba-1", location="BACA"), clock=clock
    )
    clock.advance(60)
    d = branch.check_in(card(svc, "M001"))  # same room code, another library
    assert (d.decision, d.room) == ("welcome", "BACA")
    assert sorted(v.site for v in visits(svc)) == ["CAB-TABA", "PUSAT"]
    with svc.session() as s:
        code = groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK Pertiwi", "TK", 20, 3).code
    refused = branch.group_check_in(code, 20, 3)
    assert (refused.decision, refused.visitor_type) == ("unknown_group", "group")
    assert "PUSAT" in refused.detail
    branch.close()


def test_another_room_is_moved_a_new_room_visit(svc: KioskService, clock: ManualClock) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    clock.advance(60)
    d = svc.check_in(card(svc, "M001"), "REF")
    assert d.decision == "moved" and d.counted
    assert [v.decision for v in visits(svc)] == ["welcome", "moved"]


def test_next_day_is_a_welcome_again(svc: KioskService, clock: ManualClock) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    clock.advance(24 * 3600)
    assert svc.check_in(card(svc, "M001"), "REF").decision == "welcome"


def test_wall_clock_jump_neither_doubles_nor_drops(svc: KioskService, clock: ManualClock) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    clock.jump_wall(2 * 3600)  # time sync moves the wall clock 2 h ahead
    clock.advance(60)
    assert svc.check_in(card(svc, "M001"), "BACA").decision == "welcome_back"
    clock.jump_wall(-5 * 3600)  # and then far back
    clock.advance(60)
    assert svc.check_in(card(svc, "M001"), "BACA").decision == "welcome_back"
    clock.advance(31 * 60)  # the window really passes on the monotonic clock
    assert svc.check_in(card(svc, "M001"), "BACA").counted
    assert len(visits(svc)) == 2


def test_a_new_process_uses_stored_times(svc: KioskService, clock: ManualClock) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    restarted = KioskService.open(svc.settings, clock=clock)
    clock.advance(60)
    assert restarted.check_in(card(svc, "M001"), "BACA").decision == "welcome_back"
    restarted.close()


@pytest.mark.parametrize(
    ("number", "seq", "reason"),
    [
        ("N999", 1, "unknown_card"),
        ("OLD1", 1, "expired"),
        ("SUS1", 1, "suspended"),
        ("M002", 2, "bad_payload"),  # a sequence never issued
    ],
)
def test_refusals(svc: KioskService, number: str, seq: int, reason: str) -> None:
    d = svc.check_in(card(svc, number, seq), "BACA")
    assert d.decision == reason and not d.accepted and d.visit_id is None
    assert visits(svc) == []
    [logged] = refusals(svc)
    assert (logged.reason, logged.room, logged.kiosk_id) == (reason, "BACA", "test-kiosk")
    # The log keeps which card, never its signature: a renewed card must not be copyable.
    assert logged.excerpt == ":".join(card(svc, number, seq).split(":")[:4]) + ":*"


def test_revoked_card_is_refused_and_the_new_one_works(svc: KioskService) -> None:
    old = card(svc, "M002", 1)
    with svc.session() as s:
        assert members.revoke_card(s, "M002") == 2
    assert svc.check_in(old, "KOL").decision == "revoked_card"
    assert svc.check_in(card(svc, "M002", 2), "KOL").decision == "welcome"


def test_membership_is_valid_through_its_last_day(svc: KioskService, clock: ManualClock) -> None:
    with svc.session() as s:
        members.get_member(s, "OLD1").expires = date(2026, 11, 25)
    assert svc.check_in(card(svc, "OLD1"), "KOL").decision == "welcome"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "LK1:K1:M001:1",
        "LK1:K1:M001:1:AAAAAAAAAA",
        "LK1:" + "x" * 5000,
        "\x00\xff binary \u202e",
        "LK1:K9:M001:1:AAAAAAAAAA",
    ],
)
def test_bad_payloads_are_refused_with_a_bounded_excerpt(svc: KioskService, text: str) -> None:
    d = svc.check_in(text, "BACA")
    assert d.decision == "bad_payload"
    [logged] = refusals(svc)
    assert len(logged.excerpt) <= EXCERPT_CHARS + 1
    assert logged.excerpt.isprintable()


def test_plain_member_number_needs_legacy_or_keypad(svc: KioskService) -> None:
    assert svc.check_in("M001", "BACA").decision == "bad_payload"
    assert svc.check_in("M001", "BACA", source="keypad").decision == "welcome"
    assert svc.check_in("M002", "BACA", source="barcode").decision == "bad_payload"
    svc.desk.legacy_barcodes = True  # the site turned old Code 128 cards on
    assert svc.check_in("M002", "BACA", source="barcode").decision == "welcome"
    assert svc.check_in("M999", "BACA", source="barcode").decision == "unknown_card"
    # A QR code holding just a number is not a card, even where old barcodes are accepted.
    assert svc.check_in("M001", "REF", source="scan").decision == "bad_payload"


def test_backdated_visit_keeps_its_time_and_day(svc: KioskService) -> None:
    at = parse_at("2026-11-20T23:30")  # from the paper guest book, WIB
    d = svc.check_in("M001", "BACA", at=at, source="paper")
    assert d.decision == "welcome"
    [v] = visits(svc)
    assert v.at_utc == at and v.local_day == date(2026, 11, 20) and v.source == "paper"
    again = svc.check_in("M001", "BACA", at=at + timedelta(minutes=10), source="paper")
    assert again.decision == "welcome_back"


def test_entrance_kiosk_needs_a_room_and_identify_counts_nothing(svc: KioskService) -> None:
    assert svc.at_entrance
    with pytest.raises(ValueError, match="entrance"):
        svc.check_in(card(svc, "M001"))
    with pytest.raises(ValueError, match="no room"):
        svc.check_in(card(svc, "M001"), "ROOF")
    found = svc.identify(card(svc, "M001"))
    assert found.member.name == "Siti Aminah"
    assert svc.identify(card(svc, "OLD1")).decision == "expired"
    assert visits(svc) == []


def test_guest_visit(svc: KioskService) -> None:
    form = GuestForm("mahasiswa", "P", "16.05", "belajar", name=None)
    d = svc.guest_check_in(form, "BACA")
    assert (d.decision, d.visitor_type, d.headcount) == ("welcome", "guest", 1)
    with svc.sessions() as s:
        guest = s.scalar(select(Guest))
        assert (guest.origin_code, guest.name, guest.category) == ("16.05", None, "mahasiswa")
    with pytest.raises(ValueError, match="origin"):
        svc.guest_check_in(GuestForm("umum", "L", "99.99", "membaca"), "BACA")
    with pytest.raises(ValueError, match="category"):
        svc.guest_check_in(GuestForm("", "L", "16.73", "membaca"), "BACA")
    assert len(visits(svc)) == 1


def test_group_visit_counts_its_headcount(svc: KioskService, clock: ManualClock) -> None:
    with svc.session() as s:
        code = groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK Pertiwi", "tk", 20, 3).code
        later = groups.add_group(s, "PUSAT", date(2026, 11, 26), "SD Negeri 5", "SD", 30, 2).code
    d = svc.group_check_in("LKG1:" + code, children=18, adults=3, room="ANAK", boys=10, girls=8)
    assert (d.decision, d.visitor_type, d.headcount) == ("welcome", "group", 21)
    clock.advance(60)
    assert svc.group_check_in(code, 18, 3, room="ANAK").decision == "welcome_back"
    assert svc.group_check_in(code, 18, 3, room="PAV").decision == "moved"
    assert svc.group_check_in(later, 30, 2, room="ANAK").decision == "wrong_day"
    assert svc.group_check_in("NOSUCH", 1, 1, room="ANAK").decision == "unknown_group"
    with pytest.raises(ValueError):
        svc.group_check_in(code, 18, 3, room="ANAK", boys=5, girls=5)
    with pytest.raises(ValueError):
        svc.group_check_in(code, 0, 0, room="ANAK")
    with svc.sessions() as s:
        assert s.scalar(select(func.sum(Visit.headcount))) == 42
        v = s.scalar(select(Visit).where(Visit.room == "ANAK"))
        assert (v.children, v.adults, v.boys, v.girls, v.category) == (18, 3, 10, 8, "TK")


def test_erasing_a_member_keeps_anonymous_counts(svc: KioskService) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    with svc.session() as s:
        assert members.erase_member(s, "M001") == 1
    [v] = visits(svc)
    assert v.member_id is None
    assert svc.check_in(card(svc, "M001"), "REF").decision == "unknown_card"


def test_every_visit_carries_its_visitors_gender_as_it_was(
    svc: KioskService, clock: ManualClock
) -> None:
    """Members and guests by their gender at the visit, groups by boys and girls only; an
    erased member's visit keeps its gender (an anonymous count, README Privacy)."""
    with svc.session() as s:
        code = groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK Pertiwi", "TK", 20, 3).code
        members.add_member(s, "M003", "Ani", None, "Umum")
    svc.check_in(card(svc, "M001"), "BACA")
    clock.advance(60)  # one after the other, so that time orders them
    svc.guest_check_in(GuestForm("umum", "L", "16.73", "membaca"), "BACA")
    clock.advance(60)
    svc.group_check_in(code, 18, 3, room="ANAK", boys=10, girls=8)
    clock.advance(60)
    svc.check_in(card(svc, "M003"), "KOL")
    clock.advance(3600)
    with svc.session() as s:
        members.edit_member(s, "M003", gender="P")
    svc.check_in(card(svc, "M003"), "REF")
    with svc.session() as s:
        assert members.erase_member(s, "M001") == 1
    stored = visits(svc)
    got = [(v.visitor_type, v.room, v.gender, v.boys, v.girls) for v in stored]
    assert got == [
        ("member", "BACA", "P", None, None),
        ("guest", "BACA", "L", None, None),
        ("group", "ANAK", None, 10, 8),
        ("member", "KOL", None, None, None),  # not given then; the later edit is not history
        ("member", "REF", "P", None, None),
    ]
    # the guest's origin and purpose travel with the visit too, nobody else's
    assert [(v.origin_code, v.purpose) for v in stored] == [
        (None, None),
        ("16.73", "membaca"),
        (None, None),
        (None, None),
        (None, None),
    ]


def test_counts_on_today(svc: KioskService) -> None:
    svc.check_in(card(svc, "M001"), "BACA")
    svc.guest_check_in(GuestForm("umum", "L", "16.73", "membaca"), "BACA")
    counts = svc.counts_on()
    assert counts["BACA"] == {"member": 1, "guest": 1}
    assert counts["PAV"] == {}


def test_keyring_on_disk_is_what_the_service_uses(svc: KioskService) -> None:
    assert Keyring.load(svc.settings.key_file) == svc.desk.keyring


def test_full_disk_raises_and_counts_nothing(svc: KioskService, tmp_path) -> None:
    from sqlalchemy import event, text

    from kiosk.services.kiosk import StorageError

    if svc.engine.dialect.name != "sqlite":
        pytest.skip("the page limit that fills the database is a SQLite pragma")
    svc.check_in(card(svc, "M002"), "KOL")
    with svc.engine.connect() as c:
        pages = c.execute(text("PRAGMA page_count")).scalar()
    svc.engine.dispose()

    @event.listens_for(svc.engine, "connect")
    def _full(dbapi_conn, _record) -> None:  # the database may not grow by a single page
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    padding = "x" * 3000
    with pytest.raises(StorageError, match="full"):
        for i in range(200):  # fill the last free pages, then the next visit cannot be saved
            svc.guest_check_in(GuestForm("umum", "L", "other", "membaca", padding + str(i)), "BACA")
    event.remove(svc.engine, "connect", _full)
    svc.engine.dispose()
    before = len(visits(svc))
    # Every visit the kiosk confirmed is on disk; the refused one is not half-saved.
    with svc.sessions() as s:
        assert s.scalar(select(func.count(Guest.id))) == before - 1


def test_purge_keeps_counts_and_forgets_personal_fields(
    svc: KioskService, clock: ManualClock
) -> None:
    from kiosk.adapters.db.models import Group
    from kiosk.services.guests import purge_group_leaders, purge_guests

    old = GuestForm("umum", "P", "other", "membaca", origin_other="Desa Air Kuti", name="Rina")
    svc.guest_check_in(old, "BACA")
    with svc.session() as s:
        groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK A", "TK", 10, 2, "Bu Sari", "0812 111")
    clock.advance(200 * 86400)
    svc.guest_check_in(GuestForm("umum", "L", "other", "membaca", "Muara Beliti", "Andi"), "BACA")
    with svc.session() as s:
        assert purge_guests(s, clock.now(), 180) == 1
        assert purge_group_leaders(s, clock.now(), 180) == 1
        assert purge_guests(s, clock.now(), 180) == 0  # done once
    with svc.sessions() as s:
        kept = {(g.name, g.origin_other, g.purged_at is None) for g in s.scalars(select(Guest))}
        leader = s.scalar(select(Group))
    assert kept == {(None, None, False), ("Andi", "Muara Beliti", True)}
    assert (leader.leader_name, leader.leader_phone, leader.expected_children) == (None, None, 10)
    assert len(visits(svc)) == 2  # the counts stay


def test_card_pngs_whose_names_would_clash_are_refused(tmp_path) -> None:
    from kiosk.adapters.render.cards import CardFace, write_pngs

    faces = [CardFace("A/1", "Satu", "LK1:x"), CardFace("A_1", "Dua", "LK1:y")]
    with pytest.raises(ValueError, match="A/1 and A_1"):
        write_pngs(faces, "Perpustakaan", tmp_path / "png")
    assert not (tmp_path / "png").exists()
