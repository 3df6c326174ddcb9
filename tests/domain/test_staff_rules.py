"""Staff-facing rules without storage: dates as typed, renewals, which cards print, names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk.domain.categories import category_map
from kiosk.domain.dates import parse_date, parse_visit_time
from kiosk.domain.fields import FieldError
from kiosk.domain.groups import GroupStatus, group_status, level_code
from kiosk.domain.members import (
    CardChoice,
    add_months,
    import_warnings,
    name_problem,
    renewed_until,
)

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2027-12-31", "31-12-2027", "31/12/2027", " 31.12.2027 "])
def test_dates_as_staff_type_them(text: str) -> None:
    assert parse_date(text) == date(2027, 12, 31)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12/31/2027", "not a day of the calendar"),
        ("kemarin", "not a date"),
        ("2027-1", "not a date"),
    ],
)
def test_dates_refused_in_staff_words(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_date(text)


def test_visit_time_needs_a_time_and_a_plausible_year() -> None:
    assert parse_visit_time("27-11-2026 09:30", NOW, 2001) == datetime(
        2026, 11, 27, 2, 30, tzinfo=UTC
    )
    assert parse_visit_time("2026-11-27T09:30:00+07:00", NOW, 2001) == datetime(
        2026, 11, 27, 2, 30, tzinfo=UTC
    )
    for text, words in [
        ("2026-11-27", "no time of day"),
        ("1999-01-01 09:30", "before 2001"),
        ("2026-12-03 09:30", "in the future"),
        ("2026-11-27 25:00", "not a time of day"),
        ("2026-11-27 pagi", "hours:minutes"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_visit_time(text, NOW, 2001)
    assert parse_visit_time("1999-01-01 09:30", NOW, 1995).year == 1999


def test_renewal_runs_from_the_end_or_from_today_when_it_has_passed() -> None:
    today = date(2026, 12, 2)
    assert renewed_until(date(2027, 1, 31), today, months=1) == date(2027, 2, 28)
    assert renewed_until(date(2020, 1, 1), today) == date(2027, 12, 2)
    assert renewed_until(None, today, until=date(2028, 6, 30)) == date(2028, 6, 30)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    with pytest.raises(FieldError) as e:
        renewed_until(None, today, until=date(2026, 1, 1))
    assert e.value.field == "until"
    with pytest.raises(FieldError, match="not both"):
        renewed_until(None, today, until=date(2028, 1, 1), months=2)


def test_card_choice_leaves_out_expired_and_suspended_unless_asked() -> None:
    today, reg = date(2026, 12, 2), date(2026, 1, 5)
    default = CardChoice()
    assert default.wants(None, "Umum", False, reg, today)
    assert not default.wants(date(2026, 12, 1), "Umum", False, reg, today)
    assert not default.wants(None, "Umum", True, reg, today)
    assert CardChoice(with_expired=True).wants(date(2026, 12, 1), None, False, reg, today)
    assert CardChoice(category="umum").wants(None, "Umum", False, reg, today)
    assert not CardChoice(category="umum").wants(None, "Pelajar", False, reg, today)
    assert CardChoice(category="pelajar").wants(None, "Siswa", False, reg, today)  # mapped
    assert CardChoice(category="Honorer").wants(None, "HONORER", False, reg, today)  # own name
    assert not CardChoice(category="Honorer").wants(None, "Umum", False, reg, today)
    soon = CardChoice(expiring_before=date(2027, 1, 1))
    assert soon.wants(date(2026, 12, 20), None, False, reg, today)
    assert not soon.wants(None, None, False, reg, today)
    assert not CardChoice(new_since=date(2026, 6, 1)).wants(None, None, False, reg, today)


def test_names_a_card_cannot_hold_are_refused_with_the_reason() -> None:
    assert name_problem("Siti Aminah") == ""
    assert "line break" in name_problem("Siti\nAminah")
    assert "not UTF-8" in name_problem("Siti \udce9")
    assert "the card holds 80" in name_problem("a " * 41)
    assert "longer than 20" in name_problem("Wolfeschlegelsteinhausenbergerdorff")


def test_import_warnings_name_what_to_check() -> None:
    rows = [(2, "A1", "Umum", date(2020, 1, 1)), (3, "A2", "Dosen", None), (4, "A1", "umum", None),
            (5, "A3", "PNS/TNI/Polri", None), (6, "A4", "Honorer", None)]  # fmt: skip
    warnings = import_warnings(rows, date(2026, 12, 2), category_map())
    assert warnings[0].startswith("1 of 5 member(s) expired before 02-12-2026")
    assert "A1 on lines 2, 4" in warnings[1]
    # one vocabulary: the member types SLiMS ships with are known, a library's own is not
    assert "category list: Honorer (1);" in warnings[2] and "Dosen" not in warnings[2]
    mapped = import_warnings(rows, date(2026, 12, 2), category_map({"honorer": "pegawai"}))
    assert len(mapped) == 2


def test_group_levels_and_status() -> None:
    assert [level_code(t) for t in ("mts", " SMK ", "ma", "Universitas")] == [
        "SMP",
        "SMA",
        "SMA",
        "PT",
    ]
    today = date(2026, 12, 2)
    assert group_status(date(2026, 12, 1), today, 0, False) == GroupStatus.MISSED
    assert group_status(date(2026, 12, 3), today, 0, False) == GroupStatus.PLANNED
    assert group_status(today, today, 12, False) == GroupStatus.ARRIVED
    assert group_status(today, today, 0, True) == GroupStatus.CANCELLED


def test_kiosk_questions_are_plain_and_reports_keep_the_regulation_s_words() -> None:
    from kiosk.domain import ikm

    std = ikm.PERMENPANRB_14_2017
    jargon = ("kesesuaian", "prosedur", "prasarana", "kompetensi", "pelaksana", "spesifikasi")
    for e in std.elements:
        assert e.question.startswith("Bagaimana") and e.question_en.startswith("How"), e.code
        assert not any(j in e.question.lower() for j in jargon), e.question
    assert [e.name for e in std.elements][4] == "Produk spesifikasi jenis pelayanan"
