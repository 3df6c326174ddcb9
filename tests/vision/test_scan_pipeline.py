"""The whole camera path on real video files: source -> decoder -> scanner -> events."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from vision_helpers import TEXTS, needs_zbar, wait_until, write_video

from kiosk.domain.vocab import Source
from kiosk.vision.decoders import make_decoder
from kiosk.vision.pipeline import CardPipeline
from kiosk.vision.scanner import CardEvent, Scanner
from kiosk.vision.sources import LiveSource, read_frames
from tests.support import synth


def presentations(truth: list[dict]) -> list[tuple[int, str]]:
    """(first frame, card) of each presentation in a feed's ground truth."""
    seen: dict[int, tuple[int, str]] = {}
    for i, t in enumerate(truth):
        if t["presentation"] >= 0 and t["presentation"] not in seen:
            seen[t["presentation"]] = (i, t["card"])
    return [seen[k] for k in sorted(seen)]


def scan(source, engine: str = "zxing") -> list[CardEvent]:
    events: list[CardEvent] = []
    CardPipeline(make_decoder(engine), Scanner()).run(read_frames(source), events.append)
    return events


@pytest.mark.parametrize("engine", ["zxing", pytest.param("pyzbar", marks=needs_zbar)])
def test_feed_gives_one_event_per_card_shown(feed, engine: str) -> None:
    path, truth = feed
    shown = presentations(truth)
    assert [c for _, c in shown] == TEXTS + TEXTS[:1]  # the first card comes back at the end
    events = scan(str(path), engine)
    assert [e.text for e in events] == [c for _, c in shown]
    for event, (start, card) in zip(events, shown, strict=True):
        assert truth[event.frame]["card"] == card and event.frame >= start


def test_image_folder_of_the_feed_gives_the_same_events(feed, tmp_path: Path) -> None:
    path, _ = feed
    cap = cv2.VideoCapture(str(path))
    i = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        cv2.imwrite(str(tmp_path / f"cam_{i:05d}.jpg"), image)
        i += 1
    cap.release()
    assert [e.text for e in scan(str(tmp_path))] == [e.text for e in scan(str(path))]


def test_recorded_video_read_from_png_card_faces(tmp_path: Path) -> None:
    # Cards as `kiosk cards --format png` writes them: loaded from files, not rendered in memory.
    paths = []
    for i, text in enumerate(TEXTS[:2]):
        p = tmp_path / f"M{i}.png"
        cv2.imwrite(str(p), synth.card_face(text, px_per_mm=11.8))  # 300 dpi
        paths.append(str(p))
    faces = synth.load_card_faces(paths)
    assert [t for t, _ in faces] == TEXTS[:2]
    out = tmp_path / "feed.mp4"
    synth.write_feed(faces, str(out), size=(640, 480), fps=15, seed=3, repeat_first=False)
    assert [e.text for e in scan(str(out))] == TEXTS[:2]


def test_hostile_codes_and_bad_frames_in_a_video_give_no_event(tmp_path: Path, caplog) -> None:
    rng = np.random.default_rng(5)
    scene = synth.background(640, 480, rng)
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=3)
    q.add_data("Z" * 1800)
    q.make(fit=True)
    huge = cv2.cvtColor(np.array(q.make_image().convert("L"), np.uint8), cv2.COLOR_GRAY2BGR)
    sheet = np.full((260, 520, 3), 255, np.uint8)
    for k in range(3):
        qr = cv2.cvtColor(synth.qr_array(synth.demo_payload(k), box=4), cv2.COLOR_GRAY2BGR)
        sheet[20 : 20 + qr.shape[0], 10 + k * 170 : 10 + k * 170 + qr.shape[1]] = qr[:, :160]
    frames = []
    for face in (huge, sheet):
        for _ in range(10):
            frames.append(synth.compose(scene, face, synth.Pose(width=0.8), synth.Look(), rng))
    path = write_video(tmp_path / "hostile.avi", frames)
    with caplog.at_level(logging.INFO, logger="kiosk.vision"):
        events = scan(str(path))
        # Bad frames mixed in with real ones: skipped with a reason, the loop goes on.
        odd = [None, np.zeros((0, 0, 3), np.uint8), frames[0][:, :, :2], frames[-1]]
        extra: list[CardEvent] = []
        CardPipeline(make_decoder("zxing")).run(odd, extra.append)
    assert events == [] and extra == []
    assert "too long for a card" in caplog.text
    assert "codes in one frame" in caplog.text
    assert "skipped a camera frame" in caplog.text


def test_the_kiosks_decode_thread_on_a_paced_video(feed) -> None:
    # The camera hub's path: a LiveSource (newest frame only, real-time pace) feeding the card
    # pipeline on its own thread; the same events as reading every frame of the file.
    path, truth = feed
    events: list[CardEvent] = []
    with LiveSource(str(path)) as live:
        thread = CardPipeline.for_cards("zxing").start(live, events.append)
        assert wait_until(lambda: live.status.state == "ended")
    thread.stop()
    assert [e.text for e in events] == [c for _, c in presentations(truth)]
    assert {e.source for e in events} == {Source.SCAN}


def test_old_barcodes_are_events_with_their_source(tmp_path: Path) -> None:
    import zxingcpp

    bars = zxingcpp.create_barcode("M2016001", zxingcpp.BarcodeFormat.Code128)
    image = np.asarray(bars.to_image(scale=4, add_quiet_zones=True))
    image = cv2.copyMakeBorder(image, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)
    frames = [image] * 3
    assert CardPipeline.for_cards("zxing").run(frames, print).events == 0  # not read by default
    events: list[CardEvent] = []
    stats = CardPipeline.for_cards("zxing", legacy=True).run(frames, events.append)
    assert [(e.text, e.source) for e in events] == [("M2016001", Source.BARCODE)]
    assert (stats.frames, stats.events) == (3, 1)
