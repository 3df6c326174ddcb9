"""Mini-survey queue, visit ratings and paper forms, on real SQLite (and PostgreSQL when set)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from random import Random

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from kiosk.adapters.db.models import Member, QueuedSurvey, SurveyAnswer, SurveyRespondent
from kiosk.adapters.files.member_file import ImportFileError
from kiosk.domain import ikm
from kiosk.domain.cards import make_payload
from kiosk.domain.clock import parse_at
from kiosk.services import members, surveys
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock

DAY = 24 * 3600


@pytest.fixture
def svc(service: KioskService) -> KioskService:
    service.settings = dataclasses.replace(
        service.settings,
        survey_chance=1.0,
        survey_min_days=30,
        survey_elements=2,
        survey_expire_days=14,
    )
    service.survey_rng = Random(7)
    with service.session() as s:
        for i in range(1, 61):
            members.add_member(s, f"M{i:03d}", f"Anggota {i}", "LP"[i % 2], "Umum")
    return service


def scan(svc: KioskService, number: str, room: str = "BACA"):
    return svc.check_in(make_payload(number, 1, svc.desk.keyring), room)


def queue(svc: KioskService) -> list[QueuedSurvey]:
    with svc.sessions() as s:
        return list(s.scalars(select(QueuedSurvey).order_by(QueuedSurvey.queued_at)))


def answers(svc: KioskService) -> list[SurveyAnswer]:
    with svc.sessions() as s:
        return list(s.scalars(select(SurveyAnswer)))


def test_queued_after_a_visit_and_shown_once_at_the_next_visit(
    svc: KioskService, clock: ManualClock
) -> None:
    assert scan(svc, "M001").decision == "welcome"
    [row] = queue(svc)
    assert row.status == "pending" and len(row.elements.split(",")) == 2
    # Not at the same visit (a room change on the same day is the same library visit).
    assert scan(svc, "M001", "KOL").decision == "moved"
    assert svc.survey_for("M001") is None
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    assert prompt is not None and prompt.id == row.id
    std = ikm.PERMENPANRB_14_2017
    assert [q.code for q in prompt.questions] == row.elements.split(",")
    for q in prompt.questions:
        assert q.text_id == std.element(q.code).question
        assert q.text_en == std.element(q.code).question_en
    assert [a.value for a in prompt.answers] == [1, 2, 3, 4]
    # Looking is not showing: until the survey screen appears it stays pending.
    assert queue(svc)[0].status == "pending"
    assert svc.survey_for("M001").id == row.id
    assert svc.survey_shown(prompt.id)
    assert queue(svc)[0].status == "shown"
    assert svc.survey_for("M001") is None  # shown once only
    assert not svc.survey_shown(prompt.id)


def test_a_survey_that_never_reached_the_screen_is_offered_again(
    svc: KioskService, clock: ManualClock
) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    first = svc.survey_for("M001")  # looked up, but the next visitor's card came first
    clock.advance(DAY)
    again = svc.survey_for("M001")
    assert again is not None and again.id == first.id


def test_never_shown_to_anyone_else(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    svc.settings = dataclasses.replace(svc.settings, survey_chance=0.0)
    scan(svc, "M002")
    clock.advance(DAY)
    assert svc.survey_for("M002") is None
    assert svc.survey_for("NOBODY") is None
    assert svc.survey_for("M001") is not None


def test_answers_are_stored_apart_from_the_member(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    first, second = (q.code for q in prompt.questions)
    svc.answer_survey(prompt.id, {first: 4, second: 3})
    stored = answers(svc)
    assert sorted((a.element, a.value, a.channel) for a in stored) == sorted(
        [(first, 4, "mini"), (second, 3, "mini")]
    )
    assert {a.local_day for a in stored} == {date(2026, 11, 26)}
    # No column of the answer or respondent tables can point at a member or a queue row.
    for model in (SurveyAnswer, SurveyRespondent):
        cols = {c.key for c in inspect(model).columns}
        assert not cols & {"member_id", "prompt_id", "queue_id", "at_utc", "name"}
    assert queue(svc)[0].status == "closed"
    with pytest.raises(ValueError, match="already closed"):
        svc.answer_survey(prompt.id, {first: 1})


def _rows_naming(svc: KioskService, member_id: object) -> list[tuple[str, dict]]:
    """Every row of every table that holds the member's id in any column."""
    found = []
    with svc.sessions() as s:
        for table in SurveyAnswer.metadata.sorted_tables:
            for row in s.execute(select(table)).mappings():
                if member_id in row.values():
                    found.append((table.name, dict(row)))
    return found


