"""Staff commands: member upkeep, card choice, dates as staff type them, errors in staff words."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from kiosk.adapters.render.terminal import width
from kiosk.domain.clock import local_day, utcnow


def test_dates_in_every_form_staff_type(kiosk) -> None:
    for i, text in enumerate(("2027-12-31", "31-12-2027", "31/12/2027")):
        code, d, _ = kiosk("members", "add", f"M{i}", "Siti", "--expires", text, "--json")
        assert code == 0 and d["expires"] == "2027-12-31"
    code, _, err = kiosk("members", "add", "M9", "Siti", "--expires", "31-02-2027")
    assert code == 2 and "not a day of the calendar" in err and err.count("\n") == 1


def test_at_needs_a_time_and_a_year_the_library_kept_records(kiosk, monkeypatch) -> None:
    kiosk("members", "add", "M1", "Siti")
    code, _, err = kiosk("checkin", "M1", "--room", "BACA", "--at", "2026-11-27")
    assert code == 2 and "no time of day" in err and "2026-11-27 09:30" in err
    code, d, err = kiosk("checkin", "M1", "--room", "BACA", "--at", "1998-01-01 09:30", "--json")
    assert code == 2 and d["field"] == "at" and "before 2001" in err and "[library] opened" in err
    guest = ("guest", "--category", "umum", "--gender", "P", "--origin", "16.73", "--purpose",
             "belajar", "--room", "BACA")  # fmt: skip
    code, _, err = kiosk(*guest, "--at", "1998-01-01 09:30")
    assert code == 2 and "before 2001" in err
    monkeypatch.setenv("KIOSK_LIBRARY_OPENED", "1995")  # the library's own paper books
    code, d, _ = kiosk("checkin", "M1", "--room", "BACA", "--at", "1998-01-01 09:30", "--json")
    assert code == 0 and d["local_time"] == "1998-01-01T09:30:00+07:00"
    code, d, _ = kiosk("checkin", "M1", "--room", "BACA", "--at", "27/11/2026 09:30", "--json")
    assert code == 0 and d["local_time"] == "2026-11-27T09:30:00+07:00"


def test_json_errors_name_the_field_on_stdout(kiosk) -> None:
    code, d, err = kiosk("members", "add", "M1", "Siti", "--expires", "kemarin", "--json")
    assert code == 2 and d["field"] == "expires" and "not a date" in d["error"]
    assert err.count("\n") == 1
    kiosk("members", "add", "M1", "Siti")
    code, d, _ = kiosk("members", "edit", "M1", "--name", "Siti\nAminah", "--json")
    assert code == 2 and d["field"] == "name" and "one line" in d["error"]


def test_missing_file_in_staff_words(kiosk, tmp_path: Path) -> None:
    code, _, err = kiosk("members", "import", str(tmp_path / "anggota.csv"))
    assert code == 2 and "anggota.csv does not exist" in err and "Errno" not in err


def test_renew_and_edit(kiosk) -> None:
    today = local_day(utcnow())
    kiosk("members", "add", "M1", "Siti", "--expires", "2020-01-31")
    code, d, _ = kiosk("members", "renew", "M1", "--months", "1", "--json")
    start = today  # expired long ago: the months run from today
    assert code == 0 and date.fromisoformat(d["expires"]) > start
    code, d, _ = kiosk("members", "renew", "M1", "--until", "31-12-2099", "--json")
    assert d["expires"] == "2099-12-31"
    code, d, _ = kiosk("members", "renew", "M1", "--until", "01-01-2000", "--json")
    assert code == 2 and d["field"] == "until"
    code, d, _ = kiosk(
        "members", "edit", "M1", "--name", "Siti Aminah", "--category", "Pelajar",
        "--gender", "P", "--json",
    )  # fmt: skip
    assert (code, d["name"], d["category"], d["gender"]) == (0, "Siti Aminah", "Pelajar", "P")
    code, d, _ = kiosk("members", "edit", "M1", "--category", "", "--json")
    assert (code, d["category"], d["name"]) == (0, None, "Siti Aminah")
    code, _, err = kiosk("members", "edit", "M1", "--name", "x" * 81)
    assert code == 2 and "the card holds 80" in err


def test_import_prints_its_warnings_and_refusals_exit_2(kiosk, tmp_path: Path) -> None:
    f = tmp_path / "anggota.csv"
    f.write_text(
        "number,name,category,expires\n"
        "A1,Siti,Umum,2020-01-01\nA2,Budi,Pelajar,2099-01-01\nA3,Ani,Dosen Tamu,2099-01-01\n",
        encoding="utf-8",
    )
    code, out, _ = kiosk("members", "import", str(f))
    assert code == 0
    assert "1 of 3 member(s) expired before" in out and "Dosen Tamu (1)" in out
    f.write_text("number,name\nA9,\n", encoding="utf-8")
    code, d, err = kiosk("members", "import", str(f), "--json")
    assert code == 2 and d["field"] == "file" and "line 2" in d["error"] and "refused" in err


def test_members_list_in_the_chosen_language_and_aligned(kiosk, monkeypatch) -> None:
    long = "Siti Aminah Binti Abdullah Prameswari Wulandari"
    kiosk("members", "add", "M1", long, "--category", "Masyarakat umum")
    kiosk("members", "add", "M22", "王小明 Budi", "--expires", "2020-01-01")
    kiosk("members", "suspend", "M1")
    monkeypatch.setenv("KIOSK_LANGUAGE", "id")
    for columns in (100, 60):
        monkeypatch.setenv("COLUMNS", str(columns))
        code, out, _ = kiosk("members", "list")
        lines = out.splitlines()
        assert code == 0 and all(width(line) <= columns for line in lines), out
        assert lines[0].split()[:2] == ["Nomor", "Nama"]
        rows = [line for line in lines if line.startswith("M")]
        assert [r.split()[-1] for r in rows] == ["ditangguhkan", "berakhir"]
        # the status words start in one column, whatever the names' widths
        assert len({width(r[: r.rindex(r.split()[-1])]) for r in rows}) == 1
        name, first, second = lines[0].index("Nama"), lines.index(rows[0]), lines.index(rows[1])
        assert " ".join(ln[name:].split("  ")[0] for ln in lines[first:second]) == long
    monkeypatch.setenv("COLUMNS", "30")  # too narrow for a table: one line per field
    code, out, _ = kiosk("members", "list")
    assert "Nama: 王小明 Budi" in out and all(width(line) <= 30 for line in out.splitlines())
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")
    code, out, _ = kiosk("members", "list")
    assert out.startswith("Number") and "suspended" in out


def test_cards_choose_members_and_name_the_ones_left_out(kiosk, tmp_path: Path) -> None:
    soon = (local_day(utcnow()) + timedelta(days=20)).isoformat()
    kiosk("members", "add", "A1", "Siti", "--category", "Umum", "--expires", soon)
    kiosk("members", "add", "A2", "Budi", "--category", "Pelajar", "--expires", "2099-01-01")
    kiosk("members", "add", "A3", "Lama", "--expires", "2020-01-01")
    kiosk("members", "add", "A4", "Ditahan")
    kiosk("members", "suspend", "A4")
    out = tmp_path / "kartu"
    code, d, _ = kiosk("cards", "--out", str(out / "c.pdf"), "--json")
    assert code == 2 and d["field"] == "out" and "--mkdir" in d["error"]
    code, d, _ = kiosk("cards", "--out", str(out / "c.pdf"), "--mkdir", "--json")
    assert (code, d["cards"], d["refused"]) == (0, 2, [])
    code, d, _ = kiosk("cards", "--out", str(out / "c.pdf"), "--with-expired", "--json")
    assert d["cards"] == 3
    kiosk("members", "add", "A5", "Ani", "--category", "Siswa", "--expires", "2099-01-01")
    code, d, _ = kiosk("cards", "--out", str(out / "c.pdf"), "--category", "pelajar", "--json")
    assert d["cards"] == 2  # Budi (Pelajar) and Ani (Siswa, which counts as pelajar)
    code, d, _ = kiosk("cards", "--out", str(out / "c.pdf"), "--expiring-before", "31-12-2098",
                       "--json")  # fmt: skip
    assert d["cards"] == 1
    code, d, _ = kiosk("cards", "--out", str(out), "--format", "png", "--with-suspended", "--json")
    assert sorted(Path(p).name for p in d["files"]) == ["A1.png", "A2.png", "A4.png", "A5.png"]
    assert not list(out.glob(".*part"))
    json.dumps(d)


def test_export_lands_only_in_a_folder_that_is_there(kiosk, tmp_path: Path) -> None:
    usb = tmp_path / "media" / "usb"
    code, d, err = kiosk("export", "daily", "--out", str(usb), "--json")
    assert code == 2 and d["field"] == "out" and "USB stick" in d["error"]
    assert not (tmp_path / "media").exists()  # nothing made on the kiosk's own disk
    code, d, _ = kiosk("export", "daily", "--out", "-", "--json")
    assert code == 2 and d["field"] == "out" and not Path("-").exists()
    code, d, _ = kiosk("export", "daily", "--out", str(usb), "--mkdir", "--format", "csv", "--json")
    assert code == 0 and Path(d["out"]).parent == usb
    assert [p.name for p in usb.iterdir()] == [Path(d["out"]).name]
    code, out, _ = kiosk("export", "daily", "--out", str(usb / "hari-ini.xlsx"))
    assert code == 0 and str(usb / "hari-ini.xlsx") in out


def test_bytes_that_are_not_utf8_are_named_not_crashed_on(kiosk) -> None:
    name = b"Siti \xe9".decode("utf-8", "surrogateescape")  # a Latin-1 terminal
    code, d, err = kiosk("members", "add", "M1", name, "--json")
    assert code == 2 and "not UTF-8" in d["error"] and "surrogates" not in err
    assert err.count("\n") == 1


def test_members_add_names_the_field(kiosk) -> None:
    code, d, _ = kiosk("members", "add", "M1", "Siti\nAminah", "--json")
    assert (code, d["field"]) == (2, "name")
    code, d, _ = kiosk("members", "add", "M 1", "Siti", "--json")
    assert (code, d["field"]) == (2, "number")


def test_an_import_with_bytes_of_two_encodings_names_the_file_line_and_column(
    kiosk, tmp_path: Path
) -> None:
    f = tmp_path / "anggota.csv"
    f.write_bytes("nomor;nama\r\nA1;Renée\r\n".encode() + "A2;Ané Sari\r\n".encode("cp1252"))
    code, d, err = kiosk("members", "import", str(f), "--json")
    assert code == 2 and d["field"] == "file" and err.count("\n") == 1
    assert d["error"].startswith(f"{f}: line 3, column 6: byte 0xE9 is not UTF-8")
    assert kiosk("members", "list", "--json")[1] == []  # nothing imported
    f.write_bytes("\ufeffnomor;nama\r\n".encode() + "A2;Ané Sari\r\n".encode("cp1252"))
    code, out, _ = kiosk("members", "import", str(f))
    assert code == 0 and "read as Windows-1252" in out
    assert kiosk("members", "show", "A2", "--json")[1]["name"] == "Ané Sari"
