"""Cheap preprocessing variants, and the two ways the kiosk uses them.

A variant is one engine pass over one prepared copy of the grey frame (binarized, thickened,
sharpened, scaled...). Each reads some codes the frame as it is does not: glare, blur, shadow,
worn print. Every variant in the lists below earned its place on the hard synthetic set
(`tools/bench_scan.py --section hard`, numbers in the README's camera section).

- Stills (`kiosk decode`): `CascadeDecoder` runs the variants in order within a time budget per
  image and reports every distinct code found (by text and position).
- Live (the kiosk's camera, `kiosk scan`): `RotatingDecoder` reads every frame as it is with
  zxing; a frame that gives nothing takes the next turn of LIVE (one variant, or several
  "+"-joined that run in order until one reads): a frame zxing reads costs one pass. A
  `when_seen` variant (ZBar, ~4 ms at half size; a bent code straightened, ~5 ms) runs only
  where zxing located a code it could not decode, never on an empty scene.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from kiosk.vision.decoders import (
    Code,
    DecoderUnavailable,
    Outline,
    as_grey,
    make_decoder,
    ordered_corners,
    rescaled,
)
from kiosk.vision.unbend import Straightener, located_by_opencv

log = logging.getLogger(__name__)

Prepare = Callable[[np.ndarray], np.ndarray]

_CLAHE = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8))


def clahe(grey: np.ndarray) -> np.ndarray:
    """Contrast equalised tile by tile: dim cards, shadows, glare beside dark print."""
    return _CLAHE.apply(grey)


def sharpen(grey: np.ndarray) -> np.ndarray:
    """Unsharp mask: module edges back from motion and focus blur."""
    soft = cv2.GaussianBlur(grey, (0, 0), 2.0)
    return cv2.addWeighted(grey, 2.0, soft, -1.0, 0)


def flatten(grey: np.ndarray) -> np.ndarray:
    """The frame divided by its own large-scale light: uneven light, shadows and glare."""
    small = cv2.resize(grey, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    light = cv2.resize(cv2.GaussianBlur(small, (0, 0), 3.0), (grey.shape[1], grey.shape[0]))
    return cv2.divide(grey, np.maximum(light, 1), scale=160)


_LIFT = np.array([min(255, round(255 * (i / 255) ** 0.5)) for i in range(256)], np.uint8)


def sharpen_strong(grey: np.ndarray) -> np.ndarray:
    """A wider, stronger unsharp mask: a card out of focus (held too close)."""
    soft = cv2.GaussianBlur(grey, (0, 0), 3.0)
    return cv2.addWeighted(grey, 3.0, soft, -2.0, 0)


def binarize(grey: np.ndarray, block: int = 31) -> np.ndarray:
    """Black and white by the local mean (31-pixel blocks): ZBar's own fixed threshold loses
    faded, shadowed and glared modules that this keeps."""
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)


def binarize_fine(grey: np.ndarray) -> np.ndarray:
    """The local mean over 15-pixel blocks: small or far codes whose modules a 31-pixel block
    averages away."""
    return binarize(grey, 15)


def lift(grey: np.ndarray) -> np.ndarray:
    """Dark tones lifted (gamma 0.5): a card in low light."""
    return cv2.LUT(grey, _LIFT)


def thicken(grey: np.ndarray) -> np.ndarray:
    """Dark print grown by a pixel: scratches and creases through the modules closed."""
    return cv2.erode(grey, np.ones((3, 3), np.uint8))


def denoise(grey: np.ndarray) -> np.ndarray:
    """Median 3x3: sensor noise and JPEG blocks."""
    return cv2.medianBlur(grey, 3)


@dataclass(frozen=True)
class Variant:
    """One engine pass over one prepared copy of the grey frame."""

    name: str
    prepare: Prepare | None = None  # None: the frame as it is
    scale: float = 1.0  # resize before preparing (0.5: blurred or big codes read at half size)
    # ... but never below this many pixels on the long side (a 640x480 camera stays as it is)
    min_side: int = 640
    engine: str = "zxing"
    binarizer: str = "local"  # zxing: local | global | fixed (see ZxingDecoder.read)
    # Only where zxing located a code it could not decode in the frame as it is: a slow engine
    # (ZBar, ~9 ms a frame) then runs on the few frames that need it, and the others cost one
    # zxing pass (empty scenes, cards zxing reads: their codes come back as they are).
    when_seen: bool = False
    # Unbend (when_seen too): each code zxing located but could not decode, straightened by
    # each of these sags along each of these axes (kiosk.vision.unbend), read by the engine.
    sags: tuple[float, ...] = ()
    axes: tuple[int, ...] = (0, 1)
    # ... or (stills) the code OpenCV's detector outlines, where zxing's outline was no use.
    opencv_outline: bool = False

    def run(self, grey: np.ndarray, engines: Engines) -> list[Code]:
        """This variant on its own (a when_seen variant first reads the frame as it is)."""
        seen: list[Outline] = []
        if self.when_seen and (zxing := engines.get("zxing")) is not None:
            codes, seen = zxing.read_seen(grey)
            if codes or not seen:
                return codes
        return self.read(grey, engines, seen)

    def read(self, grey: np.ndarray, engines: Engines, seen: Sequence[Outline] = ()) -> list[Code]:
        """The engine pass over the prepared copy, whatever the frame as it is gave; `seen`:
        the outlines zxing located in it but could not decode."""
        engine = engines.get(self.engine)
        if engine is None:  # without libzbar0: nothing more than the zxing pass
            return []
        if self.opencv_outline:
            seen = located_by_opencv(grey)
        if self.sags:
            return self._unbent(grey, engine, seen)
        image = grey
        scale = self.scale
        if scale < 1.0:
            scale = min(1.0, max(scale, self.min_side / max(grey.shape)))
        if scale != 1.0:
            inter = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
            image = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=inter)
        if self.prepare is not None:
            image = self.prepare(image)
        codes = engine.read(np.ascontiguousarray(image), self.binarizer)
        if scale != 1.0:
            codes = [rescaled(c, 1 / scale, 0, 0) for c in codes]
        return codes

    def _unbent(self, grey: np.ndarray, engine: Any, seen: Sequence[Outline]) -> list[Code]:
        """Each located code straightened sag by sag until one reads (its first code kept, in
        frame pixels)."""
        out: list[Code] = []
        for outline in seen:
            if cv2.contourArea(np.float32(outline)) < 100:  # no outline given (all zeros)
                continue
            code = Straightener(grey, outline)
            for axis, sag in ((a, s) for a in self.axes for s in self.sags):
                codes = engine.read(code.unbent(sag, axis), self.binarizer)
                if codes:
                    corners = ordered_corners(code.in_frame(codes[0].corners, sag, axis))
                    out = merge(out, [replace(codes[0], corners=corners)])
                    break
        return out


SAGS = (-0.06, -0.12, -0.18, -0.24, 0.06, 0.12, 0.18, 0.24)  # the mild ones first

# Every candidate measured; LIVE and STILL below keep the ones that earn their place.
CANDIDATES: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("as_is"),
        Variant("clahe", clahe),
        Variant("sharpen", sharpen),
        Variant("global", binarizer="global"),
        Variant("flatten", flatten),
        Variant("lift", lift),
        Variant("thicken", thicken),
        Variant("denoise", denoise),
        Variant("half", scale=0.5),
        Variant("half_sharpen", sharpen, scale=0.5),
        Variant("half_clahe", clahe, scale=0.5),
        Variant("half_flatten", flatten, scale=0.5),
        Variant("half_global", scale=0.5, binarizer="global"),
        Variant("half_thicken", thicken, scale=0.5),
        Variant("half_lift", lift, scale=0.5),
        Variant("double", scale=2.0),
        Variant("clahe_global", clahe, binarizer="global"),
        Variant("flatten_global", flatten, binarizer="global"),
        Variant("zbar", engine="pyzbar"),
        Variant("half_zbar", scale=0.5, engine="pyzbar"),
        Variant("half_sharpen_zbar", sharpen, scale=0.5, engine="pyzbar"),
        Variant("zbar_clahe", clahe, engine="pyzbar"),
        # The half-size ZBar variants below also as when_seen ("seen_"), for the live rotation.
        Variant("sharpen_strong", sharpen_strong),
        Variant("half_sharpen_strong", sharpen_strong, scale=0.5),
        Variant("binarize_zbar", binarize, engine="pyzbar"),
        Variant("binarize_fine_zbar", binarize_fine, engine="pyzbar"),
        Variant("half_binarize_zbar", binarize, scale=0.5, engine="pyzbar"),
        Variant("half_thicken_zbar", thicken, scale=0.5, engine="pyzbar"),
        Variant("thicken_zbar", thicken, engine="pyzbar"),
        Variant("half_denoise_zbar", denoise, scale=0.5, engine="pyzbar"),
        # Live: the slow engine only where zxing located a code it could not decode.
        Variant("seen_half_sharpen_zbar", sharpen, scale=0.5, engine="pyzbar", when_seen=True),
        Variant("seen_half_binarize_zbar", binarize, scale=0.5, engine="pyzbar", when_seen=True),
        Variant("seen_half_zbar", scale=0.5, engine="pyzbar", when_seen=True),
        # A code on a bent card or a bottle's label: sags of 6 to 24 % of its side.
        Variant("seen_unbend", sags=SAGS, when_seen=True),
        Variant("opencv_unbend", sags=SAGS, opencv_outline=True),
        # ... and in four parts, for the live rotation: rows or columns, bowed one way or the other.
        Variant("seen_unbend_rows_pos", sags=SAGS[4:], axes=(0,), when_seen=True),
        Variant("seen_unbend_rows_neg", sags=SAGS[:4], axes=(0,), when_seen=True),
        Variant("seen_unbend_cols_pos", sags=SAGS[4:], axes=(1,), when_seen=True),
        Variant("seen_unbend_cols_neg", sags=SAGS[:4], axes=(1,), when_seen=True),
    )
}

# Live: zxing reads every frame as it is; a frame it cannot read goes, where zxing located a
# code, through ZBar on the half-size frame binarized by the local mean and, when that reads
# nothing either, through zxing on the half-size frame under a strong unsharp mask (about 1 ms;
# it reads defocused and motion-blurred cards zxing located nothing in), and last, where zxing
# gave the located code an outline, through the code straightened as if bent (four sags, ~5 ms;
# rows or columns, bowed one way or the other: one of the four turns below per unread frame).
# Chosen by replaying 432 hard presentations of seeds 13-16: both first steps on every unread
# frame read 80.8 %, alternating them 79.2 %, the single pass 74.1 %; a third variant in the
# turn (half_thicken_zbar, half, thicken, a crop of the located code scaled up x2, ...) gained
# at most 2 of 432; the straightened code 8 more (82.6 %; rows only, two turns: 82.4 %).
# README camera section.
_FIRST = "seen_half_binarize_zbar+half_sharpen_strong"
LIVE = tuple(
    f"{_FIRST}+seen_unbend_{part}" for part in ("rows_pos", "cols_pos", "rows_neg", "cols_neg")
)
# Stills: chosen greedily on the hard set of seeds 13 and 14 (540 codes, tools/make_hard_set.py),
# each adding at least two codes to the ones before it (binarize_fine_zbar, measured last: five).
# Measured after all of them, seen_unbend adds twelve bent labels none of the others read (~2 ms
# an image) and opencv_unbend six more that zxing outlined too poorly or not at all (~30 ms, so
# last). The sharpened variants (sharpen, sharpen_strong) and the global binarizer read a few
# more there, but misread short numeric codes in the hard presentations, so they stay out:
# never a wrong text.
STILL = (
    "as_is",
    "seen_unbend",
    "binarize_zbar",
    "half_denoise_zbar",
    "binarize_fine_zbar",
    "half_thicken",
    "half_thicken_zbar",
    "thicken",
    "thicken_zbar",
    "opencv_unbend",
)


class Engines:
    """The engines the variants use, made once; an engine that cannot run here is skipped
    (logged once) and the others go on."""

    def __init__(self, legacy: bool = False) -> None:
        self.legacy = legacy
        self._made: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._made:
            try:
                self._made[name] = make_decoder(name, legacy=self.legacy)
            except DecoderUnavailable as exc:
                log.warning("preprocessing variants without %s: %s", name, exc)
                self._made[name] = None
        return self._made[name]


def pick(names: Sequence[str]) -> list[Variant]:
    """Variants by name (a "+"-joined live turn counts as its parts); an unknown name is
    refused with the choices."""
    names = [n for name in names for n in name.split("+")]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        raise ValueError(f"unknown variant {unknown[0]!r}; choose from {', '.join(CANDIDATES)}")
    return [CANDIDATES[n] for n in names]


def _centre(code: Code) -> tuple[float, float]:
    xs, ys = zip(*code.corners, strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _inside(point: tuple[float, float], code: Code) -> bool:
    poly = np.asarray(code.corners, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(poly, point, False) >= 0


def same_place(a: Code, b: Code) -> bool:
    """Two reads of one printed code: each one's centre lies inside the other's outline."""
    return _inside(_centre(a), b) or _inside(_centre(b), a)


def merge(found: list[Code], new: list[Code]) -> list[Code]:
    """`found` plus the codes of `new` that are not already there (same text, same place).

    A different text at the place of a code already found is a misread by a later, weaker
    variant: it is dropped (logged) so that a wrong text is never reported."""
    out = list(found)
    for code in new:
        twins = [c for c in out if same_place(c, code)]
        if any(c.text == code.text for c in twins):
            continue
        if twins:
            log.warning("dropped a conflicting read %r over %r", code.text[:40], twins[0].text[:40])
            continue
        out.append(code)
    return out


class CascadeDecoder:
    """Stills: the variants in order within `budget_ms` per image, every distinct code.

    The first variant always runs; each next one starts only while the budget lasts."""

    name = "cascade"

    def __init__(
        self,
        variants: Sequence[str] = STILL,
        legacy: bool = False,
        budget_ms: float = 300.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.variants = pick(variants)
        self.legacy = legacy
        self.budget_ms = budget_ms
        self.clock = clock
        self.engines = Engines(legacy)
        self.last_run: list[str] = []  # the variants the last image went through

    def decode(self, frame: Any) -> list[Code]:
        grey = as_grey(frame)
        start = self.clock()
        found: list[Code] = []
        self.last_run = []
        for n, variant in enumerate(self.variants):
            if n and (self.clock() - start) * 1000 >= self.budget_ms:
                break
            found = merge(found, variant.run(grey, self.engines))
            self.last_run.append(variant.name)
        return found


class RotatingDecoder:
    """Live frames: zxing reads every frame as it is; a frame it cannot read takes the next turn
    of the rotation. A turn is one variant name, or several joined by "+" that run in order on
    that frame until one reads (a when_seen variant only where zxing located a code)."""

    name = "rotating"

    def __init__(self, variants: Sequence[str] = LIVE, legacy: bool = False) -> None:
        self.legacy = legacy
        self.engines = Engines(legacy)
        # The frame as it is is read anyway; a variant whose engine cannot run here (no
        # libzbar0) would only waste its frames.
        turns = [
            [v for v in pick([turn]) if v.name != "as_is" and self.engines.get(v.engine)]
            for turn in variants
        ]
        self.turns = [t for t in turns if t]
        self._turn = 0
        self.last = ""  # the variants the last frame went through, "+"-joined

    def decode(self, frame: Any) -> list[Code]:
        grey = as_grey(frame)
        codes, seen = self.engines.get("zxing").read_seen(grey)
        self.last = "as_is"
        if codes or not self.turns:
            return codes
        # Only frames the plain pass cannot read move the rotation on: a card zxing cannot read
        # for n frames has met every turn, whatever the empty scene before it did.
        turn = self.turns[self._turn % len(self.turns)]
        self._turn += 1
        ran = []
        for variant in turn:
            if variant.when_seen and not seen:
                continue
            ran.append(variant.name)
            codes = variant.read(grey, self.engines, seen)
            if codes:
                break
        self.last = "+".join(ran) or "as_is"
        return codes
