"""The mini-survey belongs to one member: the next visitor is never held up by it, a survey that
never reached the screen waits for the member's next visit, and leaving it closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from kiosk.adapters.db.models import Member, QueuedSurvey, SurveyAnswer
from tests.support.clock import ManualClock
from ui.driver import Driver
from ui.helpers import card_payload

DAY = 24 * 3600
INVITE = "Budi, bersedia mengisi survei singkat?"


def kiosk_with_a_survey_due(open_kiosk: Callable[..., Driver]) -> tuple[Driver, ManualClock]:
    """A room kiosk; Budi came yesterday, so a mini-survey waits for his visit today."""
    clock = ManualClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    kiosk = open_kiosk(location="BACA", clock=clock, survey_chance=1.0)
    svc = kiosk.app.service
    svc.check_in(card_payload(svc, "M2016002"))
    clock.advance(DAY)
    return kiosk, clock


def budis_survey(kiosk: Driver) -> tuple[str, str]:
    with kiosk.app.service.session() as s:
        row = s.execute(
            select(QueuedSurvey.status, QueuedSurvey.elements)
            .join(Member, Member.id == QueuedSurvey.member_id)
            .where(Member.number == "M2016002")
        ).one()
    return row.status, row.elements


def answers(kiosk: Driver) -> list[tuple[str, int]]:
    with kiosk.app.service.session() as s:
        return [(a.element, a.value) for a in s.scalars(select(SurveyAnswer))]


def scan(kiosk: Driver, number: str) -> None:
    kiosk.app.card_seen(card_payload(kiosk.app.service, number))
    kiosk.settle()


def tap_face(kiosk: Driver, level: int) -> None:
    kiosk.tap([f for f in kiosk.screen("survey").ids.faces.children if f.level == level][0])


def test_an_ignored_invitation_waits_for_the_next_visit(
    open_kiosk: Callable[..., Driver],
) -> None:
    kiosk, clock = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    assert INVITE in kiosk.texts()
    kiosk.later(11)  # Budi walked in without answering
    assert kiosk.current == "home"
    assert budis_survey(kiosk)[0] == "pending"  # never on screen: not "shown"
    clock.advance(DAY)
    scan(kiosk, "M2016002")
    assert INVITE in kiosk.texts()


def test_the_next_card_during_the_invitation(open_kiosk: Callable[..., Driver]) -> None:
    kiosk, _ = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    assert INVITE in kiosk.texts()
    scan(kiosk, "M2016001")  # Siti is next in line
    text = kiosk.texts()
    assert "Selamat datang, Siti!" in text
    assert "bersedia menjawab" not in text  # Siti has no survey due; Budi's is not hers
    assert kiosk.screen("result").invitation == ""
    assert budis_survey(kiosk)[0] == "pending"  # Budi is asked at his next visit


def test_the_next_card_on_the_survey_screen(open_kiosk: Callable[..., Driver]) -> None:
    kiosk, _ = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    kiosk.tap_id("survey_yes", "result")
    assert kiosk.current == "survey"
    first = kiosk.screen().questions[0].code
    tap_face(kiosk, 4)
    scan(kiosk, "M2016002")  # Budi's own card again: he is still answering
    assert kiosk.current == "survey"
    scan(kiosk, "M2016001")  # Siti does not have to answer Budi's second question
    assert kiosk.current == "result"
    assert "Selamat datang, Siti!" in kiosk.texts()
    assert budis_survey(kiosk) == ("closed", "")
    assert answers(kiosk) == [(first, 4)]  # the answer Budi gave is kept


def test_leaving_the_survey_idle_closes_it(open_kiosk: Callable[..., Driver]) -> None:
    kiosk, _ = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    kiosk.tap_id("survey_yes", "result")
    kiosk.later(21)  # the idle reset
    assert kiosk.current == "home"
    assert budis_survey(kiosk) == ("closed", "")  # a skip: closed, no answer
    assert answers(kiosk) == []


def test_idle_after_one_answer_keeps_it(open_kiosk: Callable[..., Driver]) -> None:
    kiosk, _ = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    kiosk.tap_id("survey_yes", "result")
    first = kiosk.screen().questions[0].code
    tap_face(kiosk, 2)
    kiosk.later(21)
    assert kiosk.current == "home"
    assert budis_survey(kiosk) == ("closed", "")
    assert answers(kiosk) == [(first, 2)]


def test_skip_on_the_survey_screen(open_kiosk: Callable[..., Driver]) -> None:
    kiosk, _ = kiosk_with_a_survey_due(open_kiosk)
    scan(kiosk, "M2016002")
    kiosk.tap_id("survey_yes", "result")
    kiosk.tap_id("skip_button", "survey")
    assert kiosk.current == "home"
    assert budis_survey(kiosk) == ("closed", "")
    assert answers(kiosk) == []
