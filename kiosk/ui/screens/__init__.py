"""The kiosk's screens: each one a .py (behaviour) + .kv (look) pair, loaded with its class.

`KioskScreen` is the base (the activate/deactivate idea of Electrum's Kivy GUI):
- `enter(**data)`: the app is about to show the screen; it takes what the app hands over and
  loads the rest itself (through `app.call`, off the UI thread);
- `leave()`: another screen is shown; close what must not stay open;
- `reset()`: the kiosk goes home; forget what a visitor entered;
- `on_card()`: a scanned code while the screen is shown;
- `on_language()`: rebuild texts that Python code (not a kv rule) wrote.
Screens reach the rest of the kiosk only through the app's navigation API and the service.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from kiosk.config import Settings
from kiosk.services.kiosk import KioskService
from kiosk.services.staff_pin import PinGuard

HERE = Path(__file__).resolve().parent
_loaded: set[str] = set()


def load_kv(name: str) -> None:
    """Load screens/<name>.kv once (a second load would apply its rules twice)."""
    if name not in _loaded:
        Builder.load_file(str(HERE / f"{name}.kv"))
        _loaded.add(name)


class Navigation(Protocol):
    """What a screen may ask of the app (kiosk.ui.app.KioskApp, which screens never import)."""

    service: KioskService
    settings: Settings
    pin_guard: PinGuard
    camera_state: str

    @property
    def current(self) -> str: ...

    # moving between screens, time and sound
    def go(self, name: str, **data: Any) -> None: ...
    def home(self, *_: Any) -> None: ...
    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None: ...
    def after(self, seconds: float, action: Callable[[], None]) -> None: ...
    def play(self, sound: str) -> None: ...

    # what screens show
    def room_name(self, room: Any) -> str: ...
    def camera_counts(self) -> tuple[int, int] | None: ...

    # the check-in flow: what a visitor chose
    def handle_card(self, text: str, source: str = "scan") -> None: ...
    def keypad_entered(self, number: str) -> None: ...
    def guest_done(self, form: Any) -> None: ...
    def group_done(self, code: str, name: str, children: int, adults: int) -> None: ...
    def room_chosen(self, room: str) -> None: ...


class KioskScreen(Screen):
    # Which scanned codes this screen takes: "member" cards go through the normal check-in,
    # "group" only group QRs, "none" ignores the camera (forms, staff).
    accepts = "none"

    @property
    def app(self) -> Navigation:
        return cast(Navigation, App.get_running_app())

    @property
    def service(self) -> KioskService:
        """The kiosk's service; slow calls go through `self.app.call(...)`."""
        return self.app.service

    def enter(self, **data: Any) -> None:
        """The screen is about to show: take `data`, load what else it shows."""

    def leave(self) -> None:
        """Another screen is shown."""

    def reset(self) -> None:
        """Forget what a visitor entered (called when the kiosk returns home)."""

    def on_card(self, text: str, source: str = "scan") -> None:
        self.app.handle_card(text, source)

    def on_language(self) -> None:
        """Re-render texts built in Python after a language switch."""
