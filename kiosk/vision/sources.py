"""Camera sources: a webcam index, a video file, a folder of images or a stream URL.

Everything goes through OpenCV's capture interface (`read()`, `isOpened()`, `get()`,
`release()`), so a recorded demo feed or a test video takes the same path as the webcam.
An image folder whose files are one numbered run (frame_0000.png, frame_0001.png, ...) opens
with OpenCV's own image-sequence reader (cv2.CAP_IMAGES); OpenCV stops that reader at the first
gap in the numbers and cannot take arbitrary names, so any other folder is read in sorted name
order with cv2.imread behind the same interface (`ImageListCapture`).

Two ways to consume a source:
- `read_frames()`: every frame in order, as fast as the consumer takes them, ending with the file
  (tests, benchmarks, `kiosk scan` of a recording). Frame time is media time (index / fps).
- `LiveSource`: a reader thread that keeps only the newest frame, so the scanner never works on
  stale buffered frames; a lost camera is reported in `status` and reopened with back-off.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
DEFAULT_FPS = 30.0


class SourceError(RuntimeError):
    """The source cannot be opened or read; the message says which and why."""


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    index: int  # 0-based position in the source (for live sources: frames read so far)
    t: float  # seconds: media time for files, time.monotonic() for live sources


@dataclass(frozen=True)
class SourceSpec:
    kind: str  # camera | file | images | url
    target: str | int

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


def parse_source(text: str | int) -> SourceSpec:
    """Tell a webcam index, a stream URL, an image folder and a video file apart."""
    if isinstance(text, int):
        return SourceSpec("camera", text)
    text = str(text).strip()
    if re.fullmatch(r"\d{1,3}", text):
        return SourceSpec("camera", int(text))
    if "://" in text:
        return SourceSpec("url", text)
    if os.path.isdir(text):
        return SourceSpec("images", text)
    return SourceSpec("file", text)


def image_files(folder: str | os.PathLike[str]) -> list[Path]:
    return sorted(
        p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def numbered_run(files: list[Path]) -> bool:
    """True for name<N>.ext files with consecutive N of one width (OpenCV reads those)."""
    pattern = re.compile(r"^(.*?)(\d+)(\.[^.]+)$")
    parts = [pattern.match(p.name) for p in files]
    if not files or not all(parts):
        return False
    first = parts[0]
    start, width = int(first.group(2)), len(first.group(2))
    return all(
        m.group(1) == first.group(1)
        and m.group(3) == first.group(3)
        and len(m.group(2)) == width
        and int(m.group(2)) == start + i
        for i, m in enumerate(parts)
    )


class ImageListCapture:
    """Sorted image files behind cv2.VideoCapture's read/isOpened/get/release interface."""

    def __init__(self, files: list[Path], fps: float = DEFAULT_FPS) -> None:
        self._files = list(files)
        self._pos = 0
        self._fps = fps
        self.skipped = 0  # unreadable files passed over

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return bool(self._files)

    def read(self) -> tuple[bool, np.ndarray | None]:
        while self._pos < len(self._files):
            path = self._files[self._pos]
            self._pos += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return True, image
            self.skipped += 1
            log.warning("skipped an unreadable image %s", path)
        return False, None

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FPS:
            return self._fps
        if prop == cv2.CAP_PROP_FRAME_COUNT:
            return float(len(self._files))
        if prop == cv2.CAP_PROP_POS_FRAMES:
            return float(self._pos)
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        if prop == cv2.CAP_PROP_POS_FRAMES:
            self._pos = max(0, int(value))
            return True
        return False

    def release(self) -> None:
        self._files = []


def open_capture(spec: SourceSpec | str | int) -> Any:
    """An opened OpenCV capture (or ImageListCapture) for `spec`; raises SourceError."""
    if not isinstance(spec, SourceSpec):
        spec = parse_source(spec)
    try:
        return _open(spec)
    except (OSError, cv2.error) as exc:  # a folder or device gone mid-open: lost, not fatal
        raise SourceError(f"cannot open {spec}: {exc}") from exc


