"""Card sheets as printed: rendered to pixels by poppler, so a layout mistake is seen."""

from __future__ import annotations

import random
import shutil
import string
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from kiosk.adapters.render.cards import (
    CARD_H_MM,
    CARD_W_MM,
    MM,
    NAME_H_MM,
    CardFace,
    _name_width,
    card_slots,
    name_block,
    printable,
    render_card,
    write_pdf,
)
from kiosk.domain.members import MAX_NAME_LEN, MAX_WORD_LEN, name_problem

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
DPI = 72  # one pixel per PDF point: card slots map straight onto pixels
A4_PT = (595.2755905511812, 841.8897637795277)
LONG = "Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari Wulandari Putri Andayani"  # 76


def faces(n: int) -> list[CardFace]:
    return [
        CardFace(
            f"M{i:04}",
            LONG if i % 3 == 0 else f"Anggota {i}",
            f"LK1:K1:M{i:04}:1:AAAA",
            "Pelajar",
            date(2027, 12, 31),
            1 + i % 2,
        )  # fmt: skip
        for i in range(n)
    ]


def pages_of(pdf: Path, tmp_path: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(tmp_path / "p")], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("p-*.png"))]


def inked(img: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Pixels darker than paper white inside a box given in PDF points (origin bottom left)."""
    x0, y0, x1, y1 = box
    h = img.height
    crop = img.crop((round(x0), round(h - y1), round(x1), round(h - y0)))
    return sum(1 for v in crop.getdata() if v < 235)


def test_nothing_is_printed_between_the_cards(tmp_path: Path) -> None:
    pdf = tmp_path / "cards.pdf"
    sheet = write_pdf(faces(23), "Dinas Perpustakaan dan Kearsipan Kota Lubuklinggau", pdf)
    assert (sheet.cards, sheet.pages, sheet.refused) == (23, 3, [])
    pages = pages_of(pdf, tmp_path)
    assert len(pages) == 3
    slots = card_slots(*A4_PT)
    cw, ch = CARD_W_MM * MM, CARD_H_MM * MM
    inset = 1.5  # anti-aliased edges of the card pictures
    for page_no, img in enumerate(pages):
        filled = 23 - page_no * 10
        # the gap column between the two cards of a row, the full height of the block
        left = slots[0][0] + cw + inset
        right = slots[1][0] - inset
        bottom, top = slots[-1][1] + inset, slots[0][1] + ch - inset
        assert inked(img, (left, bottom, right, top)) == 0, f"page {page_no + 1}: column gap"
        for r in range(4):  # the gaps between rows, the full width of the block
            upper, lower = slots[2 * r], slots[2 * r + 2]
            box = (slots[0][0] - 4 * MM, lower[1] + ch + inset, slots[1][0] + cw + 4 * MM,
                   upper[1] - inset)  # fmt: skip
            assert inked(img, box) == 0, f"page {page_no + 1}: gap under row {r + 1}"
        for i, (x, y) in enumerate(slots):  # a card drawn in its slot, an empty slot blank
            ink = inked(img, (x + inset, y + inset, x + cw - inset, y + ch - inset))
            assert (ink > 500) == (i < filled), f"page {page_no + 1}, slot {i + 1}"


def test_a_long_name_is_wrapped_whole_and_every_field_is_on_the_card() -> None:
    card = faces(1)[0]
    img = render_card(card, "Perpustakaan", dpi=300)
    draw = ImageDraw.Draw(img)
    px = 300 / 25.4
    lines, _, _ = name_block(draw, card.name, _name_width(px), round(NAME_H_MM * px), px)
    assert " ".join(lines) == LONG and len(lines) > 1


def test_every_name_the_entry_rule_accepts_fits_the_card() -> None:
    """The domain's limits (stdlib only, no fonts) checked against the real font: capitals
    as SLiMS exports often have them, at the longest name and word the entry rule allows."""
    rng = random.Random(7)
    draw = ImageDraw.Draw(Image.new("1", (1, 1)))
    px = 300 / 25.4
    names = ["M" * MAX_WORD_LEN, "SITI " * (MAX_NAME_LEN // 5)]
    for _ in range(60):
        words, total = [], 0
        while total < MAX_NAME_LEN:
            n = rng.randint(1, MAX_WORD_LEN)
            letters = rng.choice((string.ascii_uppercase, string.ascii_letters))
            words.append("".join(rng.choice(letters) for _ in range(n)))
            total = len(" ".join(words))
        name = " ".join(words)[:MAX_NAME_LEN].strip()
        if not name_problem(name):
            names.append(name)
    for name in names:
        name_block(draw, name, _name_width(px), round(NAME_H_MM * px), px)


def test_a_card_that_cannot_be_printed_is_named_and_the_rest_print(tmp_path: Path) -> None:
    bad = CardFace("M9", "X" * 200, "LK1:x")
    ok, refused = printable([*faces(2), bad])
    assert [c.number for c in ok] == ["M0000", "M0001"]
    assert [e.number for e in refused] == ["M9"] and "shorten" in str(refused[0])
    sheet = write_pdf([*faces(2), bad], "Perpustakaan", tmp_path / "c.pdf")
    assert (sheet.cards, [e.number for e in sheet.refused]) == (2, ["M9"])
