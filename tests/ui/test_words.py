"""Every word on the screens has both languages in the .po catalogues, refusals included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.domain.vocab import REFUSAL_WORDS, Refusal
from kiosk.i18n import catalog, gettext
from kiosk.services.checkin import Decision
from kiosk.services.groups import LEVELS
from kiosk.services.guests import CATEGORIES, GENDERS, PURPOSES
from kiosk.ui.screens.result import REFUSALS
from ui.driver import Driver


def in_both_languages(msgid: str) -> bool:
    return msgid in catalog("id") and msgid in catalog("en")


@pytest.mark.parametrize("reason", list(Refusal))
def test_every_refusal_has_words_on_the_result_and_staff_screens(reason: Refusal) -> None:
    title, advice = REFUSALS[reason]
    assert in_both_languages(title) and in_both_languages(advice), reason
    assert in_both_languages(REFUSAL_WORDS[reason]), reason


def test_the_result_screen_says_each_refusal_in_both_languages(kiosk: Driver) -> None:
    for lang in ("id", "en"):
        kiosk.app.switch_language(lang)
        for reason in Refusal:
            refused = Decision(reason.value, datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
            kiosk.app.show_decision(refused)
            kiosk.settle()
            result = kiosk.screen("result")
            title, advice = REFUSALS[reason]
            assert (result.title, result.message) == (gettext(title, lang), gettext(advice, lang))
            assert result.kind == "refused"


def test_guest_and_group_choices_have_both_languages() -> None:
    for table in (CATEGORIES, GENDERS, PURPOSES, LEVELS):
        for code, msgid in table.items():
            assert in_both_languages(msgid), code
            assert gettext(msgid, "id") != msgid or code in ("TK", "SD", "SMP"), code
