"""Drive the real kiosk app: start it in the offscreen window, tap widgets, pump frames."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.scrollview import ScrollView

from kiosk.config import Settings
from kiosk.services.kiosk import KioskService
from kiosk.ui.app import KioskApp

SIZE = (1280, 800)


def visible_texts(widget: Any) -> list[str]:
    """Every visible text under `widget` (tests look for words without knowing the layout)."""
    out = []
    for w in widget.walk(restrict=True):
        text = getattr(w, "text", None)
        if isinstance(text, str) and text and getattr(w, "opacity", 1) > 0:
            out.append(text)
    return out


def _parents(widget: Any) -> list[Any]:
    found = []
    while widget is not None and widget.parent is not widget:
        widget = widget.parent
        found.append(widget)
    return found


class FakeMono:
    """The kiosk's idle clock, moved by the test."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Driver:
    def __init__(self, app: KioskApp, mono: FakeMono) -> None:
        self.app = app
        self.mono = mono

    @classmethod
    def start(
        cls, svc: KioskService, settings: Settings, camera: str | None, mono: FakeMono
    ) -> Driver:
        EventLoop.ensure_window()
        Window.size = SIZE
        app = KioskApp(svc, settings, camera=camera, mono=mono)
        app._run_prepare()
        driver = cls(app, mono)
        driver.settle()
        return driver

    def close(self) -> None:
        app = self.app
        app.dispatch("on_stop")
        for child in list(Window.children):
            Window.remove_widget(child)
        KioskApp._running_app = None
        self.pump(0.05)
        gc.collect()

    # --- time -----------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        """Run the UI loop (clock, input, drawing) for about `seconds`, at least one frame."""
        end = time.monotonic() + seconds
        while True:
            EventLoop.idle()
            if time.monotonic() >= end:
                return
            time.sleep(0.005)

    def wait(self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
        """Pump until `condition()` is true; fails the test after `timeout` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            EventLoop.idle()
            value = condition()
            if value:
                return value
            time.sleep(0.005)
        raise AssertionError(f"timed out waiting for {what or condition}")

    def settle(self) -> None:
        """Wait for background jobs and the screen transition to finish, then lay out."""
        self.wait(
            lambda: self.app.idle() and not self.app.sm.transition.is_active,
            what="the kiosk to settle",
        )
        self.pump(0.02)

    def later(self, seconds: float) -> None:
        """Move the kiosk's clock on (idle reset, result timeouts) and let it react."""
        self.mono.advance(seconds)
        self.app.tick()  # what the kiosk's 0.25 s clock event does, without waiting for it
        self.settle()

    # --- looking --------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.app.sm.current

    def screen(self, name: str | None = None) -> Any:
        return self.app.screen(name or self.current)

    def texts(self, name: str | None = None) -> str:
        """All visible texts of a screen (and the top bar), joined by newlines."""
        return "\n".join(visible_texts(self.screen(name)) + visible_texts(self.app.root.ids.topbar))

    # --- touching -------------------------------------------------------------------------
    def tap(self, widget: Any) -> None:
        """A real touch at the widget's centre, through the window's input dispatch."""
        assert widget.get_root_window() is not None, f"{widget} is not on screen"
        assert widget.opacity > 0 and not widget.disabled, f"{widget} cannot be tapped"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        if any(isinstance(p, ScrollView) for p in _parents(widget)):
            self.pump(0.3)  # a ScrollView passes a short tap on to its content after a moment
        self.settle()

    def tap_id(self, wid: str, screen: str | None = None) -> None:
        self.tap(self.screen(screen).ids[wid])

    def tap_text(self, text: str, screen: str | None = None) -> None:
        """Tap the button (or tile) on the current screen that shows exactly `text`."""
        from kivy.uix.behaviors import ButtonBehavior

        root = self.screen(screen)
        for w in root.walk(restrict=True):
            if (
                isinstance(w, ButtonBehavior)
                and getattr(w, "text", None) == text
                and w.opacity > 0
                and not w.disabled
            ):
                self.tap(w)
                return
        raise AssertionError(f"no button {text!r} on {root.name}: {visible_texts(root)}")

    def tap_key(self, pad: Any, key: str) -> None:
        for w in pad.walk(restrict=True):
            if getattr(w, "key", None) == key:
                self.tap(w)
                return
        raise AssertionError(f"no key {key!r}")

    def type_on(self, pad: Any, text: str) -> None:
        for ch in text:
            self.tap_key(pad, "SPACE" if ch == " " else ch)
