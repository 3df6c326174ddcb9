"""Staff: a PIN (hashed, with a growing lockout), then today's numbers, camera, export, refusals."""

from __future__ import annotations

import glob
import math
from pathlib import Path
from typing import Any

from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label

from kiosk.adapters.render.exports import write_daily
from kiosk.domain.clock import local_day, local_time
from kiosk.domain.vocab import REFUSAL_WORDS
from kiosk.ui import widgets as W
from kiosk.ui.i18n import N_, tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("staff")

KINDS = ("member", "guest", "group")
KIND_WORDS = {"member": N_("Members"), "guest": N_("Guests"), "group": N_("Groups")}
CAMERA_WORDS = {
    "running": N_("working"),
    "starting": N_("starting"),
    "lost": N_("not working"),
    "ended": N_("feed ended"),
    "stopped": N_("stopped"),
    "off": N_("no camera set"),
}


def usb_folders(pattern: str = "/media/*/*") -> list[str]:
    """Mounted removable drives (e.g. /media/<user>/<stick>), where staff take exports home."""
    return sorted(p for p in glob.glob(pattern) if Path(p).is_dir())


class StaffPinScreen(KioskScreen):
    pin = StringProperty("")
    message = StringProperty("")

    def enter(self) -> None:
        self.pin = ""
        self.update_message()

    def reset(self) -> None:
        self.pin = ""
        self.message = ""

    def on_language(self) -> None:
        self.update_message()

    def update_message(self, failed: bool = False) -> None:
        guard = self.app.pin_guard
        wait = guard.lockout_left()
        if not guard.configured:
            self.message = tr._("No staff PIN is set. Run: kiosk staff set-pin")
        elif wait > 0:
            self.message = tr._("Too many wrong PINs. Try again in {seconds} seconds.").format(
                seconds=math.ceil(wait)
            )
        elif failed:
            self.message = tr._("Wrong PIN.")
        else:
            self.message = ""

    def submit(self) -> None:
        pin, self.pin = self.pin, ""
        if not pin:
            return
        if self.app.pin_guard.try_pin(pin):
            self.message = ""
            self.app.go("staff")
        else:
            self.update_message(failed=True)


class StaffScreen(KioskScreen):
    camera_text = StringProperty("")
    sync_text = StringProperty("")
    export_message = StringProperty("")
    export_path = StringProperty("")
    typing = BooleanProperty(False)
    day_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counts: dict[str, dict[str, int]] = {}
        self.refusals: list[tuple] = []
        self.sync: Any = None

    def reset(self) -> None:
        self.export_message = ""
        self.export_path = ""
        self.typing = False

    def enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        svc = self.service
        self.day_text = local_day(svc.clock.now()).isoformat()
        self.app.call(
            lambda: (svc.counts_on(), svc.recent_refusals(8), svc.sync_status()), then=self._loaded
        )
        self.render_camera()
        self.render_folders()

    def _loaded(self, data: tuple) -> None:
        self.counts, self.refusals, self.sync = data
        self.render()
        self.render_sync()

    def on_language(self) -> None:
        self.render()
        self.render_camera()
        self.render_sync()

    def render_sync(self) -> None:
        """Only on a kiosk enrolled at a central server: what waits to be sent."""
        st = self.sync
        if st is None:
            self.sync_text = ""
            return

        def when(t: Any) -> str:
            return local_time(t).strftime("%d-%m %H:%M") if t else tr._("never")

        self.sync_text = tr._(
            "Central server: {queued} waiting, {quarantined} set aside; "
            "last sent {push}, last received {pull}"
        ).format(
            queued=st.queued,
            quarantined=st.quarantined,
            push=when(st.last_push),
            pull=when(st.last_pull),
        )

    def render_camera(self) -> None:
        app = self.app
        state = tr._(CAMERA_WORDS.get(app.camera_state, app.camera_state))
        line = tr._("Camera: {state}").format(state=state)
        counts = app.camera_counts()
        if counts is not None:
            line += "  \u2022  " + tr._("{shown} frames shown, {read} read").format(
                shown=counts[0], read=counts[1]
            )
        self.camera_text = line

    def render(self) -> None:
        table = self.ids.counts
        table.clear_widgets()
        table.add_widget(self._cell(tr._("Room"), bold=True, left=True))
        for text in [tr._(KIND_WORDS[k]) for k in KINDS] + [tr._("Total")]:
            table.add_widget(self._cell(text, bold=True))
        totals = dict.fromkeys(KINDS, 0)
        for room in self.service.rooms:
            row = self.counts.get(room.code, {})
            table.add_widget(self._cell(self.app.room_name(room), left=True))
            for k in KINDS:
                totals[k] += row.get(k, 0)
                table.add_widget(self._cell(str(row.get(k, 0))))
            table.add_widget(self._cell(str(sum(row.values())), bold=True))
        table.add_widget(self._cell(tr._("Total"), bold=True, left=True))
        for k in KINDS:
            table.add_widget(self._cell(str(totals[k]), bold=True))
        table.add_widget(self._cell(str(sum(totals.values())), bold=True))

        box = self.ids.refusals
        box.clear_widgets()
        if not self.refusals:
            box.add_widget(self._cell(tr._("No refused scans."), left=True, size="18sp"))
        for at, reason, excerpt in self.refusals:
            when = local_time(at).strftime("%H:%M")
            word = tr._(REFUSAL_WORDS.get(reason, reason))
            box.add_widget(self._cell(f"{when}  {word}  {excerpt[:28]}", left=True, size="18sp"))

    def _cell(self, text: str, bold: bool = False, left: bool = False, size: str = "20sp") -> Label:
        label = Label(
            text=text,
            bold=bold,
            font_size=size,
            color=W.INK,
            halign="left" if left else "center",
            valign="middle",
            size_hint_y=None,
            height="40dp",
            shorten=True,
            padding=("8dp", 0),
        )
        if not left:  # number columns: fixed width, the room names get the rest
            label.size_hint_x = None
            label.width = dp(112)
        label.bind(size=lambda lb, sz: setattr(lb, "text_size", sz))
        return label

    def render_folders(self) -> None:
        box = self.ids.folders
        box.clear_widgets()
        for folder in usb_folders():
            button = W.RoundedButton(text=folder, bg_color=W.CARD, height="64dp", font_size="20sp")
            button.bind(on_release=lambda b: self.export(b.text))
            box.add_widget(button)

    def export(self, folder: str) -> None:
        folder = folder.strip()
        if not folder:
            return
        if not Path(folder).is_absolute():  # a relative path would land in the app's folder
            self.export_message = tr._("Type the whole folder path, starting with /")
            return
        self.export_message = tr._("Saving…")
        self.app.call(
            export_counts,
            self.service,
            Path(folder),
            then=self._exported,
            failed=self._export_failed,
        )

    def _exported(self, path: str) -> None:
        self.export_message = tr._("Saved: {path}").format(path=path)

    def _export_failed(self, exc: BaseException) -> None:
        self.export_message = tr._("Could not save: {reason}").format(reason=exc)


def export_counts(svc: Any, folder: Path) -> str:
    """Today's counts into `folder` (a USB stick), the same file as `kiosk export daily`."""
    if not folder.is_dir():
        raise OSError(f"{folder} is not a folder")
    return str(write_daily(svc.daily_report(), folder, "xlsx", svc.settings.language))
