"""Guest check-in: category, gender, origin, purpose, then the privacy notice.

One question per step, big choices, nothing pre-answered. The keyboard appears only in the
origin step, where a place is searched or written in.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.services.guests import (
    CATEGORIES,
    GENDERS,
    OTHER_ORIGIN,
    PURPOSES,
    GuestForm,
    origins,
    origins_by_code,
    search_origins,
)
from kiosk.ui import widgets as W
from kiosk.ui.i18n import N_, tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("guest")

STEPS = ("category", "gender", "origin", "purpose", "privacy")
QUESTIONS = {
    "category": N_("Which describes you best?"),
    "gender": N_("Are you…"),
    "origin": N_("Where do you come from?"),
    "purpose": N_("What brings you to the library today?"),
    "privacy": N_("Before we save your visit"),
}
SHOWN_ORIGINS = 6


class GuestScreen(KioskScreen):
    step = NumericProperty(0)
    question = StringProperty("")
    search = StringProperty("")
    typing_other = BooleanProperty(False)
    privacy_text = StringProperty("")
    summary = StringProperty("")
    sending = BooleanProperty(False)  # submitted: a second tap must not record the guest twice

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answers: dict[str, str] = {}

    def enter(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sending = False
        self.answers = {}
        self.search = ""
        self.typing_other = False
        self.step = 0
        self.render()

    @property
    def step_name(self) -> str:
        return STEPS[self.step]

    def on_language(self) -> None:
        self.render()

    def on_search(self, *_: Any) -> None:
        if self.step_name == "origin":
            self.render_origins()

    # --- rendering ------------------------------------------------------------------------
    def render(self) -> None:
        name = self.step_name
        self.question = tr._(QUESTIONS[name])
        box = self.ids.choices
        box.clear_widgets()
        if name in ("category", "gender", "purpose"):
            options = {"category": CATEGORIES, "gender": GENDERS, "purpose": PURPOSES}[name]
            box.cols = 2 if name == "gender" else 3
            for code, msgid in options.items():
                box.add_widget(self._choice(name, code, tr._(msgid)))
        elif name == "origin":
            self.render_origins()
        else:
            self.privacy_text = tr._(
                "The library keeps only these answers: who you are (category), gender, "
                "where you come from and why you came. They are used to count visitors and "
                "plan services, never to identify you. What you wrote yourself is erased "
                "after {days} days; the counts stay. (UU No. 27 Tahun 2022)"
            ).format(days=self.app.settings.guest_retention_days)
            self.summary = self._summary()

    def _choice(self, field: str, code: str, text: str, sub: str = "") -> W.TileButton:
        tile = W.TileButton(
            text=text,
            subtext=sub,
            value=code,
            font_size="26sp",
            selected=self.answers.get(field) == code,
            size_hint_y=None,
            height="110dp",
        )
        tile.bind(on_release=lambda t: self.answer(field, t.value))
        return tile

    def render_origins(self) -> None:
        box = self.ids.choices
        box.clear_widgets()
        box.cols = 1
        if self.typing_other:
            return
        found = (
            search_origins(self.search, SHOWN_ORIGINS)
            if self.search.strip()
            else list(origins()[:SHOWN_ORIGINS])
        )
        for place in found[: SHOWN_ORIGINS - 1]:
            tile = self._choice("origin", place.code, place.name, place.province)
            tile.height = "76dp"
            tile.font_size = "22sp"
            tile.padding = "6dp"
            tile.spacing = 0
            box.add_widget(tile)
        other = self._choice("origin", OTHER_ORIGIN, tr._("Somewhere else (write it)"))
        other.height = "76dp"
        other.font_size = "22sp"
        box.add_widget(other)

    def _summary(self) -> str:
        a = self.answers
        if len(a) < 4:
            return ""
        origin = (
            a.get("origin_other", "")
            if a["origin"] == OTHER_ORIGIN
            else origins_by_code()[a["origin"]].name
        )
        return "  \u2022  ".join(
            [
                tr._(CATEGORIES[a["category"]]),
                tr._(GENDERS[a["gender"]]),
                origin,
                tr._(PURPOSES[a["purpose"]]),
            ]
        )

    # --- answers --------------------------------------------------------------------------
    def answer(self, field: str, code: str) -> None:
        if field == "origin" and code == OTHER_ORIGIN:
            self.typing_other = True
            self.search = ""
            self.render_origins()
            return
        self.answers[field] = code
        self.next_step()

    def other_origin_done(self) -> None:
        place = self.search.strip()
        if not place:
            return
        self.answers["origin"] = OTHER_ORIGIN
        self.answers["origin_other"] = place.title()
        self.next_step()

    def next_step(self) -> None:
        self.typing_other = False
        self.search = ""
        self.step = min(self.step + 1, len(STEPS) - 1)
        self.render()

    def back(self) -> None:
        if self.typing_other:
            self.typing_other = False
            self.search = ""
            self.render_origins()
            return
        if self.step == 0:
            self.app.home()
            return
        self.step -= 1
        self.render()

    def form(self) -> GuestForm:
        a = self.answers
        return GuestForm(
            category=a["category"],
            gender=a["gender"],
            origin=a["origin"],
            purpose=a["purpose"],
            origin_other=a.get("origin_other"),
        )

    def submit(self) -> None:
        if self.sending:
            return
        form = self.form()
        form.validate()
        self.sending = True
        self.app.guest_done(form)
