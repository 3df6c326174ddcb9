"""Members at the kiosk: a card through the camera and scanner, the keypad, every refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from kiosk.adapters.db.models import Member, RefusedScan, Visit
from kiosk.services.members import revoke_card
from ui.driver import Driver
from ui.helpers import card_frames, card_payload


def visits(driver: Driver) -> list[Visit]:
    with driver.app.service.session() as s:
        return list(s.scalars(select(Visit).order_by(Visit.at_utc)))


def test_card_through_camera_at_the_entrance(
    open_kiosk: Callable[..., Driver], tmp_path: Path
) -> None:
    kiosk = open_kiosk(
        camera=lambda svc: str(card_frames(tmp_path / "cam", svc, "M2016001", "SITI AMINAH"))
    )
    # the real path: image folder -> reader thread -> decoder thread -> scanner -> check-in
    kiosk.wait(lambda: kiosk.current == "rooms", what="the card to be read")
    kiosk.settle()
    text = kiosk.texts()
    assert "Halo, Siti!" in text
    assert "Anda akan ke ruang mana? Sentuh salah satu." in text
    assert not any(getattr(w, "selected", False) for w in kiosk.screen().walk())  # no default

    kiosk.tap_text("Ruang Koleksi Referensi")
    assert kiosk.current == "result"
    text = kiosk.texts()
    assert "Selamat datang, Siti!" in text
    assert "Kunjungan Anda ke Ruang Koleksi Referensi sudah tercatat." in text
    assert kiosk.screen().kind == "accepted"
    assert kiosk.app.sounds.played[-1] == "welcome"

    [visit] = visits(kiosk)
    assert (visit.room, visit.visitor_type, visit.source) == ("REF", "member", "scan")
    with kiosk.app.service.session() as s:
        assert s.get(Member, visit.member_id).number == "M2016001"

    # The card stays in front of the camera (the folder loops): still one visit.
    kiosk.pump(0.5)
    assert len(visits(kiosk)) == 1
    kiosk.later(5)
    assert kiosk.current == "home"
    cam = kiosk.app.camera
    assert cam.frames_shown > 0 and cam.textures_made == 1  # one texture, reused


def test_keypad_at_a_room_kiosk_then_already_recorded(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="BACA")
    for attempt in range(2):
        kiosk.tap_id("keypad_button", "home")
        assert kiosk.current == "keypad"
        pad = kiosk.screen().ids.pad
        kiosk.tap_id("letters_button")
        kiosk.type_on(pad, "M")
        kiosk.tap_id("letters_button")
        kiosk.type_on(pad, "2016002")
        assert kiosk.screen().ids.display.text == "M2016002"
        kiosk.tap_key(pad, "OK")
        assert kiosk.current == "result"
        if attempt == 0:
            assert "Selamat datang, Budi!" in kiosk.texts()
            assert "Kunjungan Anda ke Ruang Baca Umum sudah tercatat." in kiosk.texts()
        kiosk.tap_id("done_button")
    assert kiosk.screen("result").kind == "repeat"
    assert "Sudah tercatat" in kiosk.texts("result")
    assert kiosk.app.sounds.played[-1] == "repeat"
    [visit] = visits(kiosk)
    assert (visit.room, visit.source) == ("BACA", "keypad")


def test_refusals_say_what_to_do_next(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="BACA")
    svc = kiosk.app.service
    old_card = card_payload(svc, "M2016001", seq=1)
    with svc.session() as s:
        revoke_card(s, "M2016001")
    forged = old_card[:-3] + ("AAA" if not old_card.endswith("AAA") else "BBB")
    cases = [
        (old_card, "Kartu ini sudah diganti", "minta kartu baru Anda di meja layanan"),
        (
            card_payload(svc, "M2016003"),
            "Masa keanggotaan Anda sudah berakhir",
            "perpanjang keanggotaan di meja layanan",
        ),
        (card_payload(svc, "M9999999"), "Kartu tidak dikenal", "tidak terdaftar"),
        (forged, "Kartu ini tidak bisa dipakai", "bukan kartu perpustakaan yang sah"),
    ]
    for text, title, advice in cases:
        kiosk.app.card_seen(text)  # what the scanner posts for a card event
        kiosk.settle()
        assert kiosk.current == "result"
        shown = kiosk.texts()
        assert title in shown and advice in shown, shown
        assert kiosk.screen().kind == "refused"
        assert kiosk.app.sounds.played[-1] == "refused"
        assert kiosk.screen().ids.guest_button.opacity == 1
        kiosk.tap_id("done_button")
    assert visits(kiosk) == []
    with svc.session() as s:
        reasons = [r.reason for r in s.scalars(select(RefusedScan).order_by(RefusedScan.at_utc))]
    assert sorted(reasons) == sorted(["revoked_card", "expired", "unknown_card", "bad_payload"])

    # A refused visitor can come in as a guest from the result screen.
    kiosk.app.card_seen(card_payload(svc, "M2016003"))
    kiosk.settle()
    kiosk.tap_id("guest_button")
    assert kiosk.current == "guest"


def test_result_goes_home_by_itself(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="BACA")
    kiosk.app.card_seen(card_payload(kiosk.app.service, "M2016002"))
    kiosk.settle()
    assert kiosk.current == "result"
    kiosk.later(2)
    assert kiosk.current == "result"
    kiosk.later(3)
    assert kiosk.current == "home"
