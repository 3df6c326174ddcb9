#!/usr/bin/env python3
"""Write the hard synthetic still set: cards and plain QR codes under hard camera conditions.

    .venv/bin/python tools/make_hard_set.py --out /tmp/hard-set              # 30 per condition
    .venv/bin/python tools/make_hard_set.py --out /tmp/hard-set --per-condition 60 --seed 7

Conditions (tests/support/synth.py, HARD_CONDITIONS), each on top of ordinary noise and JPEG:
glare, motion blur, defocus, steep perspective, a curved (bent) card, low light, uneven light
(a shadow across the card), heavy noise + JPEG, a worn and creased print. Half of the images show
the library's member card as `kiosk cards` prints it, half a plain QR code of another version
(1-10ish, error correction L/M/Q/H, URLs, numbers, sentences), so that nothing is tuned to one
layout. Empty scenes (no code) catch false reads. PNG files plus labels.json:
{"file.png": {"condition": ..., "subject": "card"|"qr"|"none", "codes": [text, ...]}}, the same
labels format tools/bench_scan.py --photos reads. Prints one JSON line with the counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402

from tests.support import synth  # noqa: E402


def write_hard_set(out: Path, per_condition: int, seed: int, empty: int) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    labels = {}
    for i, still in enumerate(synth.hard_stills(per_condition, seed=seed, empty=empty)):
        name = f"{i:04d}_{still.condition}_{still.subject}.png"
        cv2.imwrite(str(out / name), still.image)
        labels[name] = {
            "condition": still.condition,
            "subject": still.subject,
            "codes": [still.text] if still.text is not None else [],
        }
    (out / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False))
    return labels


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path, help="folder for the images and labels")
    p.add_argument("--per-condition", type=int, default=30)
    p.add_argument("--empty", type=int, default=30, help="scenes without a code")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args(argv)
    labels = write_hard_set(args.out, args.per_condition, args.seed, args.empty)
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label["condition"]] = counts.get(label["condition"], 0) + 1
    print(json.dumps({"out": str(args.out), "images": len(labels), "per_condition": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
