"""The check-in decision as a pure function: no database, no clock, only plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.domain.cards import Keyring, make_payload
from kiosk.domain.checkin import (
    KnownGroup,
    KnownMember,
    Moment,
    PastVisit,
    Rules,
    decide,
    decide_group,
    excerpt,
)
from kiosk.domain.groups import Headcount
from kiosk.domain.vocab import Admitted, Refusal, VisitorType

KEYS = Keyring("K1", {"K1": bytes(range(32))})
RULES = Rules("PUSAT", KEYS)
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 WIB
LIVE = Moment(NOW, mono=5000.0)
SITI = KnownMember("M001", "Siti Aminah", card_seq=2, expires=date(2027, 1, 1), category="Umum")
CARD = make_payload("M001", 2, KEYS)


def test_a_first_visit_is_a_welcome() -> None:
    d = decide(CARD, SITI, [], "BACA", LIVE, RULES)
    assert (d.decision, d.member, d.member_name, d.room) == (
        Admitted.WELCOME,
        "M001",
        "Siti Aminah",
        "BACA",
    )
    assert d.accepted and d.stores_visit and d.headcount == 1 and not d.counted


def test_this_process_remembers_on_the_monotonic_clock() -> None:
    seen = PastVisit("BACA", NOW - timedelta(minutes=29), mono=5000.0 - 29 * 60)
    d = decide(CARD, SITI, [seen], "BACA", LIVE, RULES)
    assert (d.decision, d.stores_visit, d.headcount) == (Admitted.WELCOME_BACK, False, 0)
    later = Moment(NOW, mono=5000.0 + 60)
    assert decide(CARD, SITI, [seen], "BACA", later, RULES).decision is Admitted.WELCOME


def test_a_wall_clock_jump_neither_doubles_nor_drops() -> None:
    # The wall clock jumped two hours ahead after the visit; monotonic time moved 5 minutes.
    seen = PastVisit("BACA", NOW - timedelta(hours=2), mono=5000.0 - 300)
    assert decide(CARD, SITI, [seen], "BACA", LIVE, RULES).decision is Admitted.WELCOME_BACK
    # It jumped back: the stored time looks recent, monotonic time says the window is over.
    back = PastVisit("BACA", NOW + timedelta(minutes=5), mono=5000.0 - 3600)
    assert decide(CARD, SITI, [back], "BACA", LIVE, RULES).decision is Admitted.WELCOME


def test_without_memory_the_stored_times_near_now_count() -> None:
    stored = PastVisit("BACA", NOW - timedelta(minutes=10))
    assert decide(CARD, SITI, [stored], "BACA", LIVE, RULES).decision is Admitted.WELCOME_BACK
    # A visit stored by a clock that once ran far ahead does not block check-ins forever.
    ahead = PastVisit("BACA", NOW + timedelta(days=3))
    assert decide(CARD, SITI, [ahead], "BACA", LIVE, RULES).decision is Admitted.WELCOME


def test_another_room_today_is_a_move_and_tomorrow_a_welcome() -> None:
    earlier = PastVisit("KOL", NOW - timedelta(hours=2))
    assert decide(CARD, SITI, [earlier], "BACA", LIVE, RULES).decision is Admitted.MOVED
    yesterday = PastVisit("KOL", NOW - timedelta(days=1))
    assert decide(CARD, SITI, [yesterday], "BACA", LIVE, RULES).decision is Admitted.WELCOME


def test_back_entered_visits_ignore_memory_and_the_future() -> None:
    paper = Moment(NOW - timedelta(days=5))
    seen = PastVisit("BACA", NOW, mono=5000.0)
    later_that_day = PastVisit("BACA", paper.at + timedelta(minutes=10))
    d = decide(CARD, SITI, [seen, later_that_day], "BACA", paper, RULES)
    assert d.decision is Admitted.WELCOME and d.at == paper.at


@pytest.mark.parametrize(
    ("member", "text", "reason"),
    [
        (None, CARD, Refusal.UNKNOWN_CARD),
        (SITI, make_payload("M001", 1, KEYS), Refusal.REVOKED_CARD),
        (SITI, make_payload("M001", 3, KEYS), Refusal.BAD_PAYLOAD),
        (SITI, CARD[:-1] + ("A" if CARD[-1] != "A" else "B"), Refusal.BAD_PAYLOAD),
        (SITI, "https://example.org/poster", Refusal.BAD_PAYLOAD),
        (SITI, "M001", Refusal.BAD_PAYLOAD),  # a bare number from the camera is not a card
        (KnownMember("M001", "Siti", 2, suspended=True), CARD, Refusal.SUSPENDED),
        (KnownMember("M001", "Siti", 2, expires=date(2026, 11, 24)), CARD, Refusal.EXPIRED),
    ],
)
def test_refusals(member: KnownMember | None, text: str, reason: Refusal) -> None:
    d = decide(text, member, [], "BACA", LIVE, RULES)
    assert (d.decision, d.accepted, d.stores_visit, d.room) == (reason, False, False, "BACA")
    assert d.detail


def test_membership_is_valid_through_its_last_day() -> None:
    last_day = KnownMember("M001", "Siti", 2, expires=date(2026, 11, 25))
    assert decide(CARD, last_day, [], "BACA", LIVE, RULES).accepted


def test_a_bare_number_counts_when_typed_or_from_an_old_barcode_where_allowed() -> None:
    assert decide("M001", SITI, [], "BACA", LIVE, RULES, "keypad").accepted
    assert not decide("M001", SITI, [], "BACA", LIVE, RULES, "barcode").accepted
    legacy = Rules("PUSAT", KEYS, legacy_barcodes=True)
    assert decide("M001", SITI, [], "BACA", LIVE, legacy, "barcode").accepted


def test_groups() -> None:
    tk = KnownGroup("ABCD2345", "PUSAT", date(2026, 11, 25), "TK")
    heads = Headcount(18, 3, 10, 8)
    d = decide_group("ABCD2345", tk, [], "ANAK", LIVE, RULES, heads)
    assert (d.decision, d.visitor_type, d.headcount) == (Admitted.WELCOME, VisitorType.GROUP, 21)
    seen = PastVisit("ANAK", NOW, mono=5000.0)
    again = decide_group("ABCD2345", tk, [seen], "ANAK", LIVE, RULES, heads)
    assert (again.decision, again.headcount) == (Admitted.WELCOME_BACK, 0)
    elsewhere = KnownGroup("ABCD2345", "CABANG1", date(2026, 11, 25), "TK")
    tomorrow = KnownGroup("ABCD2345", "PUSAT", date(2026, 11, 26), "TK")
    for group, reason in ((None, Refusal.UNKNOWN_GROUP), (elsewhere, Refusal.UNKNOWN_GROUP),
                          (tomorrow, Refusal.WRONG_DAY)):  # fmt: skip
        assert decide_group("ABCD2345", group, [], "ANAK", LIVE, RULES, heads).decision is reason


@pytest.mark.parametrize(
    ("children", "adults", "boys", "girls"),
    [(0, 0, None, None), (-1, 3, None, None), (900, 101, None, None), (10, 2, 5, None),
     (10, 2, 5, 6)],
)  # fmt: skip
def test_impossible_headcounts_are_refused(
    children: int, adults: int, boys: int | None, girls: int | None
) -> None:
    with pytest.raises(ValueError):
        Headcount(children, adults, boys, girls)


def test_the_refusal_log_never_keeps_a_working_card_code() -> None:
    assert excerpt(CARD) == "LK1:K1:M001:2:*"
    # Digits: runs of letters (A-Z, 2-7) look like a signature and are masked (domain.redact).
    assert excerpt("9" * 100).endswith("…") and len(excerpt("9" * 100)) == 61
    assert excerpt("x" * 100) == "*"
