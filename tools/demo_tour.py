#!/usr/bin/env python3
"""A scripted kiosk tour without a display: the demo video as camera, a screenshot per step.

    SDL_VIDEODRIVER=offscreen .venv/bin/python tools/demo_tour.py --camera var/demo/feed.avi

Uses the settings of the environment (./tools/demo sets KIOSK_CONFIG and KIOSK_DATA_DIR). The
kiosk runs for real: cards in the video are read and checked in; where a visitor would tap a
room, the tour taps the first room. Prints one JSON line with the screenshots it saved.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.headless import use_offscreen  # noqa: E402

use_offscreen()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--camera", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, default=30.0)
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from kivy.config import Config

    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    from kivy.base import EventLoop

    from kiosk.config import load_settings
    from kiosk.services.kiosk import KioskService
    from kiosk.ui.app import KioskApp

    settings = load_settings()
    svc = KioskService.open(settings)
    app = KioskApp(svc, settings, camera=None if args.camera == "none" else args.camera)
    EventLoop.ensure_window()
    app._run_prepare()
    steps: list[dict] = []

    def snap(what: str) -> None:
        path = out / f"{len(steps) + 1:02d}-{what}.png"
        app.root.export_to_png(str(path))
        steps.append({"step": what, "file": str(path)})

    def run_for(seconds: float, until=None) -> None:  # noqa: ANN001
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (until and until()):
            EventLoop.idle()
            time.sleep(0.01)

    run_for(0.4)
    snap("home")
    seen = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end and seen < 4:
        run_for(end - time.monotonic(), lambda: app.current != "home")
        if app.current == "home":
            break
        run_for(0.4)
        snap(app.current)
        if app.current == "rooms":
            app.room_chosen(svc.rooms[seen % len(svc.rooms)].code)
            run_for(2.0, lambda: app.current == "result")
            run_for(0.2)
            snap("result")
        seen += 1
        run_for(5, lambda: app.current == "home")
    for name, opener in (
        ("guest", "guest_button"),
        ("group", "group_button"),
        ("keypad", "keypad_button"),
    ):
        app.home()
        run_for(0.3)
        app.screen("home").ids[opener].dispatch("on_release")
        run_for(0.8)
        snap(name)
    app.switch_language("en")
    app.home()
    run_for(0.5)
    snap("home-english")
    shown = (app.camera_counts() or (0, 0))[0]
    app.dispatch("on_stop")
    counts = svc.counts_on()
    svc.close()
    print(json.dumps({"screenshots": steps, "visits_today": counts, "camera_frames_shown": shown}))
    for s in steps:
        print(f"  {s['step']:<14} {s['file']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
