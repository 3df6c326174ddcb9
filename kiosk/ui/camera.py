"""Camera to screen and camera to scanner, without ever blocking the preview.

- The source's reader thread (kiosk.vision.sources.LiveSource) keeps only the newest frame.
- A decode thread takes the newest frame, decodes it and feeds the debouncing scanner; each
  card event goes to the UI thread through the bridge.
- The UI thread, on a Clock interval, copies the newest frame into ONE reused texture. A new
  texture is made only if the frame size changes (a different camera after a reconnect).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture

from kiosk.domain.cards import CODE_128, could_be_card
from kiosk.ui.bridge import UiBridge
from kiosk.vision.decoders import Decoder, make_decoder, safe_decode
from kiosk.vision.scanner import Scanner
from kiosk.vision.sources import LiveSource, parse_source

log = logging.getLogger(__name__)

PREVIEW_FPS = 30.0


class CameraHub:
    def __init__(
        self,
        source: str,
        bridge: UiBridge,
        on_card: Callable[[str, str], None],  # (text, source: scan or barcode)
        on_state: Callable[[str], None],
        on_texture: Callable[[Texture], None],
        decoder: Decoder | None = None,
        engine: str = "zxing",
        legacy: bool = False,
        scanner: Scanner | None = None,
    ) -> None:
        self.source = LiveSource(parse_source(source), loop=True)
        self.decoder = decoder or make_decoder(engine, legacy=legacy)
        self.scanner = scanner or Scanner(
            is_card=lambda code: could_be_card(code.text, code.format, legacy)
        )
        self.bridge = bridge
        self.on_card = on_card
        self.on_state = on_state
        self.on_texture = on_texture
        self.texture: Texture | None = None
        self.state = "starting"
        self.show_preview = True
        # counters for the staff screen and tools/bench_ui.py
        self.frames_shown = 0
        self.frames_skipped = 0  # newer frames arrived before the UI could show the older
        self.frames_decoded = 0
        self.textures_made = 0
        self._last_index = -1
        self._stop = threading.Event()
        self._decode_thread = threading.Thread(
            target=self._decode_loop, name="card-decoder", daemon=True
        )
        self._event = None

    def start(self) -> CameraHub:
        self.source.start()
        self._decode_thread.start()
        self._event = Clock.schedule_interval(self._on_clock, 1.0 / PREVIEW_FPS)
        return self

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._stop.set()
        self.source.stop()
        self._decode_thread.join(2.0)

    # --- UI thread ----------------------------------------------------------------------
    def _on_clock(self, _dt: float) -> None:
        self.update()  # returns None: a False return would unschedule the interval

    def update(self) -> bool:
        """Show the newest frame (if new) and report camera state changes. UI thread only."""
        state = self.source.status.state
        if state != self.state:
            self.state = state
            self.on_state(state)
        frame = self.source.latest()
        if frame is None or frame.index == self._last_index:
            return False
        if self._last_index >= 0 and frame.index > self._last_index:
            self.frames_skipped += frame.index - self._last_index - 1
        self._last_index = frame.index
        if not self.show_preview:
            return False
        self.upload(frame.image)
        return True

    def upload(self, image: Any) -> None:
        h, w = image.shape[:2]
        fmt = "luminance" if image.ndim == 2 else "bgr"
        if self.texture is None or self.texture.size != (w, h) or self.texture.colorfmt != fmt:
            self.texture = Texture.create(size=(w, h), colorfmt=fmt)
            self.texture.flip_vertical()  # OpenCV rows run top-down, GL bottom-up
            self.textures_made += 1
            self.on_texture(self.texture)
        buf = image if image.flags["C_CONTIGUOUS"] else image.copy()
        self.texture.blit_buffer(memoryview(buf).cast("B"), colorfmt=fmt, bufferfmt="ubyte")
        self.frames_shown += 1

    # --- decode thread ------------------------------------------------------------------
    def _decode_loop(self) -> None:
        last = -1
        while not self._stop.is_set():
            frame = self.source.wait_frame(after=last, timeout=0.5)
            if frame is None:
                self._stop.wait(0.05)
                continue
            last = frame.index
            codes = safe_decode(self.decoder, frame.image)
            self.frames_decoded += 1
            for event in self.scanner.feed(codes, frame=frame.index, at=frame.t):
                source = "barcode" if event.format == CODE_128 else "scan"
                self.bridge.post(self.on_card, event.text, source)
