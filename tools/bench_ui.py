#!/usr/bin/env python3
"""Kiosk preview benchmark: frame time, dropped frames while scanning, memory over many frames.

    .venv/bin/python tools/bench_ui.py [--frames 20000] [--live-seconds 8]

Runs offscreen (SDL_VIDEODRIVER=offscreen unless a display is set) and prints one JSON object:
- `preview`: the kiosk's way (one reused texture, blit per frame on the UI thread) for
  `--frames` frames of a 1280x720 card video, drawing a full window each time: mean and p95
  frame time, and the process RSS sampled along the way (it must stay flat);
- `texture_per_frame`: the way to avoid (a new texture per frame), same frames, for comparison;
- `live`: the real camera path (reader thread, decoder thread, UI-thread preview) for
  `--live-seconds` on the demo video paced at 30 fps, while cards are being scanned: frames
  read, shown, dropped (read but never shown) and card events; against `live_decode_on_ui`,
  the same with decoding done on the UI thread (the way to avoid).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.headless import use_offscreen  # noqa: E402

use_offscreen(keep_display=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def make_video(folder: Path) -> Path:
    from tests.support import synth

    faces = [
        (synth.demo_payload(i), synth.card_face(synth.demo_payload(i), f"Anggota {i}"))
        for i in range(1, 5)
    ]
    out = folder / "feed.avi"
    synth.write_feed(faces, str(out), (1280, 720), 30.0, seed=3)
    return out


def load_frames(video: Path, limit: int = 60) -> list:
    from kiosk.vision.sources import read_frames

    return [f.image for f, _ in zip(read_frames(str(video)), range(limit), strict=False)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def preview_run(frames: list, count: int, per_frame_texture: bool) -> dict:
    from kivy.base import EventLoop
    from kivy.graphics.texture import Texture
    from kivy.uix.image import Image

    from kiosk.ui.camera import Preview

    image = Image(fit_mode="contain")
    EventLoop.window.add_widget(image)
    hub = Preview(on_texture=lambda tex: setattr(image, "texture", tex))  # the kiosk's preview
    times, rss = [], [(0, rss_mb())]
    start = time.perf_counter()
    for n in range(count):
        frame = frames[n % len(frames)]
        t0 = time.perf_counter()
        if per_frame_texture:
            tex = Texture.create(size=(frame.shape[1], frame.shape[0]), colorfmt="bgr")
            tex.flip_vertical()
            tex.blit_buffer(frame.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
            image.texture = tex
        else:
            hub.upload(frame)
        image.canvas.ask_update()
        EventLoop.idle()
        times.append((time.perf_counter() - t0) * 1000)
        if (n + 1) % max(1, count // 10) == 0:
            rss.append((n + 1, rss_mb()))
    EventLoop.window.remove_widget(image)
    return {
        "frames": count,
        "seconds": round(time.perf_counter() - start, 2),
        "frame_ms_mean": round(statistics.fmean(times), 3),
        "frame_ms_p95": round(percentile(times, 0.95), 3),
        "textures_made": hub.textures_made if not per_frame_texture else count,
        "rss_mb": rss,
        "rss_growth_mb": round(rss[-1][1] - rss[1][1], 1) if len(rss) > 2 else 0.0,
    }


def live_run(video: Path, seconds: float, decode_on_ui: bool) -> dict:
    from kivy.base import EventLoop
    from kivy.uix.image import Image

    from kiosk.ui.bridge import UiBridge
    from kiosk.ui.camera import CameraHub
    from kiosk.vision.pipeline import CardPipeline

    image = Image(fit_mode="contain")
    EventLoop.window.add_widget(image)
    events: list[str] = []
    bridge = UiBridge()
    hub = CameraHub(
        str(video),
        bridge,
        on_card=lambda text, _source: events.append(text),
        on_state=lambda s: None,
        on_texture=lambda tex: setattr(image, "texture", tex),
    )
    ui_pipeline = CardPipeline.for_cards("zxing")
    if decode_on_ui:
        hub.pipeline.start = lambda *_: None  # no decode thread: the preview decodes
        original = hub.preview.upload

        def upload_and_decode(img) -> None:  # noqa: ANN001
            original(img)
            for event in ui_pipeline.feed(img):
                events.append(event.text)

        hub.preview.upload = upload_and_decode
    hub.start()
    frame_times = []
    end = time.monotonic() + seconds
    last = time.perf_counter()
    while time.monotonic() < end:
        EventLoop.idle()
        now = time.perf_counter()
        frame_times.append((now - last) * 1000)
        last = now
    read = hub.source.status.frames
    hub.stop()
    EventLoop.window.remove_widget(image)
    shown = hub.frames_shown
    return {
        "seconds": seconds,
        "frames_read": read,
        "frames_shown": shown,
        "frames_dropped": max(0, read - shown),
        "dropped_share": round(max(0, read - shown) / max(1, read), 3),
        "ui_loop_ms_p95": round(percentile(frame_times, 0.95), 2),
        "ui_loop_ms_max": round(max(frame_times), 2),
        "card_events": len(events),
        "textures_made": hub.textures_made,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=20000)
    p.add_argument(
        "--compare-frames",
        type=int,
        default=300,
        help="frames for the texture-per-frame comparison",
    )
    p.add_argument("--live-seconds", type=float, default=8.0)
    args = p.parse_args(argv)

    from kivy.config import Config

    Config.set("graphics", "maxfps", "0")  # measure the work, not the frame-rate cap
    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    video = make_video(tmp)
    frames = load_frames(video)

    live = live_run(video, args.live_seconds, decode_on_ui=False)
    live_ui = live_run(video, args.live_seconds, decode_on_ui=True)
    reused = preview_run(frames, args.frames, per_frame_texture=False)
    # last: freeing hundreds of textures afterwards stalls the UI thread for seconds
    fresh = preview_run(frames, args.compare_frames, per_frame_texture=True)
    out = {
        "frame_size": [1280, 720],
        "preview": reused,
        "texture_per_frame": fresh,
        "live": live,
        "live_decode_on_ui": live_ui,
        "ratios": {
            "frame_ms_texture_per_frame_over_reused": round(
                fresh["frame_ms_mean"] / reused["frame_ms_mean"], 2
            ),
            "dropped_decode_on_ui_over_worker": round(
                live_ui["frames_dropped"] / max(1, live["frames_dropped"]), 2
            ),
            "rss_mb_per_100_frames_texture_per_frame_over_reused": round(
                (fresh["rss_growth_mb"] / fresh["frames"])
                / max(1e-3, reused["rss_growth_mb"] / reused["frames"]),
                1,
            ),
            "ui_p95_decode_on_ui_over_worker": round(
                live_ui["ui_loop_ms_p95"] / max(1e-9, live["ui_loop_ms_p95"]), 2
            ),
        },
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
