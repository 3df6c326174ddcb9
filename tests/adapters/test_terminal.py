"""Terminal tables: every line within the width, numbers right-aligned, names whole (wrapped),
other text shortened with "…", and widths counted as a terminal shows them."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.adapters.render import terminal
from kiosk.adapters.render.table import Column, Table, text
from kiosk.adapters.render.terminal import CUT, KEEP, RIGHT, WRAP, width

LONG = "Siti Aminah Binti Abdullah Prameswari Wulandari"
WIDE = "王小明 Budi"  # each of the three characters takes two terminal columns
DECOMPOSED = unicodedata.normalize("NFD", "José Ramírez")  # e + combining accent
HEADINGS = ["Nomor", "Nama", "Jenis anggota", "Berlaku s.d.", "Kartu"]
FITS = [KEEP, WRAP, CUT, KEEP, RIGHT]
ROWS = [
    ["M2016001", LONG, "Masyarakat umum kota", "31-12-2027", 2],
    ["M2", WIDE, "Pelajar", None, 1],
    ["M3", DECOMPOSED, "Umum", "01-01-2027", 12],
]


def test_widths_count_what_a_terminal_shows() -> None:
    assert width(WIDE) == 3 * 2 + 5
    assert width(DECOMPOSED) == len("José Ramírez") == 12
    assert terminal.cut("Masyarakat umum", 8) == "Masyara…"
    wide = "王小明王小明"
    assert terminal.cut(wide, 5) == "王小…" and width(terminal.cut(wide, 6)) <= 6
    assert terminal.wrap(LONG, 12) == [
        "Siti Aminah", "Binti", "Abdullah", "Prameswari", "Wulandari"
    ]  # fmt: skip


def _cells(out: str) -> tuple[list[list[str]], list[list[str]]]:
    """(heading lines, body lines) as cells cut at the display columns of the rule of dashes,
    so a cell that strays out of its column shows as a wrong cell."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "})
    spans, col = [], 0
    for dashes in lines[at].split("  "):
        spans.append((col, col + len(dashes)))
        col += len(dashes) + 2

    def split(line: str) -> list[str]:
        out, col = [""] * len(spans), 0
        for c in line:
            where = next((k for k, (a, b) in enumerate(spans) if a <= col < b), None)
            assert where is not None or c == " ", f"{c!r} between columns in {line!r}"
            if where is not None:
                out[where] += c
            col += terminal.char_width(c)
        return out

    return [split(line) for line in lines[:at]], [split(line) for line in lines[at + 1 :]]


@pytest.mark.parametrize("columns", [120, 80, 62, 54])
def test_no_line_is_wider_than_the_terminal_and_names_stay_whole(columns: int) -> None:
    out = terminal.fit(HEADINGS, ROWS, FITS, columns)
    assert all(width(line) <= columns for line in out.splitlines()), out
    heads, body = _cells(out)
    assert [" ".join(h[k].strip() for h in heads).strip() for k in range(5)] == HEADINGS
    starts = [i for i, cells in enumerate(body) if cells[0].strip()]
    assert [body[i][0].strip() for i in starts] == ["M2016001", "M2", "M3"]
    for row, start, end in zip(ROWS, starts, [*starts[1:], len(body)], strict=True):
        name = " ".join(body[i][1].strip() for i in range(start, end)).strip()
        assert name == unicodedata.normalize("NFC", row[1])  # wrapped, never cut
        kind = body[start][2].strip()
        assert kind == row[2] or (kind.endswith("…") and row[2].startswith(kind[:-1])), kind
        assert body[start][3].strip() == (row[3] or "-")  # dates whole
        card = body[start][4]
        assert card.strip() == str(row[4]) and not card.endswith(" ")  # right-aligned


def test_too_narrow_for_a_table_shows_each_row_as_lines() -> None:
    out = terminal.fit(HEADINGS, ROWS, FITS, 30)
    assert all(width(line) <= 30 for line in out.splitlines()), out
    first = out.split("\n\n")[0].splitlines()
    assert first[0] == "Nomor: M2016001" and first[-1] == "Kartu: 2"
    assert "Wulandari" in out and "Berlaku s.d.: -" in out


def test_a_table_model_speaks_the_reader_s_language() -> None:
    columns = [Column("n", "Number", fit=KEEP), Column("name", "Name", fit=WRAP),
               Column("card", "Card", "count")]  # fmt: skip
    table = Table("", columns, [["M1", WIDE, 3]])
    assert text(table, "id", 80).splitlines()[0].split() == ["Nomor", "Nama", "Kartu"]
    assert text(table, "en", 80).splitlines()[0].split() == ["Number", "Name", "Card"]
    with pytest.raises(ValueError, match="fit"):
        Column("x", "Name", fit="squeeze")
