"""The kiosk's screens: each one a .py (behaviour) + .kv (look) pair, loaded with its class.

`KioskScreen` is the base: `reset()` empties a screen when the kiosk goes home, `on_card()`
receives a scanned code while the screen is shown, `on_language()` rebuilds texts that Python
code (not a kv rule) wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp

HERE = Path(__file__).resolve().parent
_loaded: set[str] = set()


def load_kv(name: str) -> None:
    """Load screens/<name>.kv once (a second load would apply its rules twice)."""
    if name not in _loaded:
        Builder.load_file(str(HERE / f"{name}.kv"))
        _loaded.add(name)


class KioskScreen(Screen):
    # Which scanned codes this screen takes: "member" cards go through the normal check-in,
    # "group" only group QRs, "none" ignores the camera (forms, staff).
    accepts = "none"

    @property
    def app(self) -> KioskApp:
        return App.get_running_app()  # type: ignore[return-value]

    def reset(self) -> None:
        """Forget what a visitor entered (called when the kiosk returns home)."""

    def on_card(self, text: str, source: str = "scan") -> None:
        self.app.handle_card(text, source)

    def on_language(self) -> None:
        """Re-render texts built in Python after a language switch."""

    def texts(self) -> list[str]:
        """Every visible label text (tests look for words without knowing the layout)."""
        return visible_texts(self)


def visible_texts(widget: Any) -> list[str]:
    out = []
    for w in widget.walk(restrict=True):
        text = getattr(w, "text", None)
        if isinstance(text, str) and text and getattr(w, "opacity", 1) > 0:
            out.append(text)
    return out
