"""Printable member cards: A4 PDF sheets of ID-1 cards (85.6 x 54 mm), or one PNG per card.

Each card shows the library's name, the member's name and number, and the signed QR. The QR
is printed at least 24 mm wide so that a cheap webcam reads it at arm's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.adapters.render.qr import qr_image
from kiosk.resources import asset

CARD_W_MM, CARD_H_MM = 85.6, 54.0
MM = 72 / 25.4  # PDF points per millimetre
GREEN = (0, 105, 92)
FONT_DIRS = (asset("fonts"), Path("/usr/share/fonts"))


@dataclass(frozen=True)
class CardFace:
    number: str
    name: str
    payload: str
    category: str | None = None


def _font_path(bold: bool) -> str | None:
    wanted = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for d in FONT_DIRS:
        found = next(iter(d.rglob(wanted)), None) if d.exists() else None
        if found:
            return str(found)
    return None


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont:
    path = _font_path(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, size: int, bold: bool, smallest: int = 10
) -> tuple[str, ImageFont.ImageFont]:
    """The largest font from `size` down to `smallest` that fits `text` in `width`, shortening
    the text with an ellipsis as a last resort."""
    while size > smallest:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= width:
            return text, font
        size -= 2
    font = _font(smallest, bold)
    if draw.textlength(text, font=font) <= width:
        return text, font
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…", font


def _name_lines(draw: ImageDraw.ImageDraw, name: str, width: int, px: float) -> list[tuple]:
    """A member's name in one line, or two when it is long, never smaller than 2.4 mm."""
    big, small = round(4.2 * px), round(2.4 * px)
    one = _fit(draw, name, width, big, True, smallest=round(3.2 * px))
    if not one[0].endswith("…"):
        return [one]
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):  # the longest first line that fits
        first = " ".join(words[:cut])
        if draw.textlength(first, font=_font(small, True)) <= width:
            rest = " ".join(words[cut:])
            return [
                _fit(draw, first, width, small, True, small),
                _fit(draw, rest, width, small, True, small),
            ]
    return [_fit(draw, name, width, small, True, small)]


def render_card(card: CardFace, library_name: str, dpi: int = 300) -> Image.Image:
    """One card face as an RGB image at `dpi`."""
    px = dpi / 25.4
    w, h = round(CARD_W_MM * px), round(CARD_H_MM * px)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    band = round(12 * px)
    d.rectangle((0, 0, w, band), fill=GREEN)
    pad = round(3 * px)
    text, font = _fit(d, library_name, w - 2 * pad, round(3.6 * px), True)
    d.text((pad, band / 2), text, font=font, fill="white", anchor="lm")
    qr_side = round(30 * px)
    qr = qr_image(card.payload, box_size=8, border=2).resize((qr_side, qr_side), Image.NEAREST)
    img.paste(qr.convert("RGB"), (w - qr_side - pad, band + round(4 * px)))
    left_w = w - qr_side - 3 * pad
    y = band + round(6 * px)
    d.text((pad, y), "KARTU ANGGOTA", font=_font(round(2.6 * px), True), fill=GREEN)
    lines = _name_lines(d, card.name, left_w, px)
    line_y = y + round(6 * px) if len(lines) == 1 else y + round(5 * px)
    for text, font in lines:
        d.text((pad, line_y), text, font=font, fill="black")
        line_y += round(3.4 * px)
    d.text((pad, y + round(14 * px)), "No. Anggota", font=_font(round(2.4 * px)), fill="#555")
    number, font = _fit(d, card.number, left_w, round(5 * px), True)
    d.text((pad, y + round(18 * px)), number, font=font, fill="black")
    if card.category:
        cat, font = _fit(d, card.category, left_w, round(2.8 * px), False)
        d.text((pad, y + round(27 * px)), cat, font=font, fill="#555")
    return img


def write_pngs(cards: Sequence[CardFace], library_name: str, out_dir: Path) -> list[Path]:
    names = [f"{card.number.replace('/', '_')}.png" for card in cards]  # '/' can't be in a name
    clash = next((n for n in names if names.count(n) > 1), None)
    if clash:
        same = [c.number for c, n in zip(cards, names, strict=True) if n == clash]
        raise ValueError(f"members {' and '.join(same)} would both be written as {clash}")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for card, name in zip(cards, names, strict=True):
        render_card(card, library_name).save(out_dir / name, dpi=(300, 300))
        paths.append(out_dir / name)
    return paths


def write_pdf(cards: Sequence[CardFace], library_name: str, out: Path) -> int:
    """A4 sheets, 2 x 5 cards with crop marks; returns the number of pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    cols, rows = 2, 5
    cw, ch = CARD_W_MM * MM, CARD_H_MM * MM
    gap = 4 * MM  # room for the crop marks between cards
    page_w, page_h = A4
    x0 = (page_w - cols * cw - (cols - 1) * gap) / 2
    y0 = page_h - (page_h - rows * ch - (rows - 1) * gap) / 2
    out.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setTitle(f"Kartu anggota - {library_name}")
    per_page = cols * rows
    pages = max(1, -(-len(cards) // per_page))
    for page in range(pages):
        for i, card in enumerate(cards[page * per_page : (page + 1) * per_page]):
            x = x0 + (i % cols) * (cw + gap)
            y = y0 - (i // cols + 1) * ch - (i // cols) * gap
            c.drawImage(ImageReader(render_card(card, library_name)), x, y, cw, ch)
            _crop_marks(c, x, y, cw, ch)
        c.setFont("Helvetica", 7)
        c.drawString(x0, 8 * MM, f"{library_name} - kartu anggota - halaman {page + 1}/{pages}")
        c.showPage()
    c.save()
    return pages


def _crop_marks(c, x: float, y: float, w: float, h: float) -> None:  # noqa: ANN001
    mark, off = 3 * MM, 0.8 * MM
    c.setLineWidth(0.3)
    for cx in (x, x + w):
        for cy in (y, y + h):
            sx = -1 if cx == x else 1
            sy = -1 if cy == y else 1
            c.line(cx + sx * off, cy, cx + sx * (off + mark), cy)
            c.line(cx, cy + sy * off, cx, cy + sy * (off + mark))
