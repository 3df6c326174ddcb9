"""The kiosk app: one window, a screen manager, navigation in one place, and the check-in flow.

Screens stay thin. The app offers them a small API: `go(name, **data)` shows a screen, which
takes `data` and loads the rest of what it shows in its `enter()`; `home()` resets every
screen and shows the home screen; `call(fn, *args, then=...)` runs a service call on the
worker thread and hands the answer back on the UI thread. The flow of a visit (card, room,
check-in, result) is here; the app also owns the idle reset, the camera and the language.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from kiosk.config import Settings
from kiosk.domain.clock import local_time
from kiosk.i18n import clock_time, long_date
from kiosk.layout import Room
from kiosk.services.checkin import Decision
from kiosk.services.groups import looks_like_group
from kiosk.services.kiosk import Identified, KioskService
from kiosk.services.staff_pin import PinGuard
from kiosk.ui import widgets  # noqa: F401 - registers the shared widget rules
from kiosk.ui.bridge import UiBridge, Worker
from kiosk.ui.i18n import LANGUAGE_NAMES, tr
from kiosk.ui.names import first_name
from kiosk.ui.sounds import Sounds

log = logging.getLogger(__name__)


_shell_loaded = False


def load_shell() -> None:
    """The window frame (top bar, screen manager); loaded once per process."""
    global _shell_loaded
    if not _shell_loaded:
        Builder.load_file(str(Path(__file__).with_name("shell.kv")))
        _shell_loaded = True


@dataclass
class Pending:
    """What a visitor started before picking a room (entrance kiosk)."""

    kind: str  # member | guest | group
    text: str = ""
    source: str = "scan"
    name: str = ""
    form: Any = None
    counts: tuple[int, int] = (0, 0)
    # Set when the visit is handed to the worker: a second tap (a double tap, a tap while the
    # first is being stored) must not record the visitor twice.
    sent: bool = False


class KioskApp(App):
    title = "Kiosk"
    language = StringProperty("id")
    other_language = StringProperty("English")  # what the language switch offers, in itself
    camera_state = StringProperty("off")
    camera_ok = BooleanProperty(False)
    preview_texture = ObjectProperty(None, allownone=True)  # the camera picture (one texture)
    date_text = StringProperty("")
    time_text = StringProperty("")
    library_name = StringProperty("")
    storage_problem = StringProperty("")  # one line once visits can no longer be saved

    def __init__(
        self,
        service: KioskService,
        settings: Settings,
        camera: str | None = None,
        mono: Callable[[], float] = time.monotonic,
        sounds: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.settings = settings
        self.camera_source = camera
        self.mono = mono
        self.library_name = settings.library_name
        self.sound_enabled = sounds
        self.sounds: Sounds | None = None
        self.bridge: UiBridge | None = None
        self.worker: Worker | None = None
        self.camera = None
        self.pending: Pending | None = None
        self.last_activity = mono()
        self.deadline: tuple[float, Callable[[], None]] | None = None
        self.pin_guard = PinGuard.for_settings(settings, clock=mono)
        self._tick_event = None

    # --- building -------------------------------------------------------------------------
    def build(self) -> Any:
        from kiosk.ui.screens import group, guest, home, keypad, result, rooms, staff, survey

        tr.switch(self.settings.language)
        self._language_changed()
        self.bridge = UiBridge()
        self.worker = Worker(self.bridge)
        self.sounds = Sounds(enabled=self.sound_enabled)
        load_shell()
        root = Factory.KioskRoot()
        sm: ScreenManager = root.ids.screens
        sm.transition = FadeTransition(duration=0.12)
        for screen in (
            home.HomeScreen(name="home"),
            result.ResultScreen(name="result"),
            rooms.RoomsScreen(name="rooms"),
            keypad.KeypadScreen(name="keypad"),
            guest.GuestScreen(name="guest"),
            group.GroupScreen(name="group"),
            survey.SurveyScreen(name="survey"),
            staff.StaffPinScreen(name="staff_pin"),
            staff.StaffScreen(name="staff"),
        ):
            sm.add_widget(screen)
        self.sm = sm
        Window.bind(on_touch_down=self._touched, on_key_down=self._key)
        self._update_clock()
        self._tick_event = Clock.schedule_interval(self.tick, 0.25)
        return root

    def on_start(self) -> None:
        from kiosk.ui.watchdog import Watchdog

        self.watchdog = Watchdog().start()  # systemd restarts a frozen screen
        if self.camera_source is not None:
            self.start_camera(self.camera_source)
        else:
            self.set_camera_state("off")
        self.service.start_sync(camera=lambda: self.camera_state)  # only when enrolled

    def on_stop(self) -> None:
        if getattr(self, "watchdog", None) is not None:
            self.watchdog.stop()
        self.service.stop_sync()
        if self._tick_event is not None:
            self._tick_event.cancel()
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        if self.worker is not None:
            self.worker.stop()
        Window.unbind(on_touch_down=self._touched, on_key_down=self._key)
        tr.forget_bindings()

    def start_camera(self, source: str) -> None:
        from kiosk.ui.camera import CameraHub

        self.camera = CameraHub(
            source,
            self.bridge,
            on_card=self.card_seen,
            on_state=self.set_camera_state,
            on_texture=lambda tex: setattr(self, "preview_texture", tex),
            engine=self.settings.decoder,
            legacy=self.settings.legacy_barcodes,
        ).start()

    # --- navigation -----------------------------------------------------------------------
    def screen(self, name: str) -> Any:
        return self.sm.get_screen(name)

    @property
    def current(self) -> str:
        return self.sm.current

    def go(self, name: str, **data: Any) -> None:
        """Show screen `name`: the screen left closes what it had open, the new one takes
        `data` and loads what else it shows (its `enter()`)."""
        self.deadline = None
        leaving = self.sm.current_screen
        if leaving is not None and leaving.name != name:
            leaving.leave()
        self.screen(name).enter(**data)
        self.sm.current = name
        if self.camera is not None:
            self.camera.show_preview = name == "home"
        self.activity()

    def home(self, *_: Any) -> None:
        """Every screen forgets what a visitor entered; the home screen shows."""
        # Screens first: a survey left open closes itself in reset() (answers given are kept,
        # the rest counts as skipped).
        for screen in self.sm.screens:
            screen.reset()
        self.pending = None
        self.go("home")

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run a service call off the UI thread, in order with the others; `then` (or
        `failed`) gets its answer on the UI thread."""
        self.worker.submit(fn, *args, then=then, failed=failed, **kwargs)

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        """Run `action` after `seconds` on the kiosk's clock (unless the screen changes first)."""
        self.deadline = (self.mono() + seconds, action)

    def play(self, sound: str) -> None:
        self.sounds.play(sound)

    def idle(self) -> bool:
        """True when no service call is waiting for its answer."""
        return self.worker is None or self.worker.busy == 0

    # --- time -----------------------------------------------------------------------------
    def activity(self, *_: Any) -> None:
        self.last_activity = self.mono()

    def _touched(self, *_: Any) -> bool:
        self.activity()
        return False

    def _key(self, _window: Any, key: int, *_: Any) -> bool:
        self.activity()
        return False

    def tick(self, *_: Any) -> None:
        """Deadlines, idle reset and the clock on screen; every 0.25 s on the UI thread."""
        now = self.mono()
        if self.deadline is not None and now >= self.deadline[0]:
            _, action = self.deadline
            self.deadline = None
            action()
        elif self.current != "home" and now - self.last_activity >= self.settings.idle_seconds:
            log.info("idle for %s s on %s: back to home", self.settings.idle_seconds, self.current)
            self.home()
        self._check_storage()
        self._update_clock()

    def _check_storage(self) -> None:
        """The database file deleted or replaced under the running kiosk: a red banner (and
        no visitor is greeted: check-ins refuse to save) until the kiosk is restarted."""
        problem = self.service.storage_problem() or ""
        if problem != self.storage_problem:
            self.storage_problem = problem
            if problem:
                log.error("visits cannot be saved: %s", problem)
                if getattr(self, "watchdog", None) is not None:
                    self.watchdog.report(problem)

    def _update_clock(self) -> None:
        now = local_time(self.service.clock.now())
        self.date_text = long_date(now.date(), tr.lang)
        self.time_text = clock_time(now.time(), tr.lang)

    # --- language -------------------------------------------------------------------------
    def switch_language(self, lang: str | None = None) -> None:
        tr.switch(lang or tr.other())
        self._language_changed()
        self._update_clock()
        for screen in self.sm.screens:
            screen.on_language()
        self.activity()

    def _language_changed(self) -> None:
        self.language = tr.lang
        self.other_language = LANGUAGE_NAMES[tr.other()]

    def room_name(self, room: Room | str | None) -> str:
        """A room's name from the layout file, in the language shown."""
        if isinstance(room, str):
            room = self.service.site.room(room)
        if room is None:
            return ""
        return tr.given(room.name, room.name_en)

    # --- camera ---------------------------------------------------------------------------
    def set_camera_state(self, state: str) -> None:
        self.camera_state = state
        self.camera_ok = state == "running"

    def camera_counts(self) -> tuple[int, int] | None:
        """(frames shown, frames read) since the camera started; None without a camera."""
        if self.camera is None:
            return None
        return self.camera.frames_shown, self.camera.frames_decoded

    def card_seen(self, text: str, source: str = "scan") -> None:
        """A card event from the scanner (UI thread); source "barcode" for old Code 128 cards."""
        screen = self.sm.current_screen
        if screen.accepts == "member" or (screen.accepts == "group" and looks_like_group(text)):
            self.activity()
            screen.on_card(text, source)
        else:
            log.info("card ignored on the %s screen", self.current)

    # --- check-in flow --------------------------------------------------------------------
    def handle_card(self, text: str, source: str = "scan") -> None:
        if looks_like_group(text):
            self.home()
            self.go("group", code=text)
            return
        self.pending = Pending("member", text=text, source=source)
        svc = self.service
        if svc.at_entrance:
            self.call(svc.identify, text, source=source, then=self._identified, failed=self._failed)
        else:
            self.call(
                svc.check_in, text, source=source, then=self.show_decision, failed=self._failed
            )

    def _identified(self, found: Decision | Identified) -> None:
        if isinstance(found, Decision):
            self.show_decision(found)
            return
        if self.pending is None:
            return
        self.pending.name = first_name(found.member.name)
        self.ask_room()

    def ask_room(self) -> None:
        self.go("rooms", pending=self.pending)

    def room_chosen(self, room: str) -> None:
        p, svc = self.pending, self.service
        if p is None:
            self.home()
            return
        if p.sent:
            log.info("room tapped again while the visit is being stored: ignored")
            return
        p.sent = True
        if p.kind == "member":
            self.call(
                svc.check_in,
                p.text,
                room,
                source=p.source,
                then=self.show_decision,
                failed=self._failed,
            )
        elif p.kind == "guest":
            self.call(
                svc.guest_check_in, p.form, room, then=self.show_decision, failed=self._failed
            )
        elif p.kind == "group":
            children, adults = p.counts
            self.call(
                svc.group_check_in,
                p.text,
                children,
                adults,
                room,
                then=self.show_decision,
                failed=self._failed,
            )

    def keypad_entered(self, number: str) -> None:
        self.handle_card(number.strip().upper(), source="keypad")

    def _sent_already(self) -> bool:
        if self.pending is not None and self.pending.sent:
            log.info("submitted again while the visit is being stored: ignored")
            return True
        return False

    def guest_done(self, form: Any) -> None:
        if self._sent_already():
            return
        self.pending = Pending("guest", form=form)
        if self.service.at_entrance:
            self.ask_room()
        else:
            self.pending.sent = True
            self.call(
                self.service.guest_check_in, form, then=self.show_decision, failed=self._failed
            )

    def group_done(self, code: str, name: str, children: int, adults: int) -> None:
        if self._sent_already():
            return
        self.pending = Pending("group", text=code, name=name, counts=(children, adults))
        if self.service.at_entrance:
            self.ask_room()
        else:
            self.pending.sent = True
            self.call(
                self.service.group_check_in,
                code,
                children,
                adults,
                then=self.show_decision,
                failed=self._failed,
            )

    def _failed(self, exc: BaseException) -> None:
        self.show_decision(None, error=str(exc))

    def show_decision(self, decision: Decision | None, error: str = "") -> None:
        """The answer for the visitor on screen; the result screen says it (and, for a member
        with a mini-survey due, asks them for it)."""
        pending, self.pending = self.pending, None
        self.go("result", decision=decision, pending=pending, error=error)
