"""Camera input for UI tests: folders of frames showing a rendered member card."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kiosk.adapters.render.cards import CardFace, render_card
from kiosk.domain.cards import make_payload
from kiosk.services.kiosk import KioskService


def card_payload(svc: KioskService, number: str, seq: int = 1) -> str:
    return make_payload(number, seq, svc.desk.keyring)


def card_frames(folder: Path, svc: KioskService, number: str, name: str, seq: int = 1) -> Path:
    """A folder holding one 1280x720 camera frame with the member's printed card in it."""
    face = render_card(
        CardFace(number, name, card_payload(svc, number, seq)), "Perpustakaan", dpi=150
    )
    frame = Image.new("RGB", (1280, 720), (92, 84, 74))
    frame.paste(face, ((1280 - face.width) // 2, (720 - face.height) // 2))
    folder.mkdir(parents=True, exist_ok=True)
    frame.save(folder / "frame_0000.png")
    return folder


def empty_frames(folder: Path) -> Path:
    """A camera looking at an empty counter."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 360), (92, 84, 74)).save(folder / "frame_0000.png")
    return folder
