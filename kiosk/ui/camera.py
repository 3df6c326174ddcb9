"""Camera to screen and camera to scanner, without ever blocking the preview.

- The source's reader thread (kiosk.vision.sources.LiveSource) keeps only the newest frame.
- The card pipeline (kiosk.vision.pipeline, the same one `kiosk scan` runs) takes the newest
  frame on its own thread, decodes it and debounces; each card event goes to the UI thread
  through the bridge.
- The UI thread, on a Clock interval, copies the newest frame into ONE reused texture
  (`Preview`). A new texture is made only if the frame size changes (a different camera after
  a reconnect).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture

from kiosk.ui.bridge import UiBridge
from kiosk.vision.pipeline import CardPipeline, PipelineThread
from kiosk.vision.scanner import CardEvent
from kiosk.vision.sources import LiveSource, parse_source

log = logging.getLogger(__name__)

PREVIEW_FPS = 30.0


class Preview:
    """Frames into one reused texture (a texture per frame leaks GPU memory). UI thread only."""

    def __init__(self, on_texture: Callable[[Texture], None]) -> None:
        self.on_texture = on_texture
        self.texture: Texture | None = None
        self.frames_shown = 0
        self.textures_made = 0

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


class CameraHub:
    def __init__(
        self,
        source: str,
        bridge: UiBridge,
        on_card: Callable[[str, str], None],  # (text, source: scan or barcode)
        on_state: Callable[[str], None],
        on_texture: Callable[[Texture], None],
        engine: str = "zxing",
        legacy: bool = False,
    ) -> None:
        self.source = LiveSource(parse_source(source), loop=True)
        self.pipeline = CardPipeline.for_cards(engine, legacy=legacy)
        self.preview = Preview(on_texture)
        self.bridge = bridge
        self.on_card = on_card
        self.on_state = on_state
        self.state = "starting"
        self.show_preview = True
        self.frames_skipped = 0  # newer frames arrived before the UI could show the older
        self._last_index = -1
        self._decoding: PipelineThread | None = None
        self._event = None

    # counters for the staff screen and tools/bench_ui.py
    @property
    def frames_shown(self) -> int:
        return self.preview.frames_shown

    @property
    def textures_made(self) -> int:
        return self.preview.textures_made

    @property
    def frames_decoded(self) -> int:
        return self.pipeline.stats.frames

    def start(self) -> CameraHub:
        self.source.start()
        self._decoding = self.pipeline.start(self.source, self._post)
        self._event = Clock.schedule_interval(self._on_clock, 1.0 / PREVIEW_FPS)
        return self

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self.source.stop()
        if self._decoding is not None:
            self._decoding.stop()

    def _post(self, event: CardEvent) -> None:  # decode thread
        self.bridge.post(self.on_card, event.text, event.source)

    # --- UI thread ----------------------------------------------------------------------
    def _on_clock(self, _dt: float) -> None:
        """Show the newest frame (if new) and report camera state changes."""
        state = self.source.status.state
        if state != self.state:
            self.state = state
            self.on_state(state)
        frame = self.source.latest()
        if frame is None or frame.index == self._last_index:
            return
        if self._last_index >= 0 and frame.index > self._last_index:
            self.frames_skipped += frame.index - self._last_index - 1
        self._last_index = frame.index
        if self.show_preview:
            self.preview.upload(frame.image)
