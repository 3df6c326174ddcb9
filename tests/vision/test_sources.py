"""Sources: real video files and image folders through OpenCV's capture, like a webcam."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import cv2
import pytest
from vision_helpers import grey_frames, level, wait_until, write_video

from kiosk.vision.sources import (
    ImageListCapture,
    LiveSource,
    SourceError,
    SourceSpec,
    numbered_run,
    open_capture,
    parse_source,
    read_frames,
)


def test_parse_source(tmp_path: Path) -> None:
    assert parse_source("0") == SourceSpec("camera", 0)
    assert parse_source(2) == SourceSpec("camera", 2)
    assert parse_source("rtsp://10.0.0.5/stream") == SourceSpec("url", "rtsp://10.0.0.5/stream")
    assert parse_source(str(tmp_path)) == SourceSpec("images", str(tmp_path))
    assert parse_source("feed.avi") == SourceSpec("file", "feed.avi")


@pytest.mark.parametrize("fourcc,suffix", [("MJPG", ".avi"), ("mp4v", ".mp4")])
def test_video_file_gives_every_frame_in_order(tmp_path: Path, fourcc: str, suffix: str) -> None:
    path = write_video(tmp_path / f"v{suffix}", grey_frames(25), fourcc, fps=25)
    frames = list(read_frames(str(path)))
    assert [f.index for f in frames] == list(range(25))
    assert [level(f.image) for f in frames] == list(range(25))
    assert frames[10].t == pytest.approx(10 / 25)
    assert frames[0].image.shape[:2] == (48, 224)


def test_numbered_image_folder_uses_opencv_image_sequence(tmp_path: Path) -> None:
    for i, frame in enumerate(grey_frames(12)):
        cv2.imwrite(str(tmp_path / f"frame_{i + 3:04d}.png"), frame)
    cap = open_capture(str(tmp_path))
    assert isinstance(cap, cv2.VideoCapture)
    cap.release()
    frames = list(read_frames(str(tmp_path), fps=10))
    assert [level(f.image) for f in frames] == list(range(12))
    assert frames[5].t == pytest.approx(0.5)


def test_other_image_folders_are_read_in_sorted_order(tmp_path: Path) -> None:
    names = ["b-pintu.png", "a-lobi.jpg", "c-rak.png", "d-meja.bmp"]  # sorted: a, b, c, d
    frames = grey_frames(4)
    for name, frame in zip(sorted(names), frames, strict=True):
        cv2.imwrite(str(tmp_path / name), frame)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "e-broken.png").write_bytes(b"\x89PNG broken")
    assert not numbered_run(sorted(tmp_path.glob("*.*")))
    assert isinstance(open_capture(str(tmp_path)), ImageListCapture)
    assert [level(f.image) for f in read_frames(str(tmp_path))] == [0, 1, 2, 3]


def test_missing_corrupt_and_empty_sources_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        list(read_frames(str(tmp_path / "missing.avi")))
    bad = tmp_path / "bad.avi"
    bad.write_bytes(os.urandom(20_000))
    with pytest.raises(SourceError, match="cannot open"):
        list(read_frames(str(bad)))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no images"):
        list(read_frames(str(empty)))


def test_truncated_video_ends_early_without_crashing(tmp_path: Path, caplog) -> None:
    path = write_video(tmp_path / "v.avi", grey_frames(30, 240))
    data = path.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.sources"):
        try:
            frames = list(read_frames(str(cut)))
        except SourceError:
            frames = []  # some builds refuse to open it at all: also fine
    assert len(frames) < 30
    assert [level(f.image) for f in frames] == list(range(len(frames)))


def test_live_source_keeps_only_the_newest_frame(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.avi", grey_frames(34))
    live = LiveSource(str(path), pace=False).start()
    try:
        assert wait_until(lambda: live.status.state == "ended")
        newest = live.wait_frame(after=-1, timeout=1)
        assert newest is not None and newest.index == 33  # not the stale first frame
        assert level(newest.image) == 33
        assert live.status.frames == 34
    finally:
        live.stop()


def test_live_source_iterates_new_frames_and_ends_with_the_file(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.avi", grey_frames(30), fps=60)
    with LiveSource(str(path)) as live:  # paced at the file's 60 fps, like a camera
        seen = [f.index for f in live]
    assert seen == sorted(set(seen)) and seen[-1] == 29
    assert live.status.state == "ended"


def test_lost_source_is_reported_and_reopened_with_backoff(tmp_path: Path) -> None:
    # A stream (here FFmpeg reading a file as a URL) that ends looks like a camera that is lost:
    # the reader must report it and reopen it without the program restarting.
    path = write_video(tmp_path / "v.avi", grey_frames(10), fps=100)
    states: list[str] = []
    live = LiveSource(
        SourceSpec("url", str(path)),
        backoff=(0.05, 0.2),
        pace=False,
        on_status=lambda s: states.append(s.state),
    )
    live.start()
    try:
        assert wait_until(lambda: live.status.reopens >= 2 and live.status.frames >= 30)
        assert "lost" in states and states[0] == "running"
        assert live.latest() is not None
    finally:
        live.stop()
    assert live.status.state == "stopped"


def test_camera_that_appears_later_is_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "later.avi"
    live = LiveSource(str(path), backoff=(0.05, 0.1), pace=False).start()
    try:
        assert wait_until(lambda: live.status.state == "lost")
        assert "not found" in live.status.detail
        write_video(tmp_path / "tmp.avi", grey_frames(5))
        (tmp_path / "tmp.avi").rename(path)
        assert wait_until(lambda: live.status.state == "ended")
        assert live.latest() is not None and live.latest().index == 4
    finally:
        live.stop()


def test_looping_file_keeps_playing(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.avi", grey_frames(5), fps=200)
    with LiveSource(str(path), loop=True) as live:
        assert wait_until(lambda: live.status.frames > 12)
        assert live.status.state == "running"


def test_image_folder_removed_and_restored_comes_back(tmp_path: Path) -> None:
    # A USB camera's folder source disappearing (unplugged) must read as "lost", not kill the
    # reader thread; when the folder returns, frames flow again without a restart.
    folder = tmp_path / "cam"
    folder.mkdir()
    image = grey_frames(1)[0]
    cv2.imwrite(str(folder / "a.png"), image)
    live = LiveSource(str(folder), backoff=(0.05, 0.1), pace=False, loop=True).start()
    try:
        assert wait_until(lambda: live.status.frames > 3)
        shutil.rmtree(folder)
        assert wait_until(lambda: live.status.reopens > 0 and live.status.state == "lost")
        time.sleep(0.3)  # several back-off periods: the reader keeps retrying, it did not die
        assert "reader error" not in live.status.detail
        folder.mkdir()
        cv2.imwrite(str(folder / "a.png"), image)
        seen = live.status.frames
        assert wait_until(lambda: live.status.state == "running" and live.status.frames > seen)
    finally:
        live.stop()