def test_after_answering_nothing_links_the_member_to_the_answers(
    svc: KioskService, clock: ManualClock
) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    scan(svc, "M001")
    prompt = svc.survey_for("M001")
    svc.survey_shown(prompt.id)
    first, second = (q.code for q in prompt.questions)
    svc.answer_survey(prompt.id, {first: 4, second: 1})
    with svc.sessions() as s:
        member_id = s.scalar(select(Member.id).where(Member.number == "M001"))
        respondent_ids = set(s.scalars(select(SurveyRespondent.id)))
    assert len(respondent_ids) == 1
    rows = _rows_naming(svc, member_id)
    assert {name for name, _ in rows} >= {"members", "visits", "survey_queue"}
    for name, row in rows:
        values = {str(v) for v in row.values() if v is not None}
        # no element asked, no answer value given, no "answered", no respondent or prompt id
        assert not values & {first, second, "answered", "skipped", "shown"}, (name, row)
        assert not values & {str(r) for r in respondent_ids}, (name, row)
        if name == "survey_queue":
            assert (row["status"], row["elements"]) == ("closed", "")
    # and the answer side names neither the member nor the prompt
    answer_side = {str(v) for v in _answer_side_values(svc)}
    assert str(prompt.id) not in answer_side and str(member_id) not in answer_side
    assert {first, second} <= answer_side  # (the answers themselves are there, anonymous)


def _answer_side_values(svc: KioskService) -> list[object]:
    with svc.sessions() as s:
        out: list[object] = []
        for model in (SurveyAnswer, SurveyRespondent):
            for row in s.execute(select(model.__table__)).mappings():
                out.extend(row.values())
        return out


def test_answered_skipped_and_expired_look_the_same(svc: KioskService, clock: ManualClock) -> None:
    for number in ("M001", "M002", "M003"):
        scan(svc, number)
    clock.advance(DAY)
    answered = svc.survey_for("M001")
    svc.survey_shown(answered.id)
    svc.answer_survey(answered.id, {answered.questions[0].code: 3})
    skipped = svc.survey_for("M002")
    svc.survey_shown(skipped.id)
    svc.skip_survey(skipped.id)
    clock.advance(14 * DAY)
    assert svc.survey_for("M003") is None  # M003 never came back: expired
    assert {(r.status, r.elements) for r in queue(svc)} == {("closed", "")}


def test_partial_answers_and_bad_answers(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    first, second = (q.code for q in prompt.questions)
    other = next(c for c in ikm.PERMENPANRB_14_2017.codes if c not in (first, second))
    for bad in ({first: 5}, {first: 0}, {first: True}, {other: 3}, {}):
        with pytest.raises(ValueError):
            svc.answer_survey(prompt.id, bad)
    assert answers(svc) == []
    svc.answer_survey(prompt.id, {first: 2})  # the second question left unanswered
    assert [(a.element, a.value) for a in answers(svc)] == [(first, 2)]


def test_skip_is_a_skip_not_an_answer(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    svc.skip_survey(prompt.id)
    assert (queue(svc)[0].status, queue(svc)[0].elements) == ("closed", "")
    assert answers(svc) == []
    with svc.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SurveyRespondent)) == 0


