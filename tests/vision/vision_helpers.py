"""Helpers for the vision tests: real card images, real video files written to tmp_path."""

from __future__ import annotations

import ctypes.util
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support import synth

TEXTS = [synth.demo_payload(i) for i in range(1, 4)]


def zbar_missing() -> str | None:
    """Why the pyzbar engine can't run here, or None."""
    if ctypes.util.find_library("zbar") is None:
        return "libzbar0 is not installed (apt install libzbar0): pyzbar engine unavailable"
    try:
        from pyzbar import pyzbar  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"pyzbar cannot load ZBar: {exc}"
    return None


needs_zbar = pytest.mark.skipif(zbar_missing() is not None, reason=zbar_missing() or "")


def scene_with_card(text: str, width: int = 640, height: int = 480, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scene = synth.background(width, height, rng)
    pose = synth.Pose(cx=0.5, cy=0.5, width=0.55, roll=8, tilt_x=12, tilt_y=-10)
    return synth.compose(scene, synth.card_face(text), pose, synth.Look(noise=3, jpeg=85), rng)


def write_video(
    path: Path, frames: list[np.ndarray], fourcc: str = "MJPG", fps: float = 30
) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc}"
    for f in frames:
        writer.write(f)
    writer.release()
    return path


def grey_frames(n: int, h: int = 48) -> list[np.ndarray]:
    """Frames whose position is drawn in them: frame i has a bright bar 8 * (i + 1) px wide.

    A bar survives lossy codecs and their colour-range conversions (mp4v shifts grey levels).
    """
    width = max(64, (8 * (n + 2) + 15) // 16 * 16)
    frames = []
    for i in range(n):
        frame = np.full((h, width, 3), 20, np.uint8)
        frame[:, : 8 * (i + 1)] = 230
        frames.append(frame)
    return frames


def level(image: np.ndarray) -> int:
    """The position grey_frames() drew in a frame."""
    bright = int((image.mean(axis=(0, 2)) > 125).sum())
    return round(bright / 8) - 1


def wait_until(condition, timeout: float = 20.0) -> bool:  # noqa: ANN001
    """Poll `condition` (a bounded wait, not a timing assertion)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
