"""Shared kiosk widgets: big rounded buttons, picture tiles, steppers and on-screen keyboards.

Touch targets are at least 72 dp high (the brief asks for 60 px at the kiosk's density).
Their look is in widgets.kv; the behaviour is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk import resources
from kiosk.ui.i18n import tr

# The kiosk's palette: calm paper background, library green, clear result colours.
PAPER = (0.969, 0.957, 0.933, 1)
INK = (0.12, 0.16, 0.19, 1)
MUTED = (0.36, 0.40, 0.43, 1)
GREEN = (0.0, 0.41, 0.36, 1)
OK = (0.15, 0.52, 0.25, 1)
AMBER = (0.96, 0.68, 0.05, 1)
RED = (0.75, 0.16, 0.16, 1)
CARD = (1, 1, 1, 1)


def asset(*parts: str) -> str:
    """A shipped file as the string Kivy wants."""
    return str(resources.asset(*parts))


class Hideable:
    """A part of a screen that can be hidden: no size, invisible, and deaf to touches.

    Used instead of `disabled`, because a disabled layout squeezed to zero height still lets
    its overflowing (disabled) children swallow touches meant for the widgets beside them.
    """

    shown = BooleanProperty(True)

    def on_touch_down(self, touch: Any) -> bool:
        return super().on_touch_down(touch) if self.shown else False  # type: ignore[misc]

    def on_touch_up(self, touch: Any) -> bool:
        return super().on_touch_up(touch) if self.shown else False  # type: ignore[misc]


class Section(Hideable, BoxLayout):
    pass


class RoundedButton(ButtonBehavior, Label):
    """A text button with a rounded coloured background."""

    bg_color = ColorProperty(GREEN)
    selected = BooleanProperty(False)


class TileButton(ButtonBehavior, BoxLayout):
    """A picture above (or beside) a word: the home screen's choices and the room tiles."""

    icon = StringProperty("")
    text = StringProperty("")
    subtext = StringProperty("")
    bg_color = ColorProperty(CARD)
    fg_color = ColorProperty(INK)
    selected = BooleanProperty(False)
    font_size = NumericProperty("26sp")
    value = ObjectProperty(None, allownone=True)


class Stepper(BoxLayout):
    """A number with large − and + buttons (group headcounts)."""

    value = NumericProperty(0)
    minimum = NumericProperty(0)
    maximum = NumericProperty(999)
    label = StringProperty("")
    icon = StringProperty("")

    def step(self, delta: int) -> None:
        self.value = max(self.minimum, min(self.maximum, int(self.value) + delta))


class KeyPad(Hideable, GridLayout):
    """Keys that type into a target (a Label or TextInput whose `text` is edited).

    `layout` "digits" is a phone-style number pad; "letters" is an A-Z keyboard.
    """

    target = ObjectProperty(None, allownone=True)
    attribute = StringProperty("text")
    lowercase = BooleanProperty(False)  # for folder names, which are case-sensitive
    layout = StringProperty("digits")
    max_length = NumericProperty(40)
    key_height = NumericProperty("84dp")
    ok_text = StringProperty("")

    __events__ = ("on_ok", "on_key")

    DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "DEL", "0", "OK")
    LETTERS = (
        "1234567890",
        "QWERTYUIOP",
        "ASDFGHJKL-",
        "ZXCVBNM./_",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(
            layout=lambda *_: self.rebuild(),
            ok_text=lambda *_: self.rebuild(),
            key_height=lambda *_: self.rebuild(),
            lowercase=lambda *_: self.rebuild(),
        )
        tr.bind(lang=lambda *_: self.rebuild())
        self.rebuild()

    def key_rows(self) -> list[list[str]]:
        if self.layout == "digits":
            return [list(self.DIGITS[i : i + 3]) for i in range(0, len(self.DIGITS), 3)]
        return [list(row) for row in self.LETTERS] + [["SPACE", "DEL", "OK"]]

    def keys(self) -> list[str]:
        return [k for row in self.key_rows() for k in row]

    def rebuild(self) -> None:
        self.clear_widgets()
        self.cols = 1
        widths = {"SPACE": 4, "DEL": 2, "OK": 2}
        for row in self.key_rows():
            line = BoxLayout(spacing=self.spacing[0], size_hint_y=None, height=self.key_height)
            for key in row:
                button = KeyButton(key=key, text=self.label(key))
                button.size_hint_x = widths.get(key, 1) if self.layout == "letters" else 1
                button.bind(on_release=lambda b: self.press(b.key))
                line.add_widget(button)
            self.add_widget(line)

    def label(self, key: str) -> str:
        if key == "OK":
            return self.ok_text or "OK"
        if key == "DEL":
            return tr._("Delete")
        if key == "SPACE":
            return tr._("Space")
        return key.lower() if self.lowercase else key

    def press(self, key: str) -> None:
        self.dispatch("on_key", key)
        if key == "OK":
            self.dispatch("on_ok")
            return
        if self.target is None:
            return
        text = getattr(self.target, self.attribute)
        if key == "DEL":
            text = text[:-1]
        elif len(text) < self.max_length:
            text += " " if key == "SPACE" else (key.lower() if self.lowercase else key)
        setattr(self.target, self.attribute, text)

    def on_ok(self) -> None:
        pass

    def on_key(self, key: str) -> None:
        pass


class KeyButton(RoundedButton):
    key = StringProperty("")


class FaceButton(ButtonBehavior, BoxLayout):
    """A survey answer: a face (1 worst .. 4 best) with its word."""

    level = NumericProperty(1)
    text = StringProperty("")
    selected = BooleanProperty(False)


class Banner(Label):
    """A message strip across the screen (camera lost, saved, errors)."""

    bg_color = ColorProperty(AMBER)


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))
