"""Kiosk behaviour: idle reset, language switch, staff PIN lockout, camera loss and return."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.services.staff_pin import PinGuard, save_pin
from ui.driver import Driver, FakeMono
from ui.helpers import card_payload, empty_frames


def test_idle_reset_from_every_screen(kiosk: Driver) -> None:
    idle = kiosk.app.settings.idle_seconds
    assert idle == 20
    openers = {
        "guest": "guest_button",
        "group": "group_button",
        "keypad": "keypad_button",
        "survey": "rate_button",
    }
    for screen, button in openers.items():
        kiosk.tap_id(button, "home")
        assert kiosk.current == screen
        kiosk.later(idle - 2)
        assert kiosk.current == screen
        kiosk.later(3)
        assert kiosk.current == "home", screen
    # the staff screens and the room choice too; a tap restarts the count
    kiosk.tap(kiosk.app.root.ids.staff_button)
    assert kiosk.current == "staff_pin"
    kiosk.later(idle - 2)
    kiosk.tap_key(kiosk.screen().ids.pad, "1")
    kiosk.later(idle - 2)
    assert kiosk.current == "staff_pin"
    kiosk.later(3)
    assert kiosk.current == "home"
    assert kiosk.screen("staff_pin").pin == ""  # what was typed is forgotten
    kiosk.app.card_seen(card_payload(kiosk.app.service, "M2016001"))
    kiosk.settle()
    assert kiosk.current == "rooms"
    kiosk.later(idle + 1)
    assert kiosk.current == "home"


def test_guest_answers_are_forgotten_on_idle(kiosk: Driver) -> None:
    kiosk.tap_id("guest_button", "home")
    kiosk.tap_text("Pelajar")
    kiosk.later(21)
    assert kiosk.current == "home"
    kiosk.tap_id("guest_button", "home")
    assert kiosk.screen().step == 0 and kiosk.screen().answers == {}


def test_language_switch_rerenders_everything(kiosk: Driver) -> None:
    assert "Tunjukkan kartu anggota Anda" in kiosk.texts()
    assert "Rabu, 25 November 2026" in kiosk.texts()
    kiosk.tap(kiosk.app.root.ids.lang_button)
    text = kiosk.texts()
    assert "Show your member card" in text and "Tunjukkan" not in text
    assert "Wednesday, 25 November 2026" in text
    assert kiosk.app.root.ids.lang_button.text == "Bahasa Indonesia"
    # screens built in Python follow too, also while they are open
    kiosk.tap_id("guest_button", "home")
    assert "Which describes you best?" in kiosk.texts()
    assert "University student" in kiosk.texts()
    kiosk.tap(kiosk.app.root.ids.lang_button)
    assert "Anda termasuk yang mana?" in kiosk.texts()
    assert "Mahasiswa" in kiosk.texts()
    kiosk.tap_id("cancel_button")
    kiosk.tap(kiosk.app.root.ids.lang_button)
    kiosk.app.card_seen(card_payload(kiosk.app.service, "M2016002"))
    kiosk.settle()
    assert "Hello, Budi!" in kiosk.texts()
    assert "Reference collection" in kiosk.texts()
    kiosk.tap_text("Reference collection")
    assert "Welcome, Budi!" in kiosk.texts()
    assert "Your visit to Reference collection is recorded." in kiosk.texts()


def test_staff_pin_lockout_then_numbers_and_export(
    open_kiosk: Callable[..., Driver], tmp_path: Path
) -> None:
    save_pin_dir = tmp_path / "data"
    save_pin_dir.mkdir(parents=True, exist_ok=True)
    from kiosk.config import load_settings

    save_pin(load_settings(overrides={"data_dir": save_pin_dir}, environ={}), "2468")
    kiosk = open_kiosk(location="BACA")
    svc = kiosk.app.service
    svc.check_in(card_payload(svc, "M2016001"))
    svc.check_in("nonsense")

    def enter(pin: str) -> None:
        pad = kiosk.screen("staff_pin").ids.pad
        kiosk.type_on(pad, pin)
        kiosk.tap_key(pad, "OK")

    kiosk.tap(kiosk.app.root.ids.staff_button)
    for _ in range(3):
        enter("1111")
        assert kiosk.current == "staff_pin"
        assert "PIN salah." in kiosk.texts()
    enter("1112")  # the fourth wrong PIN locks for 30 s
    assert "Coba lagi dalam 30 detik" in kiosk.texts()
    # restarting the kiosk does not lift it: the guard a new start builds is locked too
    restarted = PinGuard.for_settings(kiosk.app.settings, clock=FakeMono())
    assert restarted.failures == 4 and restarted.lockout_left() > 0
    assert not restarted.try_pin("2468")
    enter("2468")  # even the right PIN waits
    assert kiosk.current == "staff_pin"
    kiosk.later(15)
    enter("1113")  # still locked: not even checked
    assert "Coba lagi dalam 15 detik" in kiosk.texts()
    kiosk.later(16)
    enter("1114")  # a fifth wrong PIN: the lock doubles
    assert "Coba lagi dalam 60 detik" in kiosk.texts()
    kiosk.later(61)
    assert kiosk.current == "home"  # the idle reset closed the PIN screen meanwhile
    kiosk.tap(kiosk.app.root.ids.staff_button)
    enter("2468")
    assert kiosk.current == "staff"
    staff = kiosk.screen()
    kiosk.settle()
    text = kiosk.texts()
    assert "Ruang Baca Umum" in text and "kode tidak sah" in text
    assert "Kamera: kamera belum diatur" in text

    # no stick: nothing to tap, and no path to type
    assert "Flashdisk tidak ditemukan" in kiosk.texts() and not staff.ids.folders.children
    media = Path(tempfile.mkdtemp(prefix="media", dir="/tmp"))
    stick = media / "KIOSK_USB"
    stick.mkdir()
    mounts = media / "mounts"  # the kernel's mount list, as /proc/mounts writes it
    mounts.write_text(f"/dev/sdb1 {stick} vfat rw,nosuid,nodev 0 0\nproc /proc proc rw 0 0\n")
    staff.mounts_file, staff.drive_roots = mounts, (str(media),)
    kiosk.tap_id("look_again")
    [button] = staff.ids.folders.children
    assert button.text.startswith("KIOSK_USB") and "sisa" in button.text
    assert button.color[0] < 0.5  # dark words on the white button
    kiosk.tap(button)
    kiosk.wait(lambda: "Tersimpan di KIOSK_USB" in staff.export_message, what="the export")
    assert [p.suffix for p in stick.iterdir()] == [".xlsx"]  # no temporary file left
    shutil.rmtree(stick)  # pulled out
    kiosk.tap(button)
    kiosk.wait(lambda: "Tidak tersimpan" in staff.export_message, what="the refusal")
    assert staff.export_failed and not staff.ids.folders.children
    assert not stick.exists()  # nothing written to the kiosk's own disk in its place
    shutil.rmtree(media)


def test_camera_lost_and_back(open_kiosk: Callable[..., Driver], tmp_path: Path) -> None:
    camera = empty_frames(tmp_path / "cam")
    kiosk = open_kiosk(camera=lambda svc: str(camera))
    home = kiosk.screen("home")
    kiosk.wait(lambda: kiosk.app.camera_ok, what="the camera")
    assert home.ids.camera_banner.opacity == 0
    assert home.ids.keypad_button.selected is False
    frame = camera / "frame_0000.png"
    hidden = tmp_path / "unplugged.png"
    shutil.move(frame, hidden)  # the camera gives no more pictures
    kiosk.wait(lambda: kiosk.app.camera_state == "lost", what="the camera to be lost")
    kiosk.settle()
    assert home.ids.camera_banner.opacity == 1
    assert "Kamera sedang tidak berfungsi" in kiosk.texts()
    assert home.ids.keypad_button.selected is True  # the way in without a camera stands out
    shutil.move(hidden, frame)  # and comes back
    kiosk.wait(lambda: kiosk.app.camera_ok, what="the camera to come back")
    kiosk.settle()
    assert home.ids.camera_banner.opacity == 0
    assert "Kamera sedang tidak berfungsi" not in kiosk.texts()
    assert kiosk.app.camera.textures_made == 1
