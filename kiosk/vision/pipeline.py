"""The one camera pipeline: frames -> decoder -> scanner -> card events.

Both the kiosk's camera hub (kiosk.ui.camera) and `kiosk scan` (kiosk.cli.scan) build a
`CardPipeline` and feed it frames; files for tests and benchmarks take the same path
(kiosk.vision.sources reads them through OpenCV's capture like a webcam). No Kivy and no
database here: the caller's `on_event` does the check-in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.cards import could_be_card
from kiosk.vision.decoders import DEFAULT_ENGINE, Decoder, make_decoder, safe_decode
from kiosk.vision.scanner import CardEvent, Scanner
from kiosk.vision.variants import LIVE, RotatingDecoder

OnEvent = Callable[[CardEvent], None]


@dataclass
class PipelineStats:
    frames: int = 0
    events: int = 0
    decode_seconds: float = 0.0
    codes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class CardPipeline:
    """Decode each frame and debounce the codes into one event per card shown."""

    def __init__(self, decoder: Decoder, scanner: Scanner | None = None) -> None:
        self.decoder = decoder
        self.scanner = scanner or Scanner()
        self.stats = PipelineStats()

    @classmethod
    def for_cards(
        cls, engine: str = DEFAULT_ENGINE, legacy: bool = False, rotate: bool = True
    ) -> CardPipeline:
        """The kiosk's pipeline. With zxing (the default engine) a frame zxing cannot read as
        it is takes the next turn of the preprocessing variants (kiosk.vision.variants.LIVE);
        `rotate=False` or the pyzbar engine decode every frame as it is. Only the library's
        own codes count as "several cards at once" (a poster QR in view never blocks a card).
        Raises DecoderUnavailable."""
        decoder: Decoder
        if rotate and engine == "zxing":
            make_decoder(engine)  # says why not when zxing-cpp is missing
            decoder = RotatingDecoder(LIVE, legacy=legacy)
        else:
            decoder = make_decoder(engine, legacy=legacy)
        scanner = Scanner(is_card=lambda code: could_be_card(code.text, code.format, legacy))
        return cls(decoder, scanner)

    def feed(
        self, image: Any, index: int | None = None, at: float | None = None
    ) -> list[CardEvent]:
        """One frame (an image, or a Frame with .image/.index/.t) -> the card events it starts.

        A bad frame or an engine error is logged and gives no event (safe_decode)."""
        image, index, at = (
            getattr(image, "image", image),
            getattr(image, "index", index),
            getattr(image, "t", at),
        )
        start = time.perf_counter()
        codes = safe_decode(self.decoder, image)
        self.stats.decode_seconds += time.perf_counter() - start
        self.stats.frames += 1
        self.stats.codes += len(codes)
        events = self.scanner.feed(codes, frame=index, at=at)
        self.stats.events += len(events)
        return events

    def run(
        self, frames: Iterable[Any], on_event: OnEvent, stop: Callable[[], bool] | None = None
    ) -> PipelineStats:
        """Pull frames until they end (or `stop()`), calling `on_event` per card event.

        `frames` yields kiosk.vision.sources.Frame objects (a file read in full, or a LiveSource
        that keeps only the newest frame) or bare images (then the index is the position and the
        time the scanner's clock)."""
        for n, item in enumerate(frames):
            if stop is not None and stop():
                break
            for event in self.feed(item, index=n):
                on_event(event)
        return self.stats

    def start(self, frames: Iterable[Any], on_event: OnEvent) -> PipelineThread:
        """`run` on a thread of its own (the kiosk's decode thread)."""
        return PipelineThread(self, frames, on_event).start()


class PipelineThread:
    """A pipeline running on a daemon thread; stop() ends it after the frame in hand.

    Stop the frame source too (a LiveSource waiting for a frame wakes up every 0.5 s)."""

    def __init__(self, pipeline: CardPipeline, frames: Iterable[Any], on_event: OnEvent) -> None:
        self.pipeline = pipeline
        self._frames = frames
        self._on_event = on_event
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="card-decoder", daemon=True)

    def _run(self) -> None:
        self.pipeline.run(self._frames, self._on_event, stop=self._stop.is_set)

    def start(self) -> PipelineThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