def _open(spec: SourceSpec) -> Any:
    if spec.kind == "camera":
        cap = cv2.VideoCapture(int(spec.target))
        if cap.isOpened():
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # fewer stale frames where the driver allows
    elif spec.kind == "url":
        cap = cv2.VideoCapture(str(spec.target), cv2.CAP_FFMPEG)
    elif spec.kind == "images":
        files = image_files(spec.target)
        if not files:
            raise SourceError(f"no images in folder {spec.target}")
        if numbered_run(files):
            cap = cv2.VideoCapture(str(files[0]), cv2.CAP_IMAGES)
            if not cap.isOpened():
                cap = ImageListCapture(files)
        else:
            cap = ImageListCapture(files)
    else:
        if not os.path.isfile(str(spec.target)):
            raise SourceError(f"video file not found: {spec.target}")
        cap = cv2.VideoCapture(str(spec.target))
    if not cap.isOpened():
        cap.release()
        raise SourceError(f"cannot open {spec} (not a readable camera, video or stream)")
    return cap


def _fps(cap: Any, fallback: float = DEFAULT_FPS) -> float:
    try:
        fps = float(cap.get(cv2.CAP_PROP_FPS))
    except Exception:  # some backends raise for unsupported properties
        return fallback
    return fps if 1.0 <= fps <= 1000.0 else fallback


@dataclass
class ReadStats:
    """What `read_frames` met: frames given, damaged frames skipped, frames the file claims."""

    frames: int = 0
    skipped: int = 0
    expected: int = 0


def read_frames(
    source: SourceSpec | str | int, fps: float | None = None, stats: ReadStats | None = None
) -> Iterator[Frame]:
    """Every frame of `source` in order, no dropping, as fast as consumed; ends with the file.

    Raises SourceError when it can't be opened. A damaged frame (a corrupt image in a folder,
    a broken stretch of a video) is skipped and counted, and reading goes on to the real end
    of the file; the count is logged as one warning and kept in `stats` when given. Frame
    indexes are positions in the source, so skipped frames leave gaps.
    """
    spec = source if isinstance(source, SourceSpec) else parse_source(source)
    cap = open_capture(spec)
    rate = fps or _fps(cap)
    stats = stats if stats is not None else ReadStats()
    files = image_files(spec.target) if spec.kind == "images" else []
    expected = len(files)
    if spec.kind == "file":
        try:
            expected = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        except Exception:
            expected = 0
    stats.expected = max(expected, 0)
    slack = 1 if spec.kind == "file" else 0  # video frame counts may be one too many
    pos = 0  # position of the next frame in the source
    try:
        while True:
            ok, image = _read(cap)
            if ok and image is not None:
                if isinstance(cap, ImageListCapture):  # it passes over unreadable files itself
                    pos = int(cap.get(cv2.CAP_PROP_POS_FRAMES)) - 1
                yield Frame(image, pos, pos / rate)
                pos += 1
                stats.frames += 1
                continue
            if pos >= expected - slack:  # the real end (or a stream: no length to go on to)
                break
            stats.skipped += 1  # a damaged frame: skip it and go on with the next one
            pos += 1
            if files and not isinstance(cap, ImageListCapture):
                # OpenCV's image-sequence reader stops for good at a bad file: go on by name.
                cap.release()
                cap = ImageListCapture(files, rate)
            if not cap.set(cv2.CAP_PROP_POS_FRAMES, pos):
                break
    finally:
        cap.release()
    if isinstance(cap, ImageListCapture):
        stats.skipped += cap.skipped
    if stats.skipped:
        log.warning(
            "%s: skipped %d damaged frame(s); read %d of %d",
            spec,
            stats.skipped,
            stats.frames,
            expected,
        )
    if stats.frames == 0:
        log.warning("%s gave no frames", spec)


def _read(cap: Any) -> tuple[bool, Any]:
    try:
        return cap.read()
    except cv2.error:  # a decoder error on one frame is a damaged frame, not the end
        return False, None


@dataclass(frozen=True)
class SourceStatus:
    state: str  # starting | running | lost | ended | stopped
    detail: str = ""
    frames: int = 0
    reopens: int = 0
    since: float = 0.0  # monotonic time of the last state change


