"""Card payloads as QR codes at error correction M (what cheap webcams read at arm's length)."""

from __future__ import annotations

import qrcode
from PIL import Image


def qr_version(payload: str) -> int:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    return qr.version


def qr_image(payload: str, box_size: int = 10, border: int = 4) -> Image.Image:
    """The payload as a QR code at error correction M (quiet zone of 4 modules)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border
    )
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
