"""Preprocessing variants: the still cascade and the live rotation on real rendered images."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from vision_helpers import TEXTS, needs_zbar, scene_with_card

from kiosk.vision import unbend
from kiosk.vision.decoders import QR, Code, as_grey
from kiosk.vision.unbend import Straightener
from kiosk.vision.variants import (
    CANDIDATES,
    LIVE,
    STILL,
    CascadeDecoder,
    Engines,
    RotatingDecoder,
    Variant,
    merge,
    pick,
    same_place,
)
from tests.support import synth

DATA = Path(__file__).parent / "data"


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


def located_unread() -> tuple[np.ndarray, str]:
    """A worn card of the hard set (seed 13) that zxing locates (finder patterns) but cannot
    decode. Stored: the renderer reuses noise fields, so a render depends on what ran before."""
    grey = cv2.imread(str(DATA / "worn_card_located_unread.png"), cv2.IMREAD_GRAYSCALE)
    return grey, "LK1:K1:M2016021:1:DEMO000021"


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


def test_a_frame_the_plain_pass_reads_costs_no_turn_of_the_rotation() -> None:
    decoder = RotatingDecoder(["half", "half_thicken"])
    card = scene_with_card(TEXTS[0], 1280, 720)
    [empty] = [s.image for s in synth.hard_stills(0, seed=3, empty=1)]
    used = []
    for frame in (empty, card, card, empty, empty):
        decoder.decode(frame)
        used.append(decoder.last)
    assert used == ["half", "as_is", "as_is", "half_thicken", "half"]
    assert [c.text for c in decoder.decode(card)] == [TEXTS[0]]


def test_live_turns_each_meet_an_unread_frame_and_stay_few() -> None:
    decoder = RotatingDecoder()
    [empty] = [s.image for s in synth.hard_stills(0, seed=3, empty=1)]
    turns = []
    for _ in range(2 * len(LIVE)):
        assert decoder.decode(empty) == []
        turns.append(decoder.last)
    # No code located in an empty scene: the when_seen (ZBar, unbend) variants do not run there.
    unseen = ["+".join(v.name for v in pick([t]) if not v.when_seen) for t in LIVE]
    assert turns == unseen * 2 and all(unseen)
    assert len(LIVE) <= 10  # a card unread for ten frames has met every turn
    assert len(set(LIVE)) == len(LIVE)


@needs_zbar
def test_a_turn_runs_its_variants_in_order_until_one_reads() -> None:
    grey, text = located_unread()
    decoder = RotatingDecoder(["half_global+seen_half_binarize_zbar+half_sharpen_strong"])
    assert [c.text for c in decoder.decode(grey)] == [text]
    assert decoder.last == "half_global+seen_half_binarize_zbar"  # and no further


def test_the_kiosk_rotation_reads_a_defocused_card_the_plain_pass_cannot() -> None:
    # A card held too close (Gaussian defocus, sigma 2.5-4 px), rendered once and stored.
    grey = cv2.imread(str(DATA / "defocused_card.png"), cv2.IMREAD_GRAYSCALE)
    assert CANDIDATES["as_is"].run(grey, Engines()) == []
    decoder = RotatingDecoder()
    assert [c.text for c in decoder.decode(grey)] == [TEXTS[1]]
    assert decoder.last.endswith("half_sharpen_strong")


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
    grey = located_unread()[0]
    codes, seen = zxing.read_seen(grey)
    # (zxing gives this one no outline, all corners at 0: "invalid symbol size")
    assert codes == [] and len(seen) >= 1
    codes, seen = zxing.read_seen(as_grey(scene_with_card(TEXTS[0], 1280, 720)))
    assert [c.text for c in codes] == [TEXTS[0]] and seen == []
    for still in synth.hard_stills(0, seed=3, empty=6):  # nothing code-like: no slow engine
        assert zxing.read_seen(as_grey(still.image)) == ([], [])


@needs_zbar
def test_a_when_seen_variant_reads_what_zxing_located_but_could_not_decode() -> None:
    engines = Engines()
    grey, text = located_unread()
    assert CANDIDATES["as_is"].run(grey, engines) == []
    for name in ("seen_half_sharpen_zbar", "seen_half_binarize_zbar"):
        assert [c.text for c in CANDIDATES[name].run(grey, engines)] == [text], name
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


def bent_label() -> tuple[np.ndarray, str]:
    """A plain QR label bent around a vertical axis (hard set, seed 14), cropped: zxing locates
    it but cannot decode it, and no other variant reads it either. Stored, as above."""
    grey = cv2.imread(str(DATA / "bent_label_located_unread.png"), cv2.IMREAD_GRAYSCALE)
    return grey, "https://perpustakaan.example.id/ruang/lubuklinggau"


def test_a_bent_label_is_read_once_straightened_and_placed_where_it_is() -> None:
    engines = Engines()
    grey, text = bent_label()
    for name in (n for n in STILL if "unbend" not in n):
        assert [c.text for c in CANDIDATES[name].run(grey, engines)] != [text], name
    [code] = CANDIDATES["seen_unbend"].run(grey, engines)
    assert code.text == text
    _, [outline] = engines.get("zxing").read_seen(grey)
    # Its corners in frame pixels, around the outline zxing located (a bent code bulges out).
    assert same_place(code, Code("", QR, tuple((round(x), round(y)) for x, y in outline)))
    xs, ys = zip(*code.corners, strict=True)
    assert min(xs) >= 0 and max(xs) <= grey.shape[1] and min(ys) >= 0 and max(ys) <= grey.shape[0]
    # Straightened along the other axis it stays unread, and a sag of nothing is the frame's
    # own outline: the parabola, not the crop, reads it.
    assert CANDIDATES["seen_unbend_cols_pos"].run(grey, engines) == []
    assert CANDIDATES["seen_unbend_cols_neg"].run(grey, engines) == []
    assert Variant("flat", sags=(0.0,), when_seen=True).run(grey, engines) == []


def test_the_straightener_maps_its_square_back_onto_the_outline() -> None:
    grey, _ = bent_label()
    outline = ((100.0, 80.0), (400.0, 120.0), (380.0, 420.0), (90.0, 380.0))
    code = Straightener(grey, outline)
    m, side = unbend.MARGIN, unbend.SIDE
    square = [(m, m), (m + side, m), (m + side, m + side), (m, m + side)]
    back = code.in_frame(square, 0.0, 0)
    assert np.allclose(back, outline, atol=1.5)
    # Bowed rows: the middle of the top edge comes from lower in the frame than its ends.
    top_mid = code.in_frame([(m + side / 2, m)], 0.2, 0)[0]
    assert top_mid[1] > (outline[0][1] + outline[1][1]) / 2 + 0.1 * side / 2
    assert code.unbent(0.2, 1).shape == (unbend.SIZE, unbend.SIZE)


def test_opencv_outlines_a_bent_code_zxing_could_not_straighten() -> None:
    # A bent label of the hard set (seed 13), cropped: zxing's outline of it is too far off to
    # straighten, OpenCV's detector outlines it well enough; no other still variant reads it.
    grey = cv2.imread(str(DATA / "bent_label_outlined_by_opencv.png"), cv2.IMREAD_GRAYSCALE)
    text = "https://perpustakaan.example.id/anak/perpustakaan"
    engines = Engines()
    for name in (n for n in STILL if n != "opencv_unbend"):
        assert CANDIDATES[name].run(grey, engines) == [], name
    [outline] = unbend.located_by_opencv(grey)
    xs, ys = zip(*outline, strict=True)
    assert max(xs) - min(xs) > 300 and max(ys) - min(ys) > 300
    [code] = CANDIDATES["opencv_unbend"].run(grey, engines)
    assert code.text == text and same_place(
        code, Code("", QR, tuple((round(x), round(y)) for x, y in outline))
    )
    card = as_grey(scene_with_card(TEXTS[0], 1280, 720))
    assert [c.text for c in CANDIDATES["opencv_unbend"].run(card, engines)] in ([], [TEXTS[0]])
    for still in synth.hard_stills(0, seed=3, empty=4):
        assert CANDIDATES["opencv_unbend"].run(as_grey(still.image), engines) == []


def test_the_live_rotation_reads_a_bent_label_within_its_turns() -> None:
    grey, text = bent_label()
    decoder = RotatingDecoder()
    reads = [[c.text for c in decoder.decode(grey)] for _ in range(len(LIVE))]
    assert [text] in reads
    assert all(r in ([], [text]) for r in reads)
