#!/usr/bin/env python3
"""Draw the kiosk's pictograms and chimes: assets/rooms/*.png, assets/ui/*.png, assets/sounds/*.wav.

    .venv/bin/python tools/make_ui_assets.py

The files are committed; run this again only to change them. Pictograms are drawn at 4x and
scaled down (smooth edges without an SVG renderer); chimes are plain sine tones with a soft
attack and decay so that they are pleasant in a quiet reading room.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import wave
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SIZE = 256
S = 4  # supersampling
WHITE = (255, 255, 255, 255)

Draw = Callable[[ImageDraw.ImageDraw, int], None]


def tile(colour: tuple[int, int, int], draw: Draw, out: Path, round_tile: bool = True) -> None:
    big = SIZE * S
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if round_tile:
        d.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=(*colour, 255))
    draw(d, big)
    img = img.resize((SIZE, SIZE), Image.LANCZOS)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, optimize=True)


def _u(n: int, f: float) -> int:
    return round(n * f)


# --- rooms -------------------------------------------------------------------------------


def shelf(d: ImageDraw.ImageDraw, n: int) -> None:
    d.rounded_rectangle((_u(n, 0.16), _u(n, 0.78), _u(n, 0.84), _u(n, 0.84)), 8, fill=WHITE)
    x = 0.2
    for w, h in ((0.08, 0.46), (0.1, 0.52), (0.07, 0.4), (0.11, 0.5), (0.08, 0.44)):
        d.rounded_rectangle((_u(n, x), _u(n, 0.76 - h), _u(n, x + w), _u(n, 0.76)), 10, fill=WHITE)
        x += w + 0.035
    # one leaning book
    d.polygon(
        [
            (_u(n, 0.74), _u(n, 0.76)),
            (_u(n, 0.82), _u(n, 0.76)),
            (_u(n, 0.86), _u(n, 0.36)),
            (_u(n, 0.79), _u(n, 0.34)),
        ],
        fill=WHITE,
    )


def open_book(d: ImageDraw.ImageDraw, n: int, top: float = 0.3, bottom: float = 0.74) -> None:
    mid = n // 2
    lw = _u(n, 0.03)
    left = [
        (_u(n, 0.14), _u(n, top + 0.05)),
        (mid, _u(n, top + 0.1)),
        (mid, _u(n, bottom)),
        (_u(n, 0.14), _u(n, bottom - 0.05)),
    ]
    right = [(n - x, y) for x, y in left]
    d.polygon(left, fill=WHITE)
    d.polygon(right, fill=WHITE)
    d.line([(mid, _u(n, top + 0.1)), (mid, _u(n, bottom))], fill=(0, 0, 0, 60), width=lw // 2)
    for i in range(3):
        y = top + 0.18 + i * 0.1
        d.line(
            [(_u(n, 0.22), _u(n, y)), (_u(n, 0.42), _u(n, y + 0.03))], fill=(0, 0, 0, 50), width=lw
        )
        d.line(
            [(n - _u(n, 0.22), _u(n, y)), (n - _u(n, 0.42), _u(n, y + 0.03))],
            fill=(0, 0, 0, 50),
            width=lw,
        )


def reference(d: ImageDraw.ImageDraw, n: int) -> None:
    open_book(d, n, 0.36, 0.8)
    cx, cy, r = _u(n, 0.62), _u(n, 0.3), _u(n, 0.13)
    w = _u(n, 0.045)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=WHITE, width=w)
    d.line(
        [(cx + r * 0.7, cy + r * 0.7), (cx + r * 1.6, cy + r * 1.6)], fill=WHITE, width=_u(n, 0.06)
    )


def reading(d: ImageDraw.ImageDraw, n: int) -> None:
    # a reader's head above an open book on a table
    r = _u(n, 0.11)
    cx, cy = n // 2, _u(n, 0.26)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    open_book(d, n, 0.38, 0.72)
    d.rounded_rectangle((_u(n, 0.1), _u(n, 0.76), _u(n, 0.9), _u(n, 0.82)), 8, fill=WHITE)


def children(d: ImageDraw.ImageDraw, n: int) -> None:
    # two building blocks and a ball
    d.rounded_rectangle((_u(n, 0.16), _u(n, 0.52), _u(n, 0.44), _u(n, 0.8)), 18, fill=WHITE)
    d.rounded_rectangle((_u(n, 0.26), _u(n, 0.22), _u(n, 0.54), _u(n, 0.5)), 18, fill=WHITE)
    r = _u(n, 0.15)
    cx, cy = _u(n, 0.68), _u(n, 0.65)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    # a letter A on the top block, a star on the lower
    col = (0, 0, 0, 70)
    w = _u(n, 0.025)
    d.line(
        [(_u(n, 0.34), _u(n, 0.44)), (_u(n, 0.4), _u(n, 0.28)), (_u(n, 0.46), _u(n, 0.44))],
        fill=col,
        width=w,
    )
    d.line([(_u(n, 0.36), _u(n, 0.38)), (_u(n, 0.44), _u(n, 0.38))], fill=col, width=w)
    star(d, _u(n, 0.3), _u(n, 0.66), _u(n, 0.08), col)


def star(d: ImageDraw.ImageDraw, cx: int, cy: int, r: int, fill: tuple) -> None:
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.45
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=fill)


def pavilion(d: ImageDraw.ImageDraw, n: int) -> None:
    # a roof on pillars, a sun and a plant: reading in the open air
    d.polygon(
        [(_u(n, 0.12), _u(n, 0.42)), (n // 2, _u(n, 0.2)), (_u(n, 0.88), _u(n, 0.42))], fill=WHITE
    )
    for x in (0.2, 0.76):
        d.rectangle((_u(n, x), _u(n, 0.42), _u(n, x + 0.05), _u(n, 0.8)), fill=WHITE)
    d.rectangle((_u(n, 0.12), _u(n, 0.8), _u(n, 0.88), _u(n, 0.84)), fill=WHITE)
    r = _u(n, 0.06)
    d.ellipse((_u(n, 0.76) - r, _u(n, 0.16) - r, _u(n, 0.76) + r, _u(n, 0.16) + r), fill=WHITE)
    d.rounded_rectangle((_u(n, 0.36), _u(n, 0.58), _u(n, 0.64), _u(n, 0.64)), 6, fill=WHITE)
    d.ellipse((_u(n, 0.4), _u(n, 0.47), _u(n, 0.48), _u(n, 0.55)), fill=WHITE)
    d.ellipse((_u(n, 0.52), _u(n, 0.47), _u(n, 0.6), _u(n, 0.55)), fill=WHITE)


def door(d: ImageDraw.ImageDraw, n: int) -> None:
    d.rounded_rectangle((_u(n, 0.3), _u(n, 0.16), _u(n, 0.7), _u(n, 0.84)), 14, fill=WHITE)
    r = _u(n, 0.03)
    d.ellipse(
        (_u(n, 0.6) - r, _u(n, 0.52) - r, _u(n, 0.6) + r, _u(n, 0.52) + r), fill=(0, 0, 0, 90)
    )


def computer(d: ImageDraw.ImageDraw, n: int) -> None:
    d.rounded_rectangle((_u(n, 0.16), _u(n, 0.2), _u(n, 0.84), _u(n, 0.64)), 16, fill=WHITE)
    d.rectangle((_u(n, 0.44), _u(n, 0.64), _u(n, 0.56), _u(n, 0.74)), fill=WHITE)
    d.rounded_rectangle((_u(n, 0.3), _u(n, 0.74), _u(n, 0.7), _u(n, 0.8)), 8, fill=WHITE)


# --- home buttons ------------------------------------------------------------------------


def person(d: ImageDraw.ImageDraw, cx: int, top: int, scale: float, fill: tuple = WHITE) -> None:
    r = round(scale * 0.5)
    d.ellipse((cx - r, top, cx + r, top + 2 * r), fill=fill)
    body_top = top + round(2.3 * r)
    d.rounded_rectangle(
        (cx - round(1.6 * r), body_top, cx + round(1.6 * r), body_top + round(2.6 * r)),
        radius=round(1.2 * r),
        fill=fill,
    )


def guest(d: ImageDraw.ImageDraw, n: int) -> None:
    person(d, _u(n, 0.44), _u(n, 0.2), _u(n, 0.26))
    # a small suitcase: a visitor from elsewhere
    d.rounded_rectangle((_u(n, 0.62), _u(n, 0.56), _u(n, 0.86), _u(n, 0.8)), 10, fill=WHITE)
    d.rounded_rectangle(
        (_u(n, 0.69), _u(n, 0.5), _u(n, 0.79), _u(n, 0.58)), 8, outline=WHITE, width=_u(n, 0.02)
    )


def group(d: ImageDraw.ImageDraw, n: int) -> None:
    person(d, _u(n, 0.5), _u(n, 0.18), _u(n, 0.24))
    person(d, _u(n, 0.24), _u(n, 0.4), _u(n, 0.16))
    person(d, _u(n, 0.76), _u(n, 0.4), _u(n, 0.16))


def keypad(d: ImageDraw.ImageDraw, n: int) -> None:
    r = _u(n, 0.07)
    for i in range(3):
        for j in range(3):
            cx, cy = _u(n, 0.28 + 0.22 * i), _u(n, 0.24 + 0.2 * j)
            d.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), 10, fill=WHITE)
    cx, cy = n // 2, _u(n, 0.84)
    d.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), 10, fill=WHITE)


def rate(d: ImageDraw.ImageDraw, n: int) -> None:
    star(d, n // 2, _u(n, 0.52), _u(n, 0.34), WHITE)


def card(d: ImageDraw.ImageDraw, n: int) -> None:
    d.rounded_rectangle((_u(n, 0.1), _u(n, 0.24), _u(n, 0.9), _u(n, 0.76)), 20, fill=WHITE)
    d.rectangle((_u(n, 0.1), _u(n, 0.24), _u(n, 0.9), _u(n, 0.34)), fill=(0, 105, 92, 255))
    col = (0, 105, 92, 255)
    x0, y0, cell = _u(n, 0.56), _u(n, 0.4), _u(n, 0.06)
    for i, j in ((0, 0), (2, 0), (0, 2), (1, 1), (2, 2), (3, 1), (3, 3), (1, 3), (0, 3)):
        d.rectangle(
            (x0 + i * cell, y0 + j * cell, x0 + (i + 1) * cell, y0 + (j + 1) * cell), fill=col
        )
    for k in range(3):
        y = _u(n, 0.44 + 0.09 * k)
        d.rounded_rectangle(
            (_u(n, 0.16), y, _u(n, 0.48 - 0.08 * k), y + _u(n, 0.04)), 6, fill=(0, 0, 0, 70)
        )


def lock(d: ImageDraw.ImageDraw, n: int) -> None:
    d.rounded_rectangle((_u(n, 0.28), _u(n, 0.46), _u(n, 0.72), _u(n, 0.8)), 16, fill=WHITE)
    d.arc(
        (_u(n, 0.34), _u(n, 0.2), _u(n, 0.66), _u(n, 0.6)), 180, 360, fill=WHITE, width=_u(n, 0.06)
    )
    d.line([(_u(n, 0.37), _u(n, 0.4)), (_u(n, 0.37), _u(n, 0.48))], fill=WHITE, width=_u(n, 0.06))
    d.line([(_u(n, 0.63), _u(n, 0.4)), (_u(n, 0.63), _u(n, 0.48))], fill=WHITE, width=_u(n, 0.06))


# --- survey faces ------------------------------------------------------------------------

FACE_COLOURS = {1: (214, 69, 65), 2: (240, 146, 48), 3: (139, 190, 74), 4: (46, 150, 84)}


def face(level: int) -> Draw:
    def draw(d: ImageDraw.ImageDraw, n: int) -> None:
        colour = (*FACE_COLOURS[level], 255)
        d.ellipse((_u(n, 0.04), _u(n, 0.04), _u(n, 0.96), _u(n, 0.96)), fill=colour)
        dark = (40, 30, 20, 255)
        r = _u(n, 0.065)
        for ex in (0.35, 0.65):
            d.ellipse((_u(n, ex) - r, _u(n, 0.38) - r, _u(n, ex) + r, _u(n, 0.38) + r), fill=dark)
        w = _u(n, 0.05)
        box = (_u(n, 0.28), _u(n, 0.42), _u(n, 0.72), _u(n, 0.78))
        if level == 1:
            d.arc(
                (_u(n, 0.28), _u(n, 0.62), _u(n, 0.72), _u(n, 0.98)), 200, 340, fill=dark, width=w
            )
        elif level == 2:
            d.line([(_u(n, 0.34), _u(n, 0.7)), (_u(n, 0.66), _u(n, 0.66))], fill=dark, width=w)
        elif level == 3:
            d.arc(box, 25, 155, fill=dark, width=w)
        else:
            d.chord((_u(n, 0.26), _u(n, 0.44), _u(n, 0.74), _u(n, 0.8)), 0, 180, fill=dark)

    return draw


# --- chimes ------------------------------------------------------------------------------

RATE = 22050


def tones(notes: list[tuple[float, float, float]], volume: float = 0.35) -> bytes:
    """(frequency Hz, start s, length s) sine notes with a bell-like decay, mixed, 16-bit."""
    end = max(s + length for _, s, length in notes) + 0.05
    samples = [0.0] * int(end * RATE)
    for freq, start, length in notes:
        first = int(start * RATE)
        for i in range(int(length * RATE)):
            t = i / RATE
            attack = min(1.0, t / 0.008)
            decay = math.exp(-4.0 * t / length)
            v = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
            samples[first + i] += volume * attack * decay * v
    peak = max(1e-9, max(abs(x) for x in samples))
    scale = min(1.0, 0.9 / peak) * 32767
    return b"".join(struct.pack("<h", int(x * scale)) for x in samples)


SOUNDS = {
    # welcome: rising major third and fifth (C6 E6 G6)
    "welcome": [(1046.5, 0.0, 0.35), (1318.5, 0.12, 0.35), (1568.0, 0.24, 0.5)],
    # already checked in: one soft note, twice
    "repeat": [(880.0, 0.0, 0.25), (880.0, 0.22, 0.35)],
    # not valid: two low falling notes, calm but unmistakable
    "refused": [(392.0, 0.0, 0.35), (311.1, 0.3, 0.55)],
    # thank you (survey, guest, group): a short bright arpeggio
    "thanks": [(784.0, 0.0, 0.25), (1046.5, 0.1, 0.25), (1318.5, 0.2, 0.25), (1568.0, 0.3, 0.4)],
    # a key press
    "tap": [(1500.0, 0.0, 0.04)],
}


def write_wav(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data)


ROOMS: dict[str, tuple[tuple[int, int, int], Draw]] = {
    "kol": ((0, 121, 107), shelf),
    "ref": ((55, 90, 160), reference),
    "baca": ((122, 84, 160), reading),
    "pav": ((196, 120, 40), pavilion),
    "anak": ((222, 90, 110), children),
    "lab": ((40, 110, 150), computer),
    "room": ((90, 110, 120), door),
}
UI: dict[str, tuple[tuple[int, int, int], Draw]] = {
    "guest": ((0, 121, 107), guest),
    "group": ((222, 120, 50), group),
    "keypad": ((70, 100, 140), keypad),
    "rate": ((214, 160, 30), rate),
    "card": ((0, 121, 107), card),
    "staff": ((90, 100, 110), lock),
}


def main() -> int:
    written = []
    for name, (colour, draw) in ROOMS.items():
        out = ROOT / "assets" / "rooms" / f"{name}.png"
        tile(colour, draw, out)
        written.append(out)
    for name, (colour, draw) in UI.items():
        out = ROOT / "assets" / "ui" / f"{name}.png"
        tile(colour, draw, out)
        written.append(out)
    for level in FACE_COLOURS:
        out = ROOT / "assets" / "ui" / f"face{level}.png"
        tile((0, 0, 0), face(level), out, round_tile=False)
        written.append(out)
    for name, notes in SOUNDS.items():
        out = ROOT / "assets" / "sounds" / f"{name}.wav"
        write_wav(out, tones(notes))
        written.append(out)
    total = sum(p.stat().st_size for p in written)
    print(json.dumps({"files": [str(p.relative_to(ROOT)) for p in written], "bytes": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
