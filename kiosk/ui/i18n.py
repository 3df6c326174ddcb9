"""Screen texts in Bahasa Indonesia and English, switchable while the kiosk runs.

Catalogues are gettext .po files (assets/locale/<lang>/LC_MESSAGES/kiosk.po) with English
message ids. They are read directly by a small .po reader, so the kiosk needs no msgfmt step.

`tr._("text")` in a .kv rule re-renders when the language changes: `tr` reports the kv binding
of its `_` "property" to itself and calls every bound rule again on `switch()` (the idea of
Electrum's old Kivy GUI and tito's kivy-gettext example). Python code that builds widgets asks
`tr._()` and listens to `tr.bind(lang=...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from kiosk.i18n import LANGUAGES, LOCALE_DIR, N_, po_path, read_po

__all__ = ["LANGUAGES", "N_", "Translator", "po_path", "read_po", "tr"]

# Each language's name in itself: the switch names the other one, so a visitor finds their own.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


class Translator(EventDispatcher):
    """The kiosk's current language and its catalogue."""

    lang = StringProperty("id")

    def __init__(self, lang: str = "id", locale_dir: Path = LOCALE_DIR) -> None:
        super().__init__()
        self._observers: list[tuple[Callable[..., Any], tuple, dict]] = []
        self._locale_dir = locale_dir
        self._catalogs = {code: read_po(po_path(code, locale_dir)) for code in LANGUAGES}
        self._catalog = self._catalogs.get(lang, {})
        self.lang = lang

    def _(self, text: str) -> str:
        return self._catalog.get(text, text)

    def given(self, indonesian: str, english: str) -> str:
        """A text the kiosk is given as data in both languages, which no catalogue can hold:
        a layout file's room names, the survey standard's questions and answer words."""
        return english if self.lang == "en" else indonesian

    def fbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            self._observers.append((func, largs, kwargs))
            return 0
        return super().fbind(name, func, *largs, **kwargs)

    def funbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            key = (func, largs, kwargs)
            if key in self._observers:
                self._observers.remove(key)
            return None
        return super().funbind(name, func, *largs, **kwargs)

    def switch(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self._catalog = self._catalogs[lang]
        self.lang = lang
        for entry in list(self._observers):
            func, largs, _kwargs = entry
            try:
                func(*largs, None, None)
            except ReferenceError:  # the widget of that rule is gone
                self._observers.remove(entry)

    def forget_bindings(self) -> None:
        """Drop every kv binding (the app that made them has stopped)."""
        self._observers.clear()

    def other(self) -> str:
        """The language the switch offers (of two, the one not shown)."""
        return next(code for code in LANGUAGES if code != self.lang)


tr = Translator()
