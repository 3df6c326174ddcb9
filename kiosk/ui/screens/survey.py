"""Mini-survey: one question at a time, four faces with words, skip with one tap, thank you.

Takes a list of questions (objects with `code`, `text_id`, `text_en`), optionally the answer
words of the survey standard (objects with `value`, `label`, `label_en`), and hands the answers
(code -> 1..4, 4 is best) to a callback exactly once; None when nothing was answered.

However the survey ends early (Skip, the idle reset, the next visitor's card), the answers
already given are kept, each is valid on its own, and the rest counts as skipped. A card shown
while the survey is up belongs to the next visitor: the survey ends and the card is checked in
as usual (the same member's card seen again is ignored, they are still answering).
"""

from __future__ import annotations

from collections.abc import Callable
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
        self._done: Callable[[dict[str, int] | None], None] | None = None
        self._intro = "visit"
        self.words: dict[int, tuple[str, str]] = {}

    def ask(
        self,
        questions: list[Any],
        done: Callable[[dict[str, int] | None], None],
        intro: str = "visit",
        words: Any = None,
    ) -> None:
        self.words = {w.value: (w.label, w.label_en) for w in words or ()}
        self.questions = questions
        self.answers = {}
        self._done = done
        self._intro = intro
        self.index = 0
        self.total = len(questions)
        self.thanked = False
        self.render()

    def reset(self) -> None:
        self.end()
        self.questions = []
        self.thanked = False

    def end(self) -> None:
        """Close an open survey: the answers given so far are kept, none at all is a skip."""
        if self._done is not None and not self.thanked:
            self._finish(dict(self.answers) or None)

    def on_card(self, text: str, source: str = "scan") -> None:
        if self._done is not None and text and text == self.app.survey_card:
            return  # the member who is answering showed their card again
        self.end()
        self.app.handle_card(text, source)

    def on_language(self) -> None:
        self.render()

    def render(self) -> None:
        self.intro = tr._(INTROS.get(self._intro, INTROS["visit"]))
        if self.questions and self.index < len(self.questions):
            q = self.questions[self.index]
            self.question = q.text_id if tr.lang == "id" else q.text_en
        box = self.ids.faces
        box.clear_widgets()
        for level in (1, 2, 3, 4):
            word = tr.word(self.words[level]) if level in self.words else tr._(ANSWERS[level])
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
        self.app.go_home()

    def thank(self) -> None:
        self.thanked = True
        self.app.sounds.play("thanks")
        self.app.after(THANKS_SECONDS, self.app.go_home)

    def _finish(self, answers: dict[str, int] | None) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(answers)
