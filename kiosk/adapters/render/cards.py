"""Printable member cards: A4 PDF sheets of ID-1 cards (85.6 x 54 mm), or one PNG per card.

Each card shows the library's name, the member's name and number, and the signed QR. The QR
is printed at least 24 mm wide so that a cheap webcam reads it at arm's length.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.adapters.render.qr import qr_image
from kiosk.resources import asset

CARD_W_MM, CARD_H_MM = 85.6, 54.0
MM = 72 / 25.4  # PDF points per millimetre
GREEN = (0, 105, 92)
PALE = (200, 230, 222)
GREY = "#555555"
INK = "#222222"
FONT_DIRS = (asset("fonts"), Path("/usr/share/fonts"))


@dataclass(frozen=True)
class CardFace:
    number: str
    name: str
    payload: str
    category: str | None = None
    expires: date | None = None
    card_seq: int = 1


class CardError(ValueError):
    """A card that cannot be printed, naming the member and what to do."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"member {number}: {reason}")
        self.number = number


def _font_path(bold: bool) -> str | None:
    wanted = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for d in FONT_DIRS:
        found = next(iter(d.rglob(wanted)), None) if d.exists() else None
        if found:
            return str(found)
    return None


@lru_cache(maxsize=64)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, size: int, bold: bool, smallest: int = 10
) -> tuple[str, ImageFont.ImageFont]:
    """The largest font from `size` down to `smallest` that fits `text` in `width`, shortening
    the text with an ellipsis as a last resort (the library's own name, never a member's)."""
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


def _wrap(draw: ImageDraw.ImageDraw, words: list[str], font: ImageFont.ImageFont, width: int):
    """Greedy word wrap; None when one word alone is wider than the line."""
    lines: list[str] = []
    for word in words:
        if draw.textlength(word, font=font) > width:
            return None
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def name_block(
    draw: ImageDraw.ImageDraw, name: str, width: int, height: int, px: float
) -> tuple[list[str], ImageFont.ImageFont, int]:
    """The member's whole name wrapped into `width` x `height`: (lines, font, line step), in
    the largest size from 3.8 mm down to 2.2 mm that fits. ValueError when none does: a name is
    never cut, because a card with half a name is handed back."""
    words = name.split()
    size = round(3.8 * px)
    while size >= round(2.2 * px):
        font = _font(size, True)
        step = round(size * 1.18)
        lines = _wrap(draw, words, font, width)
        if lines is not None and len(lines) * step <= height:
            return lines, font, step
        size -= max(1, round(0.2 * px))
    raise ValueError("the name does not fit on the card: shorten it with `kiosk members edit`")


NAME_H_MM = 14.0
QR_MM, PAD_MM = 30.0, 3.0


def _name_width(px: float) -> int:
    """The left column, between the card's edge and the QR."""
    return round(CARD_W_MM * px) - round(QR_MM * px) - 3 * round(PAD_MM * px)