def test_expires_when_not_shown_in_time(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(15 * DAY)
    assert svc.survey_for("M001") is None
    assert (queue(svc)[0].status, queue(svc)[0].elements) == ("closed", "")


def test_rows_closed_the_old_way_cannot_come_back(svc: KioskService, clock: ManualClock) -> None:
    # Migration 0003 closes "answered"/"skipped"/"expired" rows of older kiosks
    # (tests/store/test_upgrade.py); since then the database refuses those words.
    scan(svc, "M001")
    with pytest.raises(IntegrityError), svc.session() as s:
        s.scalars(select(QueuedSurvey)).one().status = "answered"
    assert {(r.status, bool(r.elements)) for r in queue(svc)} == {("pending", True)}


def test_a_shown_survey_left_open_expires_too(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    assert svc.survey_shown(prompt.id)  # then the kiosk lost power before an answer
    clock.advance(13 * DAY)
    svc.survey_for("M002")  # anyone's next scan closes what is overdue
    assert (queue(svc)[0].status, queue(svc)[0].elements) == ("closed", "")
    with pytest.raises(ValueError, match="already closed"):
        svc.skip_survey(prompt.id)


def test_at_most_one_survey_per_member_per_period(svc: KioskService, clock: ManualClock) -> None:
    scan(svc, "M001")
    clock.advance(DAY)
    svc.skip_survey(svc.survey_for("M001").id)
    for _ in range(28):
        clock.advance(DAY)
        scan(svc, "M001")
    assert len(queue(svc)) == 1  # 29 days after the first one
    clock.advance(DAY)
    scan(svc, "M001")
    assert len(queue(svc)) == 2


def test_only_live_counted_member_visits_queue(svc: KioskService, clock: ManualClock) -> None:
    svc.settings = dataclasses.replace(svc.settings, survey_min_days=0)
    scan(svc, "M001")
    clock.advance(60)
    assert scan(svc, "M001").decision == "welcome_back"
    svc.guest_check_in(GuestForm("umum", "P", "16.73", "membaca"), "BACA")
    at = parse_at("2026-11-25T09:00")
    svc.check_in(make_payload("M002", 1, svc.desk.keyring), "BACA", at=at, source="paper")
    assert [r.member_id is not None for r in queue(svc)] == [True]
    assert scan(svc, "M999").decision == "unknown_card"
    assert len(queue(svc)) == 1


def test_chance_zero_never_queues(svc: KioskService, clock: ManualClock) -> None:
    svc.settings = dataclasses.replace(svc.settings, survey_chance=0.0)
    for i in range(1, 11):
        scan(svc, f"M{i:03d}")
    assert queue(svc) == []


def test_elements_rotate_so_each_gathers_answers_evenly(
    svc: KioskService, clock: ManualClock
) -> None:
    # 45 members x 2 elements = 90 questions over 9 elements: 10 each, as pick_elements promises
    # when the queue counts what is already asked.
    for i in range(1, 46):
        scan(svc, f"M{i:03d}")
    asked = Counter(c for r in queue(svc) for c in r.elements.split(","))
    assert set(asked) == set(ikm.PERMENPANRB_14_2017.codes)
    assert set(asked.values()) == {10}
    # Answers count too: answer U1 many times elsewhere and it is asked last.
    with svc.session() as s:
        for _ in range(30):
            surveys.record_answers(
                s, ikm.PERMENPANRB_14_2017, {"U1": 4}, ("U1",), date(2026, 11, 25), "PUSAT", "paper"
            )
    clock.advance(DAY)
    scan(svc, "M046")
    assert "U1" not in queue(svc)[-1].elements.split(",")


def test_rating_is_anonymous_and_checked(svc: KioskService) -> None:
    qs = svc.rating_questions()
    assert len(qs) == 2 and all(q.code in ikm.PERMENPANRB_14_2017.codes for q in qs)
    svc.record_rating({qs[0].code: 4, qs[1].code: None})
    [a] = answers(svc)
    assert (a.element, a.value, a.channel, a.site) == (qs[0].code, 4, "rating", "PUSAT")
    with pytest.raises(ValueError):
        svc.record_rating({"U10": 3})  # not an element of the 2017 standard
    with pytest.raises(ValueError):
        svc.record_rating({"U1": 7})


def test_2004_standard_from_settings(svc: KioskService, clock: ManualClock) -> None:
    svc.settings = dataclasses.replace(svc.settings, survey_standard="2004", survey_elements=3)
    scan(svc, "M001")
    clock.advance(DAY)
    prompt = svc.survey_for("M001")
    assert prompt.standard == ikm.KEPMENPAN_25_2004.code and len(prompt.questions) == 3


# --- paper forms (pure parsing) --------------------------------------------------------------


def test_paper_file_excel_semicolons_cp1252_with_profile() -> None:
    text = (
        "sep=;\r\n"
        "No;Nama;Tanggal;Jenis kelamin;Umur;Pendidikan;Pekerjaan;U1;U2;U3;U4;U5;U6;U7;U8;U9\r\n"
        "1;Séna;05/11/2025;L;20-29;SMA;Pelajar/mahasiswa;4;3;3;;4;4;3;3;4\r\n"
        "2;;;Perempuan;30-39;S1;PNS;3;3;2;3;3;3;3;3;3\r\n"
        ";;;;;;;;;;;;;;;\r\n"
    ).encode("cp1252")
    result = surveys.parse_paper_file(text, ikm.PERMENPANRB_14_2017, date(2025, 11, 20))
    assert result.ok and result.encoding == "cp1252" and result.delimiter == ";"
    first, second = result.rows
    assert first.line == 3 and first.day == date(2025, 11, 5) and "U4" not in first.answers
    assert first.profile == {
        "gender": "L",
        "age_band": "20-29",
        "education": "SMA",
        "occupation": "Pelajar/mahasiswa",
    }
    assert second.day == date(2025, 11, 20) and second.profile["gender"] == "P"
    assert any("names are never stored" in w for w in result.warnings)


def test_paper_file_refuses_rows_with_line_numbers() -> None:
    data = b"U1,U2,U3,U4,U5,U6,U7,U8,U9,gender\n4,4,4,4,4,4,4,4,4,L\n5,4,,,,,,,,L\n,,,,,,,,,X\n"
    result = surveys.parse_paper_file(data, ikm.PERMENPANRB_14_2017, date(2025, 11, 1))
    assert not result.ok
    assert [(r.line, r.reason.split(" ")[0]) for r in result.refused] == [(3, "U1"), (4, "no")]
    assert "gender 'X'" in result.refused[1].reason


def test_paper_file_whole_file_problems() -> None:
    std17, std04 = ikm.PERMENPANRB_14_2017, ikm.KEPMENPAN_25_2004
    with pytest.raises(ImportFileError, match="U10"):
        surveys.parse_paper_file(b"U1,U10\n1,2\n", std17, date(2025, 1, 1))
    with pytest.raises(ImportFileError, match="--date"):
        surveys.parse_paper_file(b"U1,U2\n1,2\n", std04, None)
    with pytest.raises(ImportFileError, match="unknown column"):
        surveys.parse_paper_file(b"U1,kesan\n1,bagus\n", std17, date(2025, 1, 1))
    with pytest.raises(ImportFileError, match="Excel workbook"):
        surveys.parse_paper_file(b"PK\x03\x04rest", std17, date(2025, 1, 1))
    ok = surveys.parse_paper_file(b"u01;Unsur_14\n1;4\n", std04, date(2025, 1, 1))
    assert ok.rows[0].answers == {"U1": 1, "U14": 4}


def test_store_paper_keeps_the_profile_per_respondent(svc: KioskService) -> None:
    data = b"U1,U2,gender,age_band\n4,3,P,40-49\n2,,L,\n"
    result = surveys.parse_paper_file(data, ikm.PERMENPANRB_14_2017, date(2025, 11, 1))
    with svc.session() as s:
        assert surveys.store_paper(s, result, "PUSAT") == 2
    with svc.sessions() as s:
        people = s.scalars(select(SurveyRespondent).order_by(SurveyRespondent.gender)).all()
        assert [(p.gender, p.age_band, p.channel) for p in people] == [
            ("L", None, "paper"),
            ("P", "40-49", "paper"),
        ]
        n = s.scalar(select(func.count()).select_from(SurveyAnswer))
    assert n == 3
    assert people[0].local_day == date(2025, 11, 1)