class LiveSource:
    """A reader thread that keeps only the newest frame and reopens a lost camera.

    Files are paced at their own frame rate (like a camera) and may loop, for the demo feed.
    """

    def __init__(
        self,
        source: SourceSpec | str | int,
        loop: bool = False,
        pace: bool | None = None,
        backoff: tuple[float, float] = (0.5, 10.0),
        on_status: Callable[[SourceStatus], None] | None = None,
    ) -> None:
        self.spec = source if isinstance(source, SourceSpec) else parse_source(source)
        self.is_file = self.spec.kind in ("file", "images")
        self.loop = loop
        self.pace = self.is_file if pace is None else pace
        self.backoff = backoff
        self.on_status = on_status
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SourceStatus("starting", str(self.spec), since=time.monotonic())

    # -- consumer side ---------------------------------------------------------------------
    @property
    def status(self) -> SourceStatus:
        return self._status

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one."""
        return self._latest

    def wait_frame(self, after: int = -1, timeout: float = 1.0) -> Frame | None:
        """The newest frame with index > `after`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                frame = self._latest
                if frame is not None and frame.index > after:
                    return frame
                left = deadline - time.monotonic()
                if left <= 0 or self._finished():
                    return None
                self._cond.wait(left)

    def __iter__(self) -> Iterator[Frame]:
        """New frames as they come (skipping any the consumer was too slow for)."""
        last = -1
        while not self._stop.is_set():
            frame = self.wait_frame(last, timeout=0.5)
            if frame is None:
                if self._finished():
                    return
                continue
            last = frame.index
            yield frame

    def _finished(self) -> bool:
        return self._status.state in ("ended", "stopped") or (
            self._thread is not None and not self._thread.is_alive()
        )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> LiveSource:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="camera-reader", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._status.state not in ("ended",):
            self._set("stopped", "stopped by the kiosk")

    def __enter__(self) -> LiveSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- reader thread ---------------------------------------------------------------------
    def _set(self, state: str, detail: str = "", reopened: bool = False) -> None:
        old = self._status
        self._status = replace(
            old,
            state=state,
            detail=detail,
            since=time.monotonic(),
            reopens=old.reopens + (1 if reopened else 0),
        )
        if state != old.state:
            level = logging.WARNING if state == "lost" else logging.INFO
            log.log(level, "camera %s: %s %s", self.spec, state, detail)
        with self._cond:
            self._cond.notify_all()
        if self.on_status is not None and state != old.state:
            try:
                self.on_status(self._status)
            except Exception:
                log.exception("camera status callback failed")

    def _run(self) -> None:
        delay = self.backoff[0]
        cap = None
        index = 0
        opened_once = False
        read_since_open = 0
        next_due = 0.0
        period = 1.0 / DEFAULT_FPS
        try:
            while not self._stop.is_set():
                if cap is None:
                    try:
                        cap = open_capture(self.spec)
                    except SourceError as exc:
                        self._set("lost", f"{exc}; retrying in {delay:.1f} s")
                        self._stop.wait(delay)
                        delay = min(delay * 2, self.backoff[1])
                        continue
                    period = 1.0 / _fps(cap)
                    next_due = time.monotonic()
                    read_since_open = 0
                    self._set("running", str(self.spec), reopened=opened_once)
                    opened_once = True
                try:
                    ok, image = cap.read()
                except cv2.error as exc:  # a driver error is a lost camera, not a dead kiosk
                    log.warning("camera %s read error: %s", self.spec, exc)
                    ok, image = False, None
                if not ok or image is None:
                    cap.release()
                    cap = None
                    if self.is_file and read_since_open > 0:
                        if self.loop:
                            continue
                        self._set("ended", "end of file")
                        return
                    self._set("lost", f"no frame from {self.spec}; retrying in {delay:.1f} s")
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.backoff[1])
                    continue
                delay = self.backoff[0]
                read_since_open += 1
                frame = Frame(image, index, time.monotonic())
                index += 1
                with self._cond:
                    self._latest = frame
                    self._status = replace(self._status, frames=index)
                    self._cond.notify_all()
                if self.pace:
                    next_due += period
                    wait = next_due - time.monotonic()
                    if wait > 0:
                        self._stop.wait(wait)
                    else:
                        next_due = time.monotonic()
        except Exception as exc:  # never let the reader thread die silently
            log.exception("camera reader stopped")
            self._set("lost", f"reader error: {exc}")
        finally:
            if cap is not None:
                cap.release()
