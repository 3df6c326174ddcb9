"""Member, group and guest field rules: each lives once, in kiosk.domain."""

from __future__ import annotations

import pytest

from kiosk.domain.groups import check_group_fields, clean_group_code, looks_like_group
from kiosk.domain.guests import check_guest_answers
from kiosk.domain.members import check_member_fields, member_problems


def test_member_fields_give_every_reason_at_once() -> None:
    assert member_problems("M-0042/2016", "Siti", "P", "Umum") == []
    assert member_problems("A 1", " ", "X", "x" * 41) == [
        "member number 'A 1' contains ' ' (allowed: letters, digits, - / . _)",
        "name is empty",
        "gender 'X' is not L/P (or Laki-laki/Perempuan, M/F, 1/0)",
        "member type is longer than 40 characters",
    ]
    with pytest.raises(ValueError, match="must start with a letter or a digit"):
        check_member_fields("-12", "Siti")


def test_group_codes_and_fields() -> None:
    assert clean_group_code("  LKG1:abcd2345 ") == "ABCD2345"
    assert looks_like_group(" LKG1:ABCD2345") and not looks_like_group("LK1:K1:M1:1:X")
    assert check_group_fields("tk", "TK Pertiwi", 20, 2, "Bu Sari", "0812 3456 789") == "TK"
    for args, message in [
        (("KAMPUS", "X", 1, 1), "level must be one of"),
        (("SD", " ", 1, 1), "institution"),
        (("SD", "SD 1", 0, 0), "1 to 1000 in all"),
        (("SD", "SD 1", 1000, 1), "1 to 1000 in all"),
    ]:
        with pytest.raises(ValueError, match=message):
            check_group_fields(*args)


def test_guest_answers_have_no_default() -> None:
    known = {"16.73"}
    check_guest_answers("umum", "L", "16.73", "membaca", None, None, known)
    with pytest.raises(ValueError, match="gender"):
        check_guest_answers("umum", "", "16.73", "membaca", None, None, known)
    with pytest.raises(ValueError, match="origin_other"):
        check_guest_answers("umum", "P", "other", "membaca", " ", None, known)
    with pytest.raises(ValueError, match="unknown origin"):
        check_guest_answers("umum", "P", "99.99", "membaca", None, None, known)
