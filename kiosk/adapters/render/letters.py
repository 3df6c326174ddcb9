"""A group's confirmation letter (A4 PDF, Bahasa Indonesia): what the school brings to the
library, with the group QR the leader shows at the kiosk on arrival."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.adapters.render.cards import GREEN, _font_path
from kiosk.adapters.render.qr import qr_image

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
# What a visiting group is asked to bring and to know.
BRING = (
    "Surat ini (cetak atau di layar ponsel) untuk dipindai di kios tamu saat tiba.",
    "Jumlah anak dan pendamping yang hadir, untuk dikonfirmasi di kios.",
    "Satu pendamping untuk setiap 10 anak (PAUD/TK: setiap 5 anak).",
    "Tas dan makanan dititipkan di loker; buku dibaca di ruangan dengan tangan bersih.",
)


def tanggal(day: date) -> str:
    """A date as a letter writes it: Rabu, 3 Desember 2026."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class GroupLetter:
    code: str
    qr_text: str
    visit_date: date
    institution: str
    level: str  # the level's words, e.g. "Taman Kanak-kanak (TK/RA)"
    expected_children: int
    expected_adults: int
    leader_name: str | None
    purpose: str | None
    written: date  # the day the letter is printed


def write_letter(letter: GroupLetter, library_name: str, out: Path) -> Path:
    """One A4 page; the caller lands the file (kiosk.adapters.files.landing)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    regular, bold = "Helvetica", "Helvetica-Bold"
    if (path := _font_path(False)) and (bold_path := _font_path(True)):
        pdfmetrics.registerFont(TTFont("DejaVuSans", path))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold_path))
        regular, bold = "DejaVuSans", "DejaVuSans-Bold"
    w, h = A4
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setTitle(f"Konfirmasi kunjungan rombongan {letter.code} - {library_name}")
    c.setFillColorRGB(*(v / 255 for v in GREEN))
    c.rect(0, h - 32 * mm, w, 32 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(bold, 16)
    c.drawString(20 * mm, h - 16 * mm, library_name)
    c.setFont(regular, 11)
    c.drawString(20 * mm, h - 24 * mm, "Konfirmasi Kunjungan Rombongan")

    c.setFillColorRGB(0, 0, 0)
    y = h - 46 * mm
    c.setFont(regular, 10)
    c.drawRightString(w - 20 * mm, y, f"Dicetak {tanggal(letter.written)}")
    y -= 10 * mm
    c.setFont(bold, 13)
    c.drawString(20 * mm, y, f"Kepada {letter.institution}")
    y -= 8 * mm
    c.setFont(regular, 11)
    c.drawString(20 * mm, y, "Kunjungan rombongan Anda ke perpustakaan telah terdaftar:")
    y -= 10 * mm
    side = 55 * mm
    qr_x, qr_y = w - 20 * mm - side, y + 4 * mm - side  # beside the details, never under text
    value_w = qr_x - 62 * mm - 4 * mm
    people = f"{letter.expected_children} anak, {letter.expected_adults} pendamping"
    rows = [
        ("Tanggal kunjungan", tanggal(letter.visit_date)),
        ("Lembaga", letter.institution),
        ("Jenjang", letter.level),
        (
            "Jumlah rombongan",
            f"{people} ({letter.expected_children + letter.expected_adults} orang)",
        ),
        ("Ketua rombongan", letter.leader_name or "-"),
        ("Tujuan kunjungan", letter.purpose or "-"),
        ("Kode rombongan", letter.code),
    ]
    for label, value in rows:
        c.setFont(regular, 11)
        c.drawString(20 * mm, y, label)
        c.setFont(bold, 11)
        for i, part in enumerate(_wrap(c, value, bold, 11, value_w)):
            c.drawString(62 * mm, y - i * 5 * mm, part)
            if i:
                y -= 5 * mm
        y -= 7.5 * mm

    qr = qr_image(letter.qr_text, box_size=10, border=4)
    c.drawImage(ImageReader(qr), qr_x, qr_y, side, side)
    c.setFont(regular, 9)
    c.drawCentredString(qr_x + side / 2, qr_y - 5 * mm, "Pindai kode ini di kios saat tiba")

    y = min(y, qr_y - 16 * mm)
    c.setFont(bold, 12)
    c.drawString(20 * mm, y, "Yang perlu dibawa dan diperhatikan")
    y -= 8 * mm
    c.setFont(regular, 11)
    for item in BRING:
        for i, part in enumerate(_wrap(c, item, regular, 11, w - 48 * mm)):
            c.drawString(26 * mm if i else 20 * mm, y, ("•  " if not i else "") + part)
            y -= 6 * mm
        y -= 1.5 * mm
    y -= 6 * mm
    for line in (
        "Di pintu masuk, ketua rombongan memindai kode di atas pada kios tamu dan",
        "mengonfirmasi jumlah anak dan pendamping yang hadir. Nama anak tidak dicatat.",
        "Jika jadwal berubah, mohon kabari perpustakaan sebelum hari kunjungan.",
    ):
        c.drawString(20 * mm, y, line)
        y -= 6 * mm
    c.setFont(regular, 8)
    c.setFillGray(0.4)
    c.drawString(20 * mm, 12 * mm, f"{library_name} - kode rombongan {letter.code}")
    c.showPage()
    c.save()
    return out


def _wrap(c, text: str, font: str, size: float, width: float) -> list[str]:  # noqa: ANN001
    lines: list[str] = []
    for word in text.split():
        if lines and c.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
