"""Short chimes for every result, loaded once; a kiosk without audio just stays silent."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.resources import asset

SOUND_DIR = asset("sounds")
NAMES = ("welcome", "repeat", "refused", "thanks", "tap")

log = logging.getLogger(__name__)


class Sounds:
    def __init__(self, folder: Path = SOUND_DIR, enabled: bool = True) -> None:
        self._sounds: dict[str, object] = {}
        self.played: list[str] = []  # what the kiosk meant to play (tests and the staff screen)
        if not enabled:
            return
        try:
            from kivy.core.audio import SoundLoader
        except Exception as exc:  # no audio provider on this machine
            log.info("no sound: %s", exc)
            return
        for name in NAMES:
            path = folder / f"{name}.wav"
            sound = SoundLoader.load(str(path)) if path.exists() else None
            if sound is not None:
                self._sounds[name] = sound

    def play(self, name: str) -> None:
        self.played.append(name)
        del self.played[:-20]
        sound = self._sounds.get(name)
        if sound is None:
            return
        try:
            sound.stop()
            sound.play()
        except Exception as exc:  # a broken audio device must not stop a check-in
            log.warning("sound %s failed: %s", name, exc)
