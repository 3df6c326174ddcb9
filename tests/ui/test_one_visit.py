"""A double tap (or a second tap while the visit is being stored) records one visit, not two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.tests.common import UnitTestTouch
from sqlalchemy import select

from kiosk.adapters.db.models import Visit
from kiosk.domain.clock import local_day
from kiosk.services.groups import add_group
from ui.driver import Driver
from ui.helpers import card_payload


def visits(kiosk: Driver) -> list[Visit]:
    with kiosk.app.service.session() as s:
        return list(s.scalars(select(Visit)))


def double_tap(kiosk: Driver, widget: Any) -> None:
    """Two real touches at the widget's centre, the second before the kiosk can answer."""
    x, y = widget.to_window(*widget.center)
    for _ in range(2):
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
    kiosk.pump(0.3)  # a ScrollView hands short taps to its content after a moment
    kiosk.settle()


def find_button(kiosk: Driver, text: str) -> Any:
    from kivy.uix.behaviors import ButtonBehavior

    for w in kiosk.screen().walk(restrict=True):
        if isinstance(w, ButtonBehavior) and getattr(w, "text", None) == text and w.opacity > 0:
            return w
    raise AssertionError(f"no button {text!r}")


def fill_guest_form(kiosk: Driver) -> None:
    kiosk.tap_id("guest_button", "home")
    kiosk.tap_text("Mahasiswa")
    kiosk.tap_text("Perempuan")
    kiosk.tap_text("Kota Lubuk Linggau")
    kiosk.tap_text("Belajar / tugas")


def test_room_double_tap_records_one_guest_visit(kiosk: Driver) -> None:
    fill_guest_form(kiosk)
    kiosk.tap_id("submit_button")
    assert kiosk.current == "rooms"
    double_tap(kiosk, find_button(kiosk, "Ruang Baca Umum"))
    assert kiosk.current == "result"
    assert [v.visitor_type for v in visits(kiosk)] == ["guest"]


def test_room_double_tap_records_one_member_visit(kiosk: Driver) -> None:
    kiosk.app.card_seen(card_payload(kiosk.app.service, "M2016002"))
    kiosk.settle()
    assert kiosk.current == "rooms"
    double_tap(kiosk, find_button(kiosk, "Ruang Baca Umum"))
    assert len(visits(kiosk)) == 1
    assert kiosk.screen().kind == "accepted"  # not flipped to "already recorded"
    assert "Selamat datang, Budi!" in kiosk.texts()


def test_guest_submit_double_tap_at_a_room_kiosk(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="BACA")
    fill_guest_form(kiosk)
    double_tap(kiosk, kiosk.screen().ids.submit_button)
    assert kiosk.current == "result"
    assert [(v.visitor_type, v.room) for v in visits(kiosk)] == [("guest", "BACA")]
    # the next guest can use the form again
    kiosk.tap_id("done_button")
    fill_guest_form(kiosk)
    assert not kiosk.screen().ids.submit_button.disabled
    kiosk.tap_id("submit_button")
    assert len(visits(kiosk)) == 2


def test_group_confirm_double_tap_at_a_room_kiosk(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="ANAK")
    svc = kiosk.app.service
    with svc.session() as s:
        add_group(s, "PUSAT", local_day(svc.clock.now()), "TK Pertiwi 2", "TK", 20, 3)
    kiosk.tap_id("group_button", "home")
    kiosk.tap_text("TK Pertiwi 2")
    double_tap(kiosk, kiosk.screen().ids.confirm_button)
    assert kiosk.current == "result"
    assert kiosk.screen().kind == "accepted"  # a second check-in would say "already recorded"
    assert [(v.visitor_type, v.headcount) for v in visits(kiosk)] == [("group", 23)]


def test_keypad_ok_double_tap_at_a_room_kiosk(open_kiosk: Callable[..., Driver]) -> None:
    kiosk = open_kiosk(location="BACA")
    kiosk.tap_id("keypad_button", "home")
    keypad = kiosk.screen()
    kiosk.tap_id("letters_button")
    kiosk.type_on(keypad.ids.pad, "M")
    kiosk.tap_id("letters_button")
    kiosk.type_on(keypad.ids.pad, "2016002")
    ok = next(w for w in keypad.ids.pad.walk(restrict=True) if getattr(w, "key", None) == "OK")
    double_tap(kiosk, ok)
    assert kiosk.current == "result"
    assert kiosk.screen().kind == "accepted"  # a second check-in would say "already recorded"
    assert len(visits(kiosk)) == 1
