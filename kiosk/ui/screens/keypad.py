"""Manual entry: the member number on a big keypad (damaged card, camera down)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain.cards import MEMBER_NUMBER
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("keypad")


class KeypadScreen(KioskScreen):
    accepts = "member"  # a card shown now still works
    number = StringProperty("")
    keys = StringProperty("digits")
    problem = StringProperty("")
    sending = BooleanProperty(False)  # a second OK would check the member in twice

    def enter(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sending = False
        self.number = ""
        self.keys = "digits"
        self.problem = ""

    def on_number(self, *_: object) -> None:
        self.problem = ""

    def submit(self) -> None:
        number = self.number.strip()
        if not number or self.sending:
            return
        if not MEMBER_NUMBER.match(number):
            self.problem = "format"
            return
        self.sending = True
        self.app.keypad_entered(number)
