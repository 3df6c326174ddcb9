"""Guests, school groups, the mini-survey and "rate your visit", tapped through for real."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from kiosk.adapters.db.models import Guest, QueuedSurvey, SurveyAnswer, Visit
from kiosk.domain.clock import local_day
from kiosk.services.groups import add_group
from tests.support.clock import ManualClock
from ui.driver import Driver
from ui.helpers import card_payload


def test_guest_form_then_room(kiosk: Driver) -> None:
    kiosk.tap_id("guest_button", "home")
    assert kiosk.current == "guest"
    guest = kiosk.screen()
    # nothing is pre-answered and the keyboard is hidden until typing is needed
    assert not any(getattr(w, "selected", False) for w in guest.ids.choices.children)
    assert guest.ids.keyboard.opacity == 0
    assert "Anda termasuk yang mana?" in kiosk.texts()
    kiosk.tap_text("Mahasiswa")
    kiosk.tap_text("Perempuan")
    assert "Anda datang dari mana?" in kiosk.texts()
    assert guest.ids.keyboard.opacity == 1
    # neighbours first, before anything is typed
    assert "Kota Lubuklinggau" in kiosk.texts()
    kiosk.type_on(guest.ids.keyboard, "REJANG")
    kiosk.tap_text("Kabupaten Rejang Lebong")
    assert guest.ids.keyboard.opacity == 0
    kiosk.tap_text("Belajar / tugas")
    text = kiosk.texts()
    assert "Sebelum kunjungan Anda kami simpan" in text
    assert "dihapus setelah 365 hari" in text  # settings.guest_retention_days
    kiosk.tap_id("submit_button")
    assert kiosk.current == "rooms"
    kiosk.tap_text("Ruang Baca Umum")
    assert kiosk.current == "result"
    assert "Kunjungan tamu ke Ruang Baca Umum sudah tercatat." in kiosk.texts()
    with kiosk.app.service.session() as s:
        [g] = s.scalars(select(Guest)).all()
        [v] = s.scalars(select(Visit)).all()
    assert (g.category, g.gender, g.origin_code, g.purpose) == (
        "mahasiswa",
        "P",
        "17.02",
        "belajar",
    )
    assert (v.visitor_type, v.room, v.guest_id) == ("guest", "BACA", g.id)


def test_guest_from_somewhere_else_and_back_button(kiosk: Driver) -> None:
    kiosk.tap_id("guest_button", "home")
    kiosk.tap_text("Masyarakat umum")
    kiosk.tap_id("back_button")
    assert "Anda termasuk yang mana?" in kiosk.texts()
    kiosk.tap_text("Masyarakat umum")
    kiosk.tap_text("Laki-laki")
    kiosk.tap_text("Tempat lain (tulis sendiri)")
    assert "Ketik nama tempatnya:" in kiosk.texts()
    pad = kiosk.screen().ids.keyboard
    kiosk.type_on(pad, "KUALA LUMPUR")
    kiosk.tap_key(pad, "OK")
    kiosk.tap_text("Membaca")
    assert "Kuala Lumpur" in kiosk.screen().summary
    kiosk.tap_id("submit_button")
    kiosk.tap_text("Ruang Koleksi")
    with kiosk.app.service.session() as s:
        [g] = s.scalars(select(Guest)).all()
    assert (g.origin_code, g.origin_other) == (None, "Kuala Lumpur")


def test_school_group_headcount(kiosk: Driver) -> None:
    svc = kiosk.app.service
    with svc.session() as s:
        add_group(s, "PUSAT", local_day(svc.clock.now()), "TK Pertiwi 2", "TK", 20, 3)
    kiosk.tap_id("group_button", "home")
    assert kiosk.current == "group"
    assert "TK Pertiwi 2" in kiosk.texts()
    kiosk.tap_text("TK Pertiwi 2")
    group = kiosk.screen()
    assert group.ids.children.value == 20 and group.ids.adults.value == 3
    plus = [w for w in group.ids.children.walk() if getattr(w, "text", "") == "+"][0]
    kiosk.tap(plus)
    kiosk.tap(plus)
    minus = [w for w in group.ids.adults.walk() if getattr(w, "text", "") == "\u2212"][0]
    kiosk.tap(minus)
    assert "Catat 24 pengunjung" in kiosk.texts()
    kiosk.tap_id("confirm_button")
    kiosk.tap_text("Ruang Edukasi Anak")
    assert "24 pengunjung tercatat di Ruang Edukasi Anak. Selamat bersenang-senang!" in (
        kiosk.texts()
    )
    with svc.session() as s:
        [v] = s.scalars(select(Visit)).all()
    assert (v.visitor_type, v.room, v.children, v.adults, v.headcount) == (
        "group",
        "ANAK",
        22,
        2,
        24,
    )


def test_group_qr_on_the_home_screen(kiosk: Driver) -> None:
    svc = kiosk.app.service
    with svc.session() as s:
        g = add_group(s, "PUSAT", local_day(svc.clock.now()), "SD Negeri 5", "SD", 30, 2)
        s.flush()
        qr = "LKG1:" + g.code
    kiosk.app.card_seen(qr)
    kiosk.settle()
    assert kiosk.current == "group"
    assert kiosk.screen().institution == "SD Negeri 5"


def test_mini_survey_after_a_members_welcome(open_kiosk: Callable[..., Driver]) -> None:
    clock = ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    kiosk = open_kiosk(location="BACA", clock=clock, survey_chance=1.0)
    svc = kiosk.app.service
    card = card_payload(svc, "M2016002")
    svc.check_in(card)  # yesterday's visit queues a survey for the next one
    clock.advance(24 * 3600)
    kiosk.app.card_seen(card)
    kiosk.settle()
    text = kiosk.texts()
    assert "Selamat datang, Budi!" in text
    # the member is asked by name on their own welcome; nothing opens by itself
    assert "Budi, bersedia mengisi survei singkat?" in text
    kiosk.later(3)
    assert kiosk.current == "result"
    with svc.session() as s:
        assert s.scalars(select(QueuedSurvey.status)).all() == ["pending"]
    kiosk.tap_id("survey_yes", "result")
    assert kiosk.current == "survey"
    with svc.session() as s:
        assert s.scalars(select(QueuedSurvey.status)).all() == ["shown"]
    survey = kiosk.screen()
    assert len(survey.questions) == svc.settings.survey_elements
    assert survey.question == survey.questions[0].text_id
    words = [f.text for f in survey.ids.faces.children][::-1]
    assert words == ["Tidak baik", "Kurang baik", "Baik", "Sangat baik"]
    for level in (4, 3)[: len(survey.questions)]:
        face = [f for f in survey.ids.faces.children if f.level == level][0]
        kiosk.tap(face)
    assert "Terima kasih!" in kiosk.texts()
    with svc.session() as s:
        assert s.execute(select(QueuedSurvey.status, QueuedSurvey.elements)).all() == [
            ("closed", "")
        ]
        assert len(s.scalars(select(SurveyAnswer)).all()) == len(survey.questions)
    kiosk.later(3.5)
    assert kiosk.current == "home"


def test_survey_no_thanks_is_one_tap(open_kiosk: Callable[..., Driver]) -> None:
    clock = ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    kiosk = open_kiosk(location="BACA", clock=clock, survey_chance=1.0)
    svc = kiosk.app.service
    svc.check_in(card_payload(svc, "M2016001"))
    clock.advance(24 * 3600)
    kiosk.app.card_seen(card_payload(svc, "M2016001"))
    kiosk.settle()
    kiosk.tap_id("survey_no", "result")
    assert kiosk.current == "home"
    with svc.session() as s:
        assert s.execute(select(QueuedSurvey.status, QueuedSurvey.elements)).all() == [
            ("closed", "")
        ]
        assert s.scalars(select(SurveyAnswer)).all() == []


def test_rate_your_visit(kiosk: Driver) -> None:
    kiosk.tap_id("rate_button", "home")
    assert kiosk.current == "survey"
    survey = kiosk.screen()
    assert "Bagaimana kunjungan Anda?" in kiosk.texts()
    for _ in survey.questions:
        kiosk.tap([f for f in survey.ids.faces.children if f.level == 3][0])
    assert survey.thanked
    with kiosk.app.service.session() as s:
        assert len(s.scalars(select(SurveyAnswer)).all()) == len(survey.questions)
