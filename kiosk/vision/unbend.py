"""A code on a bent surface, straightened: a card bent between fingers, a label on a bottle.

zxing locates such a code (its three finder patterns) but cannot decode it: its sampling grid
is a projective one, and the rows of a code on a cylinder bow by several modules across it. Here
the located outline is first rectified to a square (which takes out the perspective), then each
row is moved back by a parabola across the code, `sag` times the code's side at its middle and
nothing at its edges; the straightened copy is read again. The sag is not known, so a few are
tried, along either of the code's axes (a label may be printed upright or turned on the
bottle). Reads come back in frame pixels, mapped through the same warp.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

from kiosk.vision.decoders import Outline

Point = tuple[float, float]

SIDE = 240  # pixels of the rectified code: 4+ per module up to version 10, and cheap to read
MARGIN = 48  # pixels around it (a fifth of the side): a bent code bulges out of its outline
SIZE = SIDE + 2 * MARGIN
_SQUARE = np.float32(
    [
        [MARGIN, MARGIN],
        [MARGIN + SIDE, MARGIN],
        [MARGIN + SIDE, MARGIN + SIDE],
        [MARGIN, MARGIN + SIDE],
    ]
)


@lru_cache(maxsize=64)
def _sag_map(sag: float, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """remap() maps that move every row (axis 0) or column (axis 1) of the square by the
    parabola `sag * SIDE * (1 - u^2)`, u = -1..1 across it."""
    xs, ys = np.meshgrid(np.arange(SIZE, dtype=np.float32), np.arange(SIZE, dtype=np.float32))
    along, across = (xs, ys) if axis == 0 else (ys, xs)
    u = (along - SIZE / 2) / (SIZE / 2)
    moved = across + np.float32(sag * SIDE) * (1 - u * u)
    return (xs, moved) if axis == 0 else (moved, ys)


@lru_cache(maxsize=1)
def _detector() -> cv2.QRCodeDetector:
    """Made on first use: the live scanner never needs it."""
    return cv2.QRCodeDetector()


def located_by_opencv(grey: np.ndarray) -> list[Outline]:
    """The outline OpenCV's QR detector finds in the half-size frame (~20 ms at 1280x720), in
    frame pixels: for a code bent so far that zxing gave it no outline ("invalid symbol size"),
    or one too far off to straighten."""
    half = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    found, points = _detector().detect(half)
    if not found or points is None:
        return []
    return [tuple((float(x) * 2, float(y) * 2) for x, y in points.reshape(-1, 2))]


class Straightener:
    """One located code rectified once (the slow part, ~1 ms), then unbent sag by sag."""

    def __init__(self, grey: np.ndarray, outline: Outline) -> None:
        self.to_frame = cv2.getPerspectiveTransform(_SQUARE, np.float32(outline))
        self.square = cv2.warpPerspective(
            grey,
            self.to_frame,
            (SIZE, SIZE),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )

    def unbent(self, sag: float, axis: int) -> np.ndarray:
        """The code with its rows (axis 0) or columns (axis 1) moved back by `sag`."""
        map_x, map_y = _sag_map(sag, axis)
        return cv2.remap(
            self.square, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )

    def in_frame(self, points: Sequence[Point], sag: float, axis: int) -> list[Point]:
        """Points of `unbent(sag, axis)` in frame pixels."""
        map_x, map_y = _sag_map(sag, axis)
        at = np.clip(np.rint(np.asarray(points, np.float32)), 0, SIZE - 1).astype(int)
        square = np.stack([map_x[at[:, 1], at[:, 0]], map_y[at[:, 1], at[:, 0]]], axis=-1)
        frame = cv2.perspectiveTransform(square.reshape(-1, 1, 2), self.to_frame)
        return [(float(x), float(y)) for x, y in frame.reshape(-1, 2)]
