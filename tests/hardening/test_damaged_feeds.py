"""Damaged camera feeds: bad frames are skipped and counted, a source ends at its real end."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np

from kiosk.vision.sources import ReadStats, read_frames
from tests.vision.vision_helpers import grey_frames, level, write_video


def test_a_corrupt_file_in_a_numbered_folder_is_skipped(tmp_path: Path, caplog) -> None:
    for i, frame in enumerate(grey_frames(9)):
        cv2.imwrite(str(tmp_path / f"frame_{i:04d}.png"), frame)
    (tmp_path / "frame_0003.png").write_bytes(b"\x89PNG damaged")
    (tmp_path / "frame_0004.png").write_bytes(b"")
    stats = ReadStats()
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.sources"):
        frames = list(read_frames(str(tmp_path), stats=stats))
    assert [level(f.image) for f in frames] == [0, 1, 2, 5, 6, 7, 8]
    assert [f.index for f in frames] == [0, 1, 2, 5, 6, 7, 8]  # positions in the source
    assert (stats.frames, stats.skipped, stats.expected) == (7, 2, 9)
    assert any("skipped 2 damaged frame(s)" in r.getMessage() for r in caplog.records)


def damaged_video(tmp_path: Path, n: int = 120) -> Path:
    path = write_video(tmp_path / "v.avi", grey_frames(n, 240))
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(7)
    for frac in (0.3, 0.5, 0.7):  # three damaged stretches
        at = int(len(data) * frac)
        data[at : at + 3000] = rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()
    bad = tmp_path / "bad.avi"
    bad.write_bytes(bytes(data))
    return bad


def test_a_video_with_damaged_stretches_is_read_to_its_end(tmp_path: Path, caplog) -> None:
    bad = damaged_video(tmp_path)
    stats = ReadStats()
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.sources"):
        frames = list(read_frames(str(bad), stats=stats))
    assert stats.skipped > 0 and stats.frames == len(frames)
    assert len(frames) > 0.8 * 120  # before: it stopped at the first damaged stretch
    assert level(frames[-1].image) == 119  # the real end
    assert any("damaged frame" in r.getMessage() for r in caplog.records)


def test_a_whole_clean_file_reports_nothing_skipped(tmp_path: Path, caplog) -> None:
    path = write_video(tmp_path / "ok.avi", grey_frames(20, 64))
    stats = ReadStats()
    with caplog.at_level(logging.WARNING):
        assert len(list(read_frames(str(path), stats=stats))) == 20
    assert stats.skipped == 0 and not caplog.records
    assert os.path.getsize(path) > 0
