"""Preprocessing variants: the still cascade and the live rotation on real rendered images."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest
from vision_helpers import TEXTS, needs_zbar, scene_with_card

from kiosk.vision.decoders import QR, Code, as_grey
from kiosk.vision.variants import (
    CANDIDATES,
    LIVE,
    STILL,
    CascadeDecoder,
    Engines,
    RotatingDecoder,
    merge,
    pick,
)
from tests.support import synth


def two_codes() -> tuple[np.ndarray, list[str]]:
    """A frame with a member card on the left and a plain QR label of another version."""
    rng = np.random.default_rng(4)
    scene = synth.background(1280, 720, rng)
    label = "https://perpustakaan.example.id/koleksi/anak"
    frame = synth.compose(
        scene, synth.card_face(TEXTS[0]), synth.Pose(cx=0.3, width=0.4), synth.Look(), rng
    )
    frame = synth.compose(
        frame, synth.plain_qr(label, "Q"), synth.Pose(cx=0.78, width=0.25), synth.Look(), rng
    )
    return frame, [TEXTS[0], label]


def test_cascade_reports_every_distinct_code_with_its_position() -> None:
    frame, texts = two_codes()
    codes = CascadeDecoder().decode(frame)
    assert sorted(c.text for c in codes) == sorted(texts)  # each once, though many variants read
    card = next(c for c in codes if c.text == texts[0])
    label = next(c for c in codes if c.text == texts[1])
    assert max(x for x, _ in card.corners) < min(x for x, _ in label.corners)  # left, right


def test_the_same_card_twice_is_two_codes() -> None:
    rng = np.random.default_rng(8)
    face = synth.card_face(TEXTS[1])
    frame = synth.compose(
        synth.background(1280, 720, rng), face, synth.Pose(cx=0.27, width=0.4), synth.Look(), rng
    )
    frame = synth.compose(frame, face, synth.Pose(cx=0.73, width=0.4), synth.Look(), rng)
    assert [c.text for c in CascadeDecoder().decode(frame)] == [TEXTS[1]] * 2


def test_scaled_variants_give_positions_in_frame_pixels() -> None:
    frame = scene_with_card(TEXTS[2], 1280, 720)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    engines = Engines()
    [full] = CANDIDATES["as_is"].run(grey, engines)
    for name in ("half", "double"):
        [scaled] = CANDIDATES[name].run(grey, engines)
        assert scaled.text == full.text
        for (x1, y1), (x2, y2) in zip(full.corners, scaled.corners, strict=True):
            assert abs(x1 - x2) <= 8 and abs(y1 - y2) <= 8, name


def test_cascade_stops_at_its_budget_but_always_runs_the_first_variant() -> None:
    ticks = iter(range(0, 10_000, 1))  # an injected clock: 1 s per look at it
    cascade = CascadeDecoder(budget_ms=1500, clock=lambda: float(next(ticks)))
    codes = cascade.decode(scene_with_card(TEXTS[0]))
    assert [c.text for c in codes] == [TEXTS[0]]
    assert cascade.last_run == list(STILL[:2])
    starved = CascadeDecoder(budget_ms=0.001, clock=lambda: float(next(ticks)))
    assert [c.text for c in starved.decode(scene_with_card(TEXTS[0]))] == [TEXTS[0]]
    assert starved.last_run == [STILL[0]]


def test_a_conflicting_text_at_the_same_place_is_dropped(caplog) -> None:
    box = ((10, 10), (60, 10), (60, 60), (10, 60))
    far = ((300, 10), (350, 10), (350, 60), (300, 60))
    first = [Code("LK1:K1:M2016001:1:AAAAAAAAAA", QR, box)]
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.variants"):
        merged = merge(first, [Code("LK1:K1:M2016001:1:AAAAAAAAAB", QR, box)])
    assert merged == first and "conflicting read" in caplog.text
    both = merge(first, [Code("LK1:K1:M2016001:1:AAAAAAAAAA", QR, far)])
    assert len(both) == 2


def test_no_code_is_read_in_empty_scenes() -> None:
    cascade, rotating = CascadeDecoder(), RotatingDecoder()
    for still in synth.hard_stills(0, seed=3, empty=6):
        assert cascade.decode(still.image) == []
        assert [rotating.decode(still.image) for _ in LIVE] == [[] for _ in LIVE]


def test_rotation_meets_every_live_variant_in_turn() -> None:
    decoder = RotatingDecoder()
    frame = scene_with_card(TEXTS[0], 1280, 720)
    used = []
    for _ in range(2 * len(LIVE)):
        assert [c.text for c in decoder.decode(frame)] == [TEXTS[0]]  # ordinary: every variant
        used.append(decoder.last)
    assert used == list(LIVE) * 2
    assert len(LIVE) <= 10  # a card held for ten frames meets every variant


def test_unknown_variants_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="as_is"):
        pick(["as_is", "magic"])


def test_the_hard_set_covers_every_condition_on_cards_and_other_qr_codes() -> None:
    stills = list(synth.hard_stills(2, seed=1, empty=1))
    names = [c.name for c in synth.HARD_CONDITIONS]
    assert [s.condition for s in stills] == [n for n in names for _ in range(2)] + ["empty"]
    assert {s.subject for s in stills} == {"card", "qr", "none"}
    assert all(s.image.shape == (720, 1280, 3) for s in stills)
    assert all((s.text is None) == (s.condition == "empty") for s in stills)


def test_zxing_says_when_it_located_a_code_it_could_not_decode() -> None:
    zxing = Engines().get("zxing")
    glared = next(iter(synth.hard_stills(1, seed=13)))  # glare across the card's QR
    assert glared.condition == "glare"
    codes, seen = zxing.read_seen(as_grey(glared.image))
    assert codes == [] and seen >= 1
    codes, seen = zxing.read_seen(as_grey(scene_with_card(TEXTS[0], 1280, 720)))
    assert [c.text for c in codes] == [TEXTS[0]] and seen == 0
    for still in synth.hard_stills(0, seed=3, empty=6):  # nothing code-like: no slow engine
        assert zxing.read_seen(as_grey(still.image)) == ([], 0)


@needs_zbar
def test_a_when_seen_variant_reads_what_zxing_located_but_could_not_decode() -> None:
    engines = Engines()
    glared = next(iter(synth.hard_stills(1, seed=13)))
    grey = as_grey(glared.image)
    assert CANDIDATES["as_is"].run(grey, engines) == []
    for name in ("seen_half_sharpen_zbar", "seen_half_binarize_zbar"):
        assert [c.text for c in CANDIDATES[name].run(grey, engines)] == [glared.text], name
    # A card zxing reads comes back from the zxing pass itself.
    ordinary = as_grey(scene_with_card(TEXTS[1], 1280, 720))
    read = CANDIDATES["seen_half_sharpen_zbar"].run(ordinary, engines)
    assert read == CANDIDATES["as_is"].run(ordinary, engines)


def test_without_zbar_the_live_rotation_still_reads_every_frame_with_zxing() -> None:
    decoder = RotatingDecoder()
    decoder.engines._made["pyzbar"] = None  # what Engines records when libzbar0 cannot load
    frame = scene_with_card(TEXTS[2], 1280, 720)
    for _ in range(len(LIVE)):
        assert [c.text for c in decoder.decode(frame)] == [TEXTS[2]]
