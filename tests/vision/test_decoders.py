"""Decoders on real rendered images: engines, formats, bad frames, hostile payloads."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp
from vision_helpers import TEXTS, needs_zbar, scene_with_card, zbar_missing

from kiosk.vision.decoders import (
    CODE128,
    MAX_TEXT,
    QR,
    BadFrame,
    DecoderUnavailable,
    as_grey,
    bounded_text,
    engine_status,
    make_decoder,
    safe_decode,
)
from tests.support import synth

DATA = Path(__file__).parent / "data"
ENGINES = ["zxing", pytest.param("pyzbar", marks=needs_zbar)]


def qr_of(data: bytes | str, box: int = 4) -> np.ndarray:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=box)
    q.add_data(data)
    q.make(fit=True)
    return np.array(q.make_image().convert("L"), dtype=np.uint8)


def code128(text: str) -> np.ndarray:
    return np.array(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(
            scale=3, add_quiet_zones=True
        )
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_reads_a_card_held_in_a_scene(engine: str) -> None:
    frame = scene_with_card(TEXTS[0])
    codes = make_decoder(engine).decode(frame)
    assert [c.text for c in codes] == [TEXTS[0]]
    code = codes[0]
    assert code.format == QR and not code.binary and not code.oversized
    assert len(code.corners) == 4
    xs = [x for x, _ in code.corners]
    ys = [y for _, y in code.corners]
    assert 0 <= min(xs) < max(xs) <= 640 and 0 <= min(ys) < max(ys) <= 480
    assert code.to_json()["corners"][0] == list(code.corners[0])


@pytest.mark.parametrize("engine", ENGINES)
def test_full_hd_frame_is_scaled_and_corners_are_in_frame_pixels(engine: str) -> None:
    frame = scene_with_card(TEXTS[1], 1280, 720)
    scaled = make_decoder(engine, scale_to=640).decode(frame)
    full = make_decoder(engine, scale_to=0).decode(frame)
    assert [c.text for c in scaled] == [c.text for c in full] == [TEXTS[1]]
    for (x1, y1), (x2, y2) in zip(scaled[0].corners, full[0].corners, strict=True):
        assert abs(x1 - x2) <= 6 and abs(y1 - y2) <= 6


@pytest.mark.parametrize("engine", ENGINES)
def test_code128_only_with_legacy_cards(engine: str) -> None:
    image = code128("M2016001")
    assert make_decoder(engine).decode(image) == []
    codes = make_decoder(engine, legacy=True).decode(image)
    assert [(c.text, c.format) for c in codes] == [("M2016001", CODE128)]


def test_small_far_card_is_found_by_the_centre_retry() -> None:
    rng = np.random.default_rng(3)
    scene = synth.background(1280, 720, rng)
    pose = synth.Pose(cx=0.5, cy=0.5, width=0.14)
    frame = synth.compose(scene, synth.card_face(TEXTS[2]), pose, synth.Look(noise=2), rng)
    retry = make_decoder("zxing", retry_centre=True).decode(frame)
    assert [c.text for c in retry] == [TEXTS[2]]


@pytest.mark.parametrize(
    "frame",
    [
        None,
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((480, 640, 5), np.uint8),
        "not an image",
        np.zeros((4, 4), np.uint8),
        np.zeros((480, 640), bool),
    ],
    ids=["none", "zero-size", "5-channel", "string", "tiny", "bool"],
)
def test_unusable_frames_are_refused_with_a_logged_reason(frame, caplog) -> None:
    with pytest.raises(BadFrame):
        as_grey(frame)
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.decoders"):
        assert safe_decode(make_decoder("zxing"), frame) == []
    assert "skipped a camera frame" in caplog.text


def test_odd_but_usable_frames_still_decode() -> None:
    bgr = scene_with_card(TEXTS[0])
    grey = as_grey(bgr)
    variants = {
        "grey": grey,
        "1-channel": grey[:, :, None],
        "bgra": np.dstack([bgr, np.full(grey.shape, 255, np.uint8)]),
        "float 0..1": bgr.astype(np.float32) / 255,
        "float64 0..255": bgr.astype(np.float64),
        "uint16": bgr.astype(np.uint16) * 257,
        "non-contiguous": np.asfortranarray(bgr)[:, ::1],
        "with nan": np.where(
            np.arange(bgr.shape[1])[None, :, None] == 0, np.nan, bgr.astype(np.float32) / 255
        ),
    }
    decoder = make_decoder("zxing")
    for name, frame in variants.items():
        assert [c.text for c in decoder.decode(frame)] == [TEXTS[0]], name


def test_bounded_text() -> None:
    assert bounded_text(b"LK1:K1:M1:1:X") == ("LK1:K1:M1:1:X", False, False)
    text, binary, oversized = bounded_text(b"\xff\xfe\x00garbage")
    assert binary and not oversized
    text, binary, oversized = bounded_text("é".encode() * 5_000_000)  # 10 MB
    assert len(text) == MAX_TEXT and oversized and not binary
    text, binary, oversized = bounded_text(os.urandom(1_000_000))
    assert len(text) <= MAX_TEXT and binary and oversized
    assert bounded_text("x" * 600) == ("x" * MAX_TEXT, False, True)
    assert bounded_text("a\x00b")[1] is True


@pytest.mark.parametrize("engine", ENGINES)
def test_huge_and_binary_qr_payloads_are_marked(engine: str) -> None:
    decoder = make_decoder(engine)
    big = decoder.decode(qr_of("Perpustakaan " * 150))
    assert len(big) == 1 and big[0].oversized and len(big[0].text) == MAX_TEXT
    assert not big[0].card_like
    raw = decoder.decode(qr_of(os.urandom(1500)))
    assert len(raw) == 1 and raw[0].binary and not raw[0].card_like
    utf16 = decoder.decode(qr_of("Perpustakaan café".encode("utf-16")))
    assert len(utf16) == 1 and utf16[0].binary


@pytest.mark.parametrize("encoding", ["latin-1", "shift_jis", "utf-8"])
def test_text_in_other_encodings_does_not_crash(encoding: str) -> None:
    codes = make_decoder("zxing").decode(
        qr_of("Perpustakaan café データ".encode(encoding, "ignore"))
    )
    assert len(codes) == 1 and codes[0].text.startswith("Perpustakaan caf")


def test_micro_qr_is_not_a_card_code() -> None:
    """zxing-cpp 3 reads Micro QR as part of "QRCode"; a Micro QR found in a card's modules
    once gave a wrong text. The image: a card beside a Micro QR label ("M2016999", written by
    zxing-cpp's own writer), which zxing-cpp's QRCode family reads as two codes."""
    grey = cv2.imread(str(DATA / "card_beside_micro_qr.png"), cv2.IMREAD_GRAYSCALE)
    family = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    assert "M2016999" in [b.text for b in family]  # the image still shows the case
    for legacy in (False, True):
        decoder = make_decoder("zxing", legacy=legacy)
        assert [(c.text, c.format) for c in decoder.decode(grey)] == [(TEXTS[0], QR)]
        # Kept out by the format check too, not only by the formats zxing is asked for.
        decoder._formats = (zxingcpp.BarcodeFormat.QRCode,)
        assert [c.text for c in decoder.decode(grey)] == [TEXTS[0]]


def test_many_codes_in_one_frame() -> None:
    sheet = np.full((900, 1200), 255, np.uint8)
    for i in range(12):
        qr = qr_of(synth.demo_payload(i), box=5)
        y, x = 20 + (i // 4) * 290, 20 + (i % 4) * 290
        sheet[y : y + qr.shape[0], x : x + qr.shape[1]] = qr
    codes = make_decoder("zxing", scale_to=0).decode(sheet)
    assert sorted(c.text for c in codes) == sorted(synth.demo_payload(i) for i in range(12))


def test_unknown_engine_is_refused_with_the_choices() -> None:
    with pytest.raises(DecoderUnavailable, match="zxing, pyzbar"):
        make_decoder("zebra")


def test_engine_status_explains_unavailable_engines() -> None:
    status = engine_status()
    assert status["zxing"] is None
    missing = zbar_missing()
    if missing is None:
        assert status["pyzbar"] is None
    else:
        assert "libzbar0" in status["pyzbar"]
