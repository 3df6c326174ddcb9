#!/usr/bin/env python3
"""Render a demo camera feed: visitors presenting member cards to the kiosk camera.

    .venv/bin/python tools/make_feed.py --out assets/demo/feed.avi            # demo cards
    .venv/bin/python tools/make_feed.py --cards cards/ --out feed.mp4 --size 640x480 --fps 15

Cards come from PNG card faces (`kiosk cards --format png --out cards/`) or, without --cards,
from generated demo cards. Each card approaches, tilts, is held and leaves, with motion blur,
noise, light changes and glare. Prints one JSON line: the file, frame count and the cards shown
(with --truth FILE, per-frame ground truth is written as JSON too).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import synth  # noqa: E402


def size_arg(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    if not (w.isdigit() and h.isdigit()) or int(w) < 64 or int(h) < 64:
        raise argparse.ArgumentTypeError("size looks like 1280x720")
    return int(w), int(h)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cards", nargs="+", metavar="PNG_OR_DIR", help="card PNGs or a folder of them")
    p.add_argument("--count", type=int, default=6, help="demo cards to generate without --cards")
    p.add_argument("--out", required=True, help="video file (.avi MJPG, .mp4 mp4v or .mkv)")
    p.add_argument("--size", type=size_arg, default=(1280, 720), metavar="WxH")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--hard-every",
        type=int,
        default=0,
        metavar="N",
        help="every Nth presentation under hard conditions (strong blur, glare)",
    )
    p.add_argument("--no-repeat", action="store_true", help="don't show the first card again")
    p.add_argument("--truth", metavar="JSON", help="write per-frame ground truth here")
    args = p.parse_args(argv)

    if args.cards:
        paths: list[Path] = []
        for item in args.cards:
            path = Path(item)
            paths.extend(sorted(path.glob("*.png")) if path.is_dir() else [path])
        faces = synth.load_card_faces([str(x) for x in paths])
    else:
        faces = []
        for i in range(1, args.count + 1):
            text = synth.demo_payload(i)
            faces.append((text, synth.card_face(text, f"Anggota Demo {i}", f"M2016{i:03d}")))
    if not faces:
        p.error("no cards to show")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    truth = synth.write_feed(
        faces,
        args.out,
        args.size,
        args.fps,
        args.seed,
        repeat_first=not args.no_repeat,
        hard_every=args.hard_every,
    )
    if args.truth:
        Path(args.truth).write_text(json.dumps(truth))
    print(
        json.dumps(
            {
                "file": args.out,
                "frames": len(truth),
                "fps": args.fps,
                "size": list(args.size),
                "cards": [t for t, _ in faces],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
