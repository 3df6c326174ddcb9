"""Staff: a PIN (hashed, with a growing lockout), then today's numbers, camera, export, refusals."""

from __future__ import annotations

import errno
import math
from pathlib import Path
from typing import Any

from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label

from kiosk.adapters.files.landing import (
    PROC_MOUNTS,
    REMOVABLE_ROOTS,
    Drive,
    land_in,
    removable_drives,
)
from kiosk.adapters.render.exports import write_daily
from kiosk.domain.clock import local_day, local_time
from kiosk.domain.vocab import REFUSAL_WORDS
from kiosk.services.doctor import OK, Check, run_checks
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


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit in ("B", "KB") else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


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
    """Today's numbers, the camera, the refusals, and the export onto a USB stick: staff tap
    the stick by its name, never type a path."""

    camera_text = StringProperty("")
    sync_text = StringProperty("")
    sync_error_text = StringProperty("")
    doctor_text = StringProperty("")
    export_message = StringProperty("")
    export_failed = BooleanProperty(False)
    day_text = StringProperty("")
    # Where the mounted drives are listed (tests point these at a real temporary folder).
    mounts_file: Path = PROC_MOUNTS
    drive_roots: tuple[str, ...] = REMOVABLE_ROOTS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counts: dict[str, dict[str, int]] = {}
        self.refusals: list[tuple] = []
        self.sync: Any = None
        self.drives: list[Drive] = []

    def reset(self) -> None:
        self.export_message = ""
        self.export_failed = False

    def enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        svc = self.service
        self.day_text = local_day(svc.clock.now()).isoformat()
        self.app.call(
            lambda: (svc.counts_on(), svc.recent_refusals(8), svc.sync_status()), then=self._loaded
        )
        # `kiosk doctor` (camera state from this screen): only what needs a person is shown.
        self.app.call(run_checks, svc.settings, then=self._checked)
        self.render_camera()
        self.render_folders()

    def _loaded(self, data: tuple) -> None:
        self.counts, self.refusals, self.sync = data
        self.render()
        self.render_sync()

    def _checked(self, checks: list[Check]) -> None:
        # The sync line above says the sync's trouble in staff words already.
        self.doctor_text = "\n".join(
            f"{tr._('Needs attention')}: {c.name}: {c.detail}" + (f"; {c.fix}" if c.fix else "")
            for c in checks
            if c.status != OK and c.name != "sync"
        )

    def on_language(self) -> None:
        self.render()
        self.render_camera()
        self.render_sync()

    def render_sync(self) -> None:
        """Only on a kiosk enrolled at a central server: what waits to be sent."""
        st = self.sync
        if st is None:
            self.sync_text = self.sync_error_text = ""
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
        problem = st.problem
        self.sync_error_text = (
            tr._("Last sync problem, {when}: {what}").format(
                when=when(st.last_error_at), what=tr._(problem[0])
            )
            if problem
            else ""
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
        """The USB sticks plugged in now, each a button with its name and free space."""
        self.drives = removable_drives(self.mounts_file, self.drive_roots)
        box = self.ids.folders
        box.clear_widgets()
        for drive in self.drives:
            free = tr._("{size} free").format(size=_size(drive.free_bytes))
            button = W.RoundedButton(
                text=f"{drive.label}   ({free})",
                bg_color=W.CARD,
                height="64dp",
                font_size="20sp",
            )
            button.color = W.INK  # after the kv rule, which reads a white card as coloured
            button.bind(on_release=lambda b, d=drive: self.export(d))
            box.add_widget(button)
        self.ids.drives_hint.text = (
            tr._("Tap the USB stick to save today's counts on it.")
            if self.drives
            else tr._("No USB stick found. Plug one in and tap Look again.")
        )

    def export(self, drive: Drive) -> None:
        self.export_failed = False
        self.export_message = tr._("Saving…")
        self.app.call(
            export_counts,
            self.service,
            drive.path,
            then=lambda path: self._exported(drive, path),
            failed=self._export_failed,
        )

    def _exported(self, drive: Drive, path: str) -> None:
        self.export_message = tr._("Saved on {drive}: {name}").format(
            drive=drive.label, name=Path(path).name
        )

    def _export_failed(self, exc: BaseException) -> None:
        self.export_failed = True
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.export_message = tr._("Not saved: {reason}. Check the stick and try again.").format(
            reason=reason
        )
        self.render_folders()  # a stick pulled out goes from the list


def export_counts(svc: Any, folder: Path) -> str:
    """Today's counts onto a stick, the same file as `kiosk export daily`; whole or not at all."""
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the USB stick is no longer there", str(folder))
    report, lang = svc.daily_report(), svc.settings.language
    return str(land_in(folder, lambda tmp: write_daily(report, tmp, "xlsx", lang)))
