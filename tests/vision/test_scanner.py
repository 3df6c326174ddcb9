"""The scanner's debounce: one event per card shown, on an injected monotonic clock."""

from __future__ import annotations

import logging

import pytest

from kiosk.vision.decoders import QR, Code
from kiosk.vision.scanner import Scanner

CORNERS = ((0, 0), (10, 0), (10, 10), (0, 10))


def code(text: str, **flags: bool) -> Code:
    return Code(text, QR, CORNERS, **flags)


class Steps:
    """Feeds a scanner one frame per call, advancing a fake monotonic clock by 1/30 s."""

    def __init__(self, scanner: Scanner, dt: float = 1 / 30) -> None:
        self.now = 100.0
        self.dt = dt
        self.frame = 0
        scanner.clock = lambda: self.now
        self.scanner = scanner
        self.events: list[tuple[int, str]] = []

    def show(self, *texts: str, frames: int = 1, dt: float | None = None) -> None:
        for _ in range(frames):
            for e in self.scanner.feed([code(t) for t in texts], frame=self.frame):
                self.events.append((e.frame, e.text))
            self.frame += 1
            self.now += self.dt if dt is None else dt


@pytest.fixture
def steps() -> Steps:
    return Steps(Scanner(absent_frames=8, absent_seconds=0.5))


def test_card_held_for_many_frames_is_one_event(steps: Steps) -> None:
    steps.show(frames=3)
    steps.show("A", frames=90)
    assert steps.events == [(3, "A")]


def test_decode_misses_while_held_do_not_split_the_event(steps: Steps) -> None:
    for _ in range(10):
        steps.show("A", frames=3)
        steps.show(frames=5)  # blur or glare: 5 frames without a read
    assert [t for _, t in steps.events] == ["A"]


def test_same_card_after_it_left_is_a_new_event(steps: Steps) -> None:
    steps.show("A", frames=20)
    steps.show(frames=30)  # 1 s away
    steps.show("A", frames=20)
    assert steps.events == [(0, "A"), (50, "A")]


def test_two_cards_in_a_row_are_two_events(steps: Steps) -> None:
    steps.show("A", frames=15)
    steps.show("B", frames=15)  # handed over with no empty frame between
    steps.show("A", frames=2)  # A was away for 16 frames (0.53 s): shown again
    assert [t for _, t in steps.events] == ["A", "B", "A"]


def test_absence_needs_both_frames_and_time(steps: Steps) -> None:
    steps.show("A", frames=5)
    steps.show(frames=50, dt=0.001)  # a file read fast: many frames, little time
    steps.show("A")
    steps.show(frames=2, dt=5.0)  # a camera stall: much time, few frames
    steps.show("A")
    assert [t for _, t in steps.events] == ["A"]


def test_frame_count_only_and_time_only_settings() -> None:
    by_frames = Steps(Scanner(absent_frames=3, absent_seconds=0))
    by_frames.show("A")
    by_frames.show(frames=4, dt=0)
    by_frames.show("A")
    assert len(by_frames.events) == 2
    by_time = Steps(Scanner(absent_frames=0, absent_seconds=1.0))
    by_time.show("A")
    by_time.show(frames=1, dt=2.0)
    by_time.show("A")
    assert len(by_time.events) == 2


def test_a_sheet_of_cards_gives_no_event(steps: Steps, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="kiosk.vision.scanner"):
        steps.show("A", "B", "C", frames=10)
    assert steps.events == []
    assert "3 codes in one frame" in caplog.text
    steps.show("A", frames=10)  # the sheet is lowered, A still in view: still suppressed
    assert steps.events == []
    steps.show(frames=30)
    steps.show("B", frames=5)  # shown alone after leaving: a real check-in
    assert [t for _, t in steps.events] == ["B"]


def test_a_second_card_joining_suppresses_both(steps: Steps) -> None:
    steps.show("A", frames=5)
    steps.show("A", "B", frames=5)
    steps.show("B", frames=5)
    assert [t for _, t in steps.events] == ["A"]


def test_binary_and_oversized_codes_are_ignored_and_logged(steps: Steps, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.vision.scanner"):
        for _ in range(20):
            events = steps.scanner.feed(
                [code("x" * 512, oversized=True), code("\ufffd\x00", binary=True), code("")]
            )
            assert events == []
    assert "too long for a card" in caplog.text and "binary content" in caplog.text
    assert caplog.text.count("too long for a card") == 1  # once, not once per frame


def test_media_time_from_the_source_overrides_the_clock() -> None:
    scanner = Scanner(absent_frames=2, absent_seconds=0.5, clock=lambda: 0.0)
    assert len(scanner.feed([code("A")], frame=0, at=0.0)) == 1
    for i in range(1, 5):
        scanner.feed([], frame=i, at=i * 0.2)
    assert len(scanner.feed([code("A")], frame=5, at=1.0)) == 1
    assert scanner.in_view() == ["A"]
    scanner.reset()
    assert scanner.in_view() == []


def test_a_poster_qr_in_view_never_blocks_a_card() -> None:
    from kiosk.domain.cards import could_be_card

    steps = Steps(Scanner(is_card=lambda c: could_be_card(c.text, c.format)))
    poster = "https://perpustakaan.lubuklinggaukota.go.id/"
    steps.show(poster, frames=5)
    steps.show(poster, "LK1:K1:M003:1:ABCDEFGHJK", frames=10)
    steps.show(poster, frames=5)
    assert steps.events == [(0, poster), (5, "LK1:K1:M003:1:ABCDEFGHJK")]
    # Two library cards at once are still refused.
    steps.show(poster, "LK1:K1:M001:1:AAAAAAAAAA", "LK1:K1:M002:1:BBBBBBBBBB", frames=5)
    assert len(steps.events) == 2