def render_card(card: CardFace, library_name: str, dpi: int = 300) -> Image.Image:
    """One card face as an RGB image at `dpi`; CardError when it cannot be printed whole."""
    px = dpi / 25.4
    w, h = round(CARD_W_MM * px), round(CARD_H_MM * px)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    band, pad = round(12 * px), round(PAD_MM * px)
    d.rectangle((0, 0, w, band), fill=GREEN)
    text, font = _fit(d, library_name, w - 2 * pad, round(3.4 * px), True)
    d.text((pad, round(4.3 * px)), text, font=font, fill="white", anchor="lm")
    d.text((pad, round(9 * px)), "KARTU ANGGOTA", font=_font(round(2.4 * px), True), fill=PALE)

    qr_side = round(QR_MM * px)
    qr_x, qr_y = w - qr_side - pad, band + round(2.5 * px)
    qr = qr_image(card.payload, box_size=8, border=2).resize((qr_side, qr_side), Image.NEAREST)
    img.paste(qr.convert("RGB"), (qr_x, qr_y))
    small = _font(round(2.4 * px))
    d.text(
        (qr_x + qr_side // 2, qr_y + qr_side + round(2.6 * px)),
        f"Kartu ke-{card.card_seq}",
        font=small,
        fill=GREY,
        anchor="mm",
    )

    left_w = _name_width(px)
    y = band + round(2.5 * px)
    try:
        lines, font, step = name_block(d, card.name, left_w, round(NAME_H_MM * px), px)
    except ValueError as e:
        raise CardError(card.number, str(e)) from None
    for line in lines:
        d.text((pad, y), line, font=font, fill="black")
        y += step
    y = band + round(18 * px)
    d.text((pad, y), "No. Anggota", font=small, fill=GREY)
    number, font = _fit(d, card.number, left_w, round(4.4 * px), True)
    d.text((pad, y + round(2.8 * px)), number, font=font, fill="black")
    y += round(9 * px)
    if card.category:
        cat, font = _fit(d, card.category, left_w, round(2.8 * px), False)
        d.text((pad, y), cat, font=font, fill=GREY)
    until = f"{card.expires:%d-%m-%Y}" if card.expires else "tanpa batas waktu"
    d.text((pad, y + round(4 * px)), f"Berlaku s.d. {until}", font=_font(round(2.6 * px)), fill=INK)
    return img


def write_pngs(
    cards: Sequence[CardFace], library_name: str, out_dir: Path
) -> tuple[list[Path], list[CardError]]:
    """One PNG per printable card in an existing folder (each renamed into place when whole);
    the members left out and why."""
    cards, refused = printable(cards)
    names = [f"{card.number.replace('/', '_')}.png" for card in cards]  # '/' can't be in a name
    clash = next((n for n in names if names.count(n) > 1), None)
    if clash:
        same = [c.number for c, n in zip(cards, names, strict=True) if n == clash]
        raise ValueError(f"members {' and '.join(same)} would both be written as {clash}")
    paths = []
    for card, name in zip(cards, names, strict=True):
        tmp = out_dir / f".{name}.part"
        try:
            render_card(card, library_name).save(tmp, format="PNG", dpi=(300, 300))
            os.replace(tmp, out_dir / name)
        finally:
            tmp.unlink(missing_ok=True)
        paths.append(out_dir / name)
    return paths, refused


@dataclass(frozen=True)
class Sheet:
    """What a card sheet holds: the cards printed, the pages, the members left out and why."""

    cards: int
    pages: int
    refused: list[CardError]


def card_slots(page_w: float, page_h: float) -> list[tuple[float, float]]:
    """Lower-left corners (PDF points) of the 2 x 5 cards on a page, row by row."""
    cw, ch = CARD_W_MM * MM, CARD_H_MM * MM
    x0 = (page_w - COLS * cw - (COLS - 1) * GAP) / 2
    top = page_h - (page_h - ROWS * ch - (ROWS - 1) * GAP) / 2
    return [
        (x0 + c * (cw + GAP), top - (r + 1) * ch - r * GAP)
        for r in range(ROWS)
        for c in range(COLS)
    ]


COLS, ROWS = 2, 5
GAP = 4 * MM  # cut between the cards; nothing is printed there


def printable(cards: Sequence[CardFace], dpi: int = 300) -> tuple[list[CardFace], list[CardError]]:
    """The cards that can be printed whole, and the members that cannot (the rest still print);
    measured only, so a thousand members do not sit in memory as pictures."""
    px = dpi / 25.4
    draw = ImageDraw.Draw(Image.new("1", (1, 1)))
    ok, refused = [], []
    for card in cards:
        try:
            name_block(draw, card.name, _name_width(px), round(NAME_H_MM * px), px)
        except ValueError as e:
            refused.append(CardError(card.number, str(e)))
        else:
            ok.append(card)
    return ok, refused


def write_pdf(cards: Sequence[CardFace], library_name: str, out: Path) -> Sheet:
    """A4 sheets of 2 x 5 cards: crop marks and the page line only in the page margins, never
    between or on the cards. The caller lands the file (kiosk.adapters.files.landing)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    done, refused = printable(cards)
    if not done:
        raise ValueError("no card could be printed: " + "; ".join(map(str, refused)))
    cw, ch = CARD_W_MM * MM, CARD_H_MM * MM
    page_w, page_h = A4
    slots = card_slots(page_w, page_h)
    per_page = len(slots)
    pages = -(-len(done) // per_page)
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setTitle(f"Kartu anggota - {library_name}")
    for page in range(pages):
        for (x, y), card in zip(slots, done[page * per_page : (page + 1) * per_page], strict=False):
            c.drawImage(ImageReader(render_card(card, library_name)), x, y, cw, ch)
        _crop_marks(c, slots, cw, ch)
        c.saveState()
        c.setFont("Helvetica", 7)
        c.setFillGray(0.4)
        c.translate(slots[0][0] / 2, page_h / 2)  # the left margin, clear of every card
        c.rotate(90)
        c.drawCentredString(0, 0, f"{library_name} - kartu anggota - halaman {page + 1}/{pages}")
        c.restoreState()
        c.showPage()
    c.save()
    return Sheet(len(done), pages, refused)


def _crop_marks(c, slots: list[tuple[float, float]], w: float, h: float) -> None:  # noqa: ANN001
    """Cut lines marked outside the block of cards: above and below for every card edge's
    column, left and right for every row edge."""
    mark, off = 3 * MM, 0.8 * MM
    xs = sorted({x for x, _ in slots} | {x + w for x, _ in slots})
    ys = sorted({y for _, y in slots} | {y + h for _, y in slots})
    left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
    c.setLineWidth(0.3)
    for x in xs:
        c.line(x, top + off, x, top + off + mark)
        c.line(x, bottom - off, x, bottom - off - mark)
    for y in ys:
        c.line(left - off, y, left - off - mark, y)
        c.line(right + off, y, right + off + mark, y)
