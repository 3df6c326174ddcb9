"""The kiosk app: one window, a screen manager, and the flow between screens.

Screens stay thin: they collect a choice and call the app, which runs the service call on the
worker thread and shows the answer. The app also owns the idle reset, the camera and the
language switch.
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
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from kiosk.config import Settings
from kiosk.domain.clock import local_time
from kiosk.layout import Room
from kiosk.services.checkin import Decision
from kiosk.services.groups import looks_like_group
from kiosk.services.kiosk import Identified, KioskService
from kiosk.services.staff_pin import PinGuard
from kiosk.ui import widgets  # noqa: F401 - registers the shared widget rules
from kiosk.ui.bridge import UiBridge, Worker
from kiosk.ui.i18n import N_, tr
from kiosk.ui.sounds import Sounds

log = logging.getLogger(__name__)

# How long each result stays before the kiosk goes home by itself (seconds); "invite" is a
# welcome that also asks the member for their mini-survey (time to read it and decide).
RESULT_SECONDS = {"accepted": 4.0, "repeat": 4.0, "refused": 9.0, "invite": 10.0}
THANKS_SECONDS = 3.0

DAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def first_name(full: str | None) -> str:
    """The name a visitor is greeted with: the first word that is not a title, in Title Case."""
    words = [w for w in (full or "").replace(",", " ").split() if not w.endswith(".")]
    if not words:
        return ""
    word = words[0]
    return word.capitalize() if word.isupper() or word.islower() else word


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
    camera_state = StringProperty("off")
    camera_ok = BooleanProperty(False)
    date_text = StringProperty("")
    time_text = StringProperty("")
    library_name = StringProperty("")

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
        self.survey_prompt: Any = None  # the mini-survey the member on screen is invited to
        self.survey_card = ""  # the card that brought it (seen again: not a new visitor)
        self.last_activity = mono()
        self.deadline: tuple[float, Callable[[], None]] | None = None
        self.pin_guard = PinGuard.for_settings(settings, clock=mono)
        self.last_decision: Decision | None = None
        self._tick_event = None

    # --- building -------------------------------------------------------------------------
    def build(self) -> Any:
        from kiosk.ui.screens import group, guest, home, keypad, result, rooms, staff, survey

        tr.switch(self.settings.language)
        self.language = tr.lang
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

    def on_stop(self) -> None:
        if getattr(self, "watchdog", None) is not None:
            self.watchdog.stop()
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
            on_texture=lambda tex: self.screen("home").set_texture(tex),
            engine=self.settings.decoder,
            legacy=self.settings.legacy_barcodes,
        ).start()

    # --- screens --------------------------------------------------------------------------
    def screen(self, name: str) -> Any:
        return self.sm.get_screen(name)

    @property
    def current(self) -> str:
        return self.sm.current

    def show(self, name: str) -> None:
        self.deadline = None
        self.sm.current = name
        if self.camera is not None:
            self.camera.show_preview = name == "home"
        self.activity()

    def go_home(self, *_: Any) -> None:
        # Screens first: a survey left open closes itself in reset() (answers given are kept,
        # the rest counts as skipped), and it needs to know its prompt for that.
        for screen in self.sm.screens:
            screen.reset()
        self.pending = None
        self.survey_prompt = None
        self.survey_card = ""
        self.show("home")

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        """Run `action` after `seconds` on the kiosk's clock (unless the screen changes first)."""
        self.deadline = (self.mono() + seconds, action)

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
            self.go_home()
        self._update_clock()

    def _update_clock(self) -> None:
        now = local_time(self.service.clock.now())
        day, month = tr._(DAYS[now.weekday()]), tr._(MONTHS[now.month - 1])
        self.date_text = f"{day}, {now.day} {month} {now.year}"
        sep = "." if tr.lang == "id" else ":"
        self.time_text = f"{now.hour:02d}{sep}{now.minute:02d}"

    # --- language -------------------------------------------------------------------------
    def switch_language(self, lang: str | None = None) -> None:
        tr.switch(lang or tr.other())
        self.language = tr.lang
        self._update_clock()
        for screen in self.sm.screens:
            screen.on_language()
        self.activity()

    def room_name(self, room: Room | str | None) -> str:
        if isinstance(room, str):
            room = self.service.site.room(room)
        if room is None:
            return ""
        return room.name if tr.lang == "id" else room.name_en

    # --- camera ---------------------------------------------------------------------------
    def set_camera_state(self, state: str) -> None:
        self.camera_state = state
        self.camera_ok = state == "running"

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
        self.survey_prompt = None  # a new visitor: an invitation on screen was not for them
        if looks_like_group(text):
            self.go_home()
            self.screen("group").open_code(text)
            self.show("group")
            return
        self.pending = Pending("member", text=text, source=source)
        svc = self.service
        if svc.at_entrance:
            self.worker.submit(
                svc.identify, text, source=source, then=self._identified, failed=self._failed
            )
        else:
            self.worker.submit(
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
        self.screen("rooms").ask(self.pending)
        self.show("rooms")

    def room_chosen(self, room: str) -> None:
        p, svc = self.pending, self.service
        if p is None:
            self.go_home()
            return
        if p.sent:
            log.info("room tapped again while the visit is being stored: ignored")
            return
        p.sent = True
        if p.kind == "member":
            self.worker.submit(
                svc.check_in,
                p.text,
                room,
                source=p.source,
                then=self.show_decision,
                failed=self._failed,
            )
        elif p.kind == "guest":
            self.worker.submit(
                svc.guest_check_in, p.form, room, then=self.show_decision, failed=self._failed
            )
        elif p.kind == "group":
            children, adults = p.counts
            self.worker.submit(
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
            self.worker.submit(
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
            self.worker.submit(
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
        self.last_decision = decision
        pending = self.pending
        self.pending = None
        # A new visitor on screen: whatever survey was open or offered is not theirs.
        self.screen("survey").reset()
        self.survey_prompt = None
        self.survey_card = ""
        screen = self.screen("result")
        kind = screen.present(decision, pending, error)
        self.show("result")
        self.sounds.play({"accepted": "welcome", "repeat": "repeat"}.get(kind, "refused"))
        wait = RESULT_SECONDS.get(kind, RESULT_SECONDS["refused"])
        self.after(wait, self.go_home)
        if (
            decision is not None
            and decision.accepted
            and decision.visitor_type == "member"
            and decision.member
        ):
            card = pending.text if pending is not None and pending.kind == "member" else ""
            self.worker.submit(
                self.service.survey_for,
                decision.member,
                then=lambda prompt: self._survey_ready(decision, card, prompt),
            )

    # --- surveys --------------------------------------------------------------------------
    # The member whose survey is due is invited by name on their welcome; the survey opens only
    # when they tap "yes", so it can never land in front of the next visitor. Ignored (the
    # welcome times out, or the next card comes first), it was never shown and waits for the
    # member's next visit; "no, thanks" closes it as skipped.
    def _survey_ready(self, decision: Decision, card: str, prompt: Any) -> None:
        if not prompt or self.current != "result" or self.last_decision is not decision:
            return  # someone else is on screen by now
        self.survey_prompt = prompt
        self.survey_card = card
        self.screen("result").invite(first_name(decision.member_name))
        self.after(RESULT_SECONDS["invite"], self.go_home)

    def open_survey(self) -> None:
        """The member said yes: the survey appears now, and only now counts as shown."""
        prompt = self.survey_prompt
        if prompt is None:
            self.go_home()
            return
        self.screen("survey").ask(
            list(prompt.questions),
            lambda answers: self._survey_answered(prompt, answers),
            intro="visit",
            words=getattr(prompt, "answers", None),
        )
        self.show("survey")
        self.worker.submit(self.service.survey_shown, prompt.id)

    def decline_survey(self) -> None:
        """ "No, thanks" on the invitation: one tap, closed as skipped, and home."""
        prompt, self.survey_prompt = self.survey_prompt, None
        if prompt is not None:
            self._survey_answered(prompt, None)
        self.go_home()

    def _survey_answered(self, prompt: Any, answers: dict[str, int] | None) -> None:
        """Answers (even to some of the questions only) are stored; none at all is a skip."""
        if self.survey_prompt is prompt:
            self.survey_prompt = None
        svc = self.service
        if answers:
            self.worker.submit(svc.answer_survey, prompt.id, answers)
        else:
            self.worker.submit(svc.skip_survey, prompt.id)

    def open_rating(self) -> None:
        self.worker.submit(self.service.rating_questions, then=self._rating_ready)

    def _rating_ready(self, questions: Any) -> None:
        def answered(answers: dict[str, int] | None) -> None:
            if answers:
                self.worker.submit(self.service.record_rating, answers)

        self.screen("survey").ask(list(questions), answered, intro="rate")
        self.show("survey")

    # --- staff ----------------------------------------------------------------------------
    def open_staff(self) -> None:
        self.show("staff_pin")

    def staff_unlocked(self) -> None:
        self.screen("staff").refresh()
        self.show("staff")

    # --- helpers for tests and tools ------------------------------------------------------
    def idle(self) -> bool:
        """True when no background job is waiting for its answer."""
        return self.worker is None or self.worker.busy == 0
