"""`kiosk run` (the touch-screen kiosk) and `kiosk staff set-pin`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from kiosk.cli import common_options, emit
from kiosk.config import Settings

WINDOWED_SIZE = (1280, 800)


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser("run", parents=[common], help="start the touch-screen kiosk")
    p.add_argument(
        "--windowed",
        action="store_true",
        help="a normal window with a cursor (development), not full screen",
    )
    p.add_argument(
        "--camera",
        metavar="SRC",
        help="webcam index, video file, image folder or stream URL "
        "(default: settings); 'none' for no camera",
    )
    p.add_argument("--size", default=None, metavar="WxH", help="window size with --windowed")
    p.set_defaults(func=cmd_run)

    staff = sub.add_parser("staff", help="staff access to the kiosk screen")
    ssub = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ssub.add_parser("set-pin", parents=[common], help="set the staff PIN (stored hashed)")
    p.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from standard input (scripts) instead of asking",
    )
    p.set_defaults(func=cmd_set_pin)


def configure_kivy(windowed: bool, size: tuple[int, int] = WINDOWED_SIZE) -> None:
    """Window settings; must run before kivy.core.window is imported."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our flags are not Kivy's
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if windowed:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
        Config.set("graphics", "show_cursor", "1")
    else:
        # Borderless and the display's own size; a touch kiosk has no use for a cursor.
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")


def _size(text: str | None) -> tuple[int, int]:
    if not text:
        return WINDOWED_SIZE
    w, _, h = text.lower().partition("x")
    if not (w.isdigit() and h.isdigit()):
        raise ValueError(f"--size looks like 1280x800, not {text!r}")
    return int(w), int(h)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.kiosk import KioskService

    camera = args.camera if args.camera is not None else settings.camera
    service = KioskService.open(settings)  # a missing database is reported before any window
    configure_kivy(args.windowed, _size(args.size))
    from kiosk.ui.app import KioskApp

    app = KioskApp(service, settings, camera=None if camera == "none" else camera)
    try:
        app.run()
    finally:
        service.close()
    return 0


def cmd_set_pin(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.domain.pin import check_pin_format
    from kiosk.services.staff_pin import save_pin

    if args.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("New staff PIN (4-12 digits): ").strip()
        check_pin_format(pin)
        if getpass.getpass("Once more: ").strip() != pin:
            raise ValueError("the two PINs differ; nothing changed")
    path = save_pin(settings, pin)
    note = ""
    if settings.staff_pin_hash:
        note = " (note: the settings' [staff] pin_hash is set and takes precedence)"
    emit(
        args,
        {"pin_file": str(path), "overridden_by_settings": bool(settings.staff_pin_hash)},
        f"staff PIN saved (hashed) in {path}{note}",
    )
    return 0
