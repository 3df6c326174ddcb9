"""From decoded frames to card events: one event per card shown.

A card held to the camera is decoded in dozens of frames; it is one event. It becomes a new
event only after it has left view: absent for at least `absent_frames` looked-at frames AND
`absent_seconds` on a monotonic clock. Both must hold so that a camera stall (no frames, time
passes) or a file read faster than real time (frames pass, no time) cannot split one showing into
two events; decode misses while the card is tilted or blurred are covered by the same rule.

A frame showing more than `max_cards` different codes (a sheet of printed cards, a poster) gives
no event: those codes are marked as seen, so none of them fires until it has left view.

Pure logic, no thread; kiosk.vision.pipeline glues a frame source, a decoder and a scanner. This
module never touches the database: the caller's `on_event` does the check-in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.domain.redact import redact
from kiosk.domain.vocab import Source
from kiosk.vision.decoders import CODE128, Code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardEvent:
    text: str
    format: str
    frame: int  # index of the frame the card was first readable in (this showing)
    at: float  # monotonic seconds (or the source's media time)
    code: Code

    @property
    def source(self) -> Source:
        """How the visit came in: an older card's Code 128 barcode, or a QR card."""
        return Source.BARCODE if self.format == CODE128 else Source.SCAN


@dataclass
class _Track:
    first_frame: int
    last_frame: int  # scanner step (frames looked at) when last seen
    last_at: float
    fired: bool  # an event was emitted (or deliberately suppressed) for this showing


@dataclass
class Scanner:
    absent_frames: int = 8
    absent_seconds: float = 0.5
    max_cards: int = 1
    clock: Callable[[], float] = time.monotonic
    # Which codes count as cards when deciding "several cards at once" (the caller knows the
    # library's formats); other codes still make their own event, but never block a card.
    is_card: Callable[[Code], bool] = lambda code: True
    _tracks: dict[str, _Track] = field(default_factory=dict, repr=False)
    _steps: int = field(default=0, repr=False)
    _noted: set[str] = field(default_factory=set, repr=False)

    def feed(
        self, codes: Iterable[Code], frame: int | None = None, at: float | None = None
    ) -> list[CardEvent]:
        """Codes decoded from one frame -> the card events it starts (usually none)."""
        now = self.clock() if at is None else at
        step = self._steps
        self._steps += 1
        index = step if frame is None else frame
        cards: dict[str, Code] = {}
        for code in codes:
            if code.card_like:
                cards.setdefault(code.text, code)
            else:
                self._note(code)
        self._expire(step, now)
        crowded = sum(1 for code in cards.values() if self.is_card(code)) > self.max_cards
        if crowded and any(text not in self._tracks for text in cards):
            log.warning(
                "%d codes in one frame (frame %s): no check-in; one card at a time",
                len(cards),
                index,
            )
        events = []
        for text, code in cards.items():
            track = self._tracks.get(text)
            if track is None:
                track = self._tracks[text] = _Track(index, step, now, fired=crowded)
                if not crowded:
                    events.append(CardEvent(text, code.format, index, now, code))
            elif crowded:
                track.fired = True
            track.last_frame, track.last_at = step, now
        return events

    def _expire(self, step: int, now: float) -> None:
        for text in [
            t
            for t, tr in self._tracks.items()
            if step - tr.last_frame > self.absent_frames and now - tr.last_at >= self.absent_seconds
        ]:
            del self._tracks[text]

    def _note(self, code: Code) -> None:
        # Logged once per distinct payload start, so a code held in view doesn't flood the log.
        key = code.text[:40]
        if key in self._noted:
            return
        if len(self._noted) > 1000:
            self._noted.clear()
        self._noted.add(key)
        why = (
            "binary content"
            if code.binary
            else "too long for a card"
            if code.oversized
            else "empty"
        )
        log.warning(
            "ignored a %s that cannot be a member card (%s): %s",
            code.format,
            why,
            redact(code.text, 40),  # never a signature in the log
        )

    def in_view(self) -> list[str]:
        """Texts of the cards currently considered in view."""
        return list(self._tracks)

    def reset(self) -> None:
        self._tracks.clear()
