"""Group visits from registration to letter, arrival, edit and cancel; guests' new answers."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.domain.clock import local_day, utcnow


def _group(kiosk, day: str, level: str = "ra", **extra: str) -> dict:
    args = ["groups", "add", "--date", day, "--institution", "TK Pertiwi 2", "--level", level,
            "--children", "25", "--adults", "3", "--json"]  # fmt: skip
    for k, v in extra.items():
        args += [f"--{k}", v]
    code, d, err = kiosk(*args)
    assert code == 0, err
    return d


def test_levels_take_the_names_schools_use(kiosk) -> None:
    today = f"{local_day(utcnow()):%d-%m-%Y}"
    assert [_group(kiosk, today, lv)["level"] for lv in ("RA", "mi", "MTs", "SMK", "MA", "PT")] == [
        "TK", "SD", "SMP", "SMA", "SMA", "PT",
    ]  # fmt: skip
    code, d, _ = kiosk("groups", "add", "--date", today, "--institution", "X", "--level", "S3",
                       "--children", "1", "--adults", "1", "--json")  # fmt: skip
    assert code == 2 and d["field"] == "level" and "SD/MI" in d["error"]


def test_list_shows_expected_arrived_and_status_then_cancel_and_edit(kiosk, monkeypatch) -> None:
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")
    today = local_day(utcnow())
    here = _group(kiosk, f"{today:%d/%m/%Y}", purpose="storytelling")
    later = _group(kiosk, (today + timedelta(days=7)).isoformat())
    assert here["purpose"] == "storytelling" and here["status"] == "planned"
    code, d, _ = kiosk("groups", "checkin", here["code"], "--children", "20", "--adults", "2",
                       "--room", "ANAK", "--json")  # fmt: skip
    assert (code, d["decision"]) == (0, "welcome")
    code, rows, _ = kiosk("groups", "list", "--json")
    mine = {r["code"]: r for r in rows}
    assert (mine[here["code"]]["status"], mine[here["code"]]["arrived_children"]) == ("arrived", 20)
    code, out, _ = kiosk("groups", "list")
    assert "Expected" in out and "Arrived" in out and "20+2" in out and "25+3" in out
    long = "Sekolah Dasar Negeri 12 Lubuklinggau Timur Kecamatan Lubuklinggau Timur I"
    far = _group(kiosk, (today + timedelta(days=9)).isoformat(), institution=long)
    monkeypatch.setenv("COLUMNS", "72")
    monkeypatch.setenv("KIOSK_LANGUAGE", "id")
    code, out, _ = kiosk("groups", "list")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Kode", "Tanggal", "Jenjang", "Lembaga"]
    assert all(len(line) <= 72 for line in lines) and "terjadwal" in out, out
    at = lines[0].index("Lembaga")
    start = next(i for i, line in enumerate(lines) if line.startswith(far["code"]))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] != " "), len(lines))
    assert "25+3" in lines[start] and end - start > 1
    wrapped = " ".join(line[at:].split("  ")[0] for line in lines[start:end])
    assert wrapped == long  # the institution wraps in its column, never cut

    code, d, _ = kiosk("groups", "cancel", here["code"], "--json")
    assert code == 2 and "already arrived" in d["error"]
    code, d, _ = kiosk("groups", "edit", later["code"], "--children", "30", "--level", "SD",
                       "--json")  # fmt: skip
    assert (code, d["expected_children"], d["level"], d["institution"]) == (
        0,
        30,
        "SD",
        "TK Pertiwi 2",
    )
    code, d, _ = kiosk("groups", "edit", later["code"], "--phone", "call me", "--json")
    assert code == 2 and d["field"] == "phone"
    code, d, _ = kiosk("groups", "cancel", later["code"], "--json")
    assert (code, d["status"]) == (0, "cancelled")
    code, d, _ = kiosk("groups", "checkin", later["code"], "--children", "1", "--adults", "1",
                       "--room", "ANAK", "--json")  # fmt: skip
    assert (code, d["decision"]) == (1, "unknown_group")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_letter_s_qr_checks_the_group_in(kiosk, tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    g = _group(kiosk, f"{local_day(utcnow()):%d-%m-%Y}", leader="Bu Sari")
    out = tmp_path / "surat" / "rombongan.pdf"
    code, d, _ = kiosk("groups", "letter", g["code"], "--out", str(out), "--json")
    assert code == 2 and d["field"] == "out"
    code, d, _ = kiosk("groups", "letter", g["code"], "--out", str(out), "--mkdir", "--json")
    assert code == 0 and Path(d["file"]) == out
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(out), str(tmp_path / "p")], check=True)
    [page] = sorted(tmp_path.glob("p-*.png"))
    [found] = zxingcpp.read_barcodes(Image.open(page))
    assert found.text == g["qr"]
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert (
        "TK Pertiwi 2" in text and "25 anak, 3 pendamping" in text and "Yang perlu dibawa" in text
    )
    code, d, _ = kiosk("groups", "checkin", found.text, "--children", "24", "--adults", "3",
                       "--room", "ANAK", "--json")  # fmt: skip
    assert (code, d["decision"]) == (0, "welcome")


def test_guests_child_and_other_categories_and_institution(kiosk) -> None:
    code, d, _ = kiosk("guest", "--category", "anak", "--gender", "L", "--origin", "16.73",
                       "--purpose", "membaca", "--room", "ANAK", "--json")  # fmt: skip
    assert code == 0
    code, d, _ = kiosk("guest", "--category", "lainnya", "--gender", "P", "--origin", "16.73",
                       "--purpose", "membaca", "--institution", "SMPN 1 Lubuklinggau",
                       "--room", "BACA", "--json")  # fmt: skip
    assert code == 0
    code, d, _ = kiosk("guest", "--category", "umum", "--gender", "P", "--origin",
                       "Lubuklinggau", "--purpose", "membaca", "--room", "BACA",
                       "--json")  # fmt: skip
    assert code == 2 and d["field"] == "origin" and "16.73" in d["error"]
    code, d, _ = kiosk("guest", "--category", "umum", "--gender", "P", "--origin", "other",
                       "--purpose", "membaca", "--room", "BACA", "--json")  # fmt: skip
    assert code == 2 and d["field"] == "origin_other" and "--origin-other" in d["error"]
