"""Mini-survey and "rate your visit": one question at a time, four faces with words, skip with
one tap, thank you.

`enter(prompt=..., card=...)` asks a member's mini-survey (the prompt from the service: its
questions, objects with `code`, `text_id`, `text_en`, and the answer words of its standard,
objects with `value`, `label`, `label_en`); it counts as shown from now on. `enter()` without a
prompt asks the "rate your visit" questions. Answers (code -> 1..4, 4 is best) are stored once.

However the survey ends early (Skip, the idle reset, the next visitor's card), the answers
already given are kept, each is valid on its own, and the rest counts as skipped. A card shown
while the survey is up belongs to the next visitor: the survey ends and the card is checked in
as usual (the same member's card seen again is ignored, they are still answering).
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.ui import widgets as W
from kiosk.ui.i18n import N_, tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("survey")

# The SKM scale words (the same as kiosk.domain.ikm); 4 is best.
ANSWERS = {1: N_("Poor"), 2: N_("Fair"), 3: N_("Good"), 4: N_("Very good")}
INTROS = {
    "visit": N_("A quick question about our service"),
    "rate": N_("How was your visit?"),
}
THANKS_SECONDS = 3.0


class SurveyScreen(KioskScreen):
    accepts = "member"  # the next visitor never has to answer someone else's survey
    index = NumericProperty(0)
    total = NumericProperty(0)
    question = StringProperty("")
    intro = StringProperty("")
    thanked = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.questions: list[Any] = []
        self.answers: dict[str, int] = {}
        self.prompt: Any = None  # a member's mini-survey; None: "rate your visit"
        self.card = ""  # the card of the member answering
        self._open = False  # asked, and its answers not yet handed to the service
        self._intro = "visit"
        self.words: dict[int, Any] = {}

    def enter(self, prompt: Any = None, card: str = "") -> None:
        self.end()
        self.prompt, self.card = prompt, card
        if prompt is not None:
            self.ask(list(prompt.questions), "visit", prompt.answers)
            self.app.call(self.service.survey_shown, prompt.id)
        else:
            self.ask([], "rate")
            self.app.call(self.service.rating_questions, then=self._rating_ready)

    def _rating_ready(self, questions: Any) -> None:
        if self.prompt is None and self._open and not self.questions:
            self.ask(list(questions), "rate")

    def ask(self, questions: list[Any], intro: str, words: Any = None) -> None:
        self.words = {w.value: w for w in words or ()}
        self.questions = questions
        self.answers = {}
        self._open = True
        self._intro = intro
        self.index = 0
        self.total = len(questions)
        self.thanked = False
        self.render()

    def leave(self) -> None:
        self.end()

    def reset(self) -> None:
        self.end()
        self.questions = []
        self.thanked = False
        self.prompt, self.card = None, ""

    def end(self) -> None:
        """Close an open survey: the answers given so far are kept, none at all is a skip."""
        if self._open and not self.thanked:
            self._finish(dict(self.answers) or None)

    def on_card(self, text: str, source: str = "scan") -> None:
        if self._open and text and text == self.card:
            return  # the member who is answering showed their card again
        self.end()
        self.app.handle_card(text, source)

    def on_language(self) -> None:
        self.render()

    def render(self) -> None:
        self.intro = tr._(INTROS.get(self._intro, INTROS["visit"]))
        if self.questions and self.index < len(self.questions):
            q = self.questions[self.index]
            self.question = tr.given(q.text_id, q.text_en)
        else:
            self.question = ""
        box = self.ids.faces
        box.clear_widgets()
        for level in (1, 2, 3, 4):
            if level in self.words:
                word = tr.given(self.words[level].label, self.words[level].label_en)
            else:
                word = tr._(ANSWERS[level])
            face = W.FaceButton(level=level, text=word)
            face.bind(on_release=lambda f: self.choose(f.level))
            box.add_widget(face)

    def choose(self, level: int) -> None:
        if self.thanked or not self.questions:
            return
        self.answers[self.questions[self.index].code] = int(level)
        if self.index + 1 < len(self.questions):
            self.index += 1
            self.render()
        else:
            self._finish(dict(self.answers))
            self.thank()

    def skip(self) -> None:
        self.end()
        self.app.home()

    def thank(self) -> None:
        self.thanked = True
        self.app.play("thanks")
        self.app.after(THANKS_SECONDS, self.app.home)

    def _finish(self, answers: dict[str, int] | None) -> None:
        """Hand the answers to the service, once."""
        if not self._open:
            return
        self._open = False
        prompt, svc = self.prompt, self.service
        if prompt is not None:
            if answers:
                self.app.call(svc.answer_survey, prompt.id, answers)
            else:
                self.app.call(svc.skip_survey, prompt.id)
        elif answers:
            self.app.call(svc.record_rating, answers)
