"""The `kiosk` command end to end, in-process, on a real SQLite file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main


def test_members_add_list_json_shape(kiosk) -> None:
    assert kiosk("members", "add", "M1", "Siti Aminah", "--category", "Umum")[0] == 0
    kiosk("members", "add", "M2", "Budi", "--expires", "2027-06-30", "--gender", "L")
    code, rows, _ = kiosk("members", "list", "--json")
    assert code == 0
    assert [(r["number"], r["name"], r["category"], r["expires"]) for r in rows] == [
        ("M1", "Siti Aminah", "Umum", None),
        ("M2", "Budi", None, "2027-06-30"),
    ]


def test_bad_input_exits_2_with_one_line(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti")
    code, _, err = kiosk("members", "add", "M1", "Again")
    assert code == 2 and err.count("\n") == 1 and "already exists" in err
    code, _, err = kiosk("checkin", "M1", "--room", "ROOF")
    assert code == 2 and "no room 'ROOF'" in err
    code, _, err = kiosk("checkin", "M1", "--room", "BACA", "--at", "kemarin")
    assert code == 2 and err.count("\n") == 1 and "'kemarin' is not a date" in err
    code, _, err = kiosk("members", "add", "M9", "X", "--expires", "31-13-2026")
    assert code == 2 and "--expires" in err


def test_checkin_json_and_exit_codes(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti Aminah")
    code, d, _ = kiosk("checkin", "M1", "--room", "BACA", "--json")
    assert code == 0
    assert d["decision"] == "welcome" and d["member"] == "M1" and d["room"] == "BACA"
    assert len(d["visit_id"]) == 36
    code, d, _ = kiosk("checkin", "M1", "--room", "BACA", "--json")
    assert (code, d["decision"], d["visit_id"]) == (0, "welcome_back", None)
    code, d, _ = kiosk("checkin", "LK1:K1:M1:1:AAAAAAAAAA", "--room", "BACA", "--json")
    assert (code, d["decision"], d["member"], d["visit_id"]) == (1, "bad_payload", None, None)


def test_backdated_checkin_from_paper_book(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti")
    code, _, err = kiosk("checkin", "M1", "--room", "KOL", "--at", "2999-01-01T10:00")
    assert code == 2 and "in the future" in err
    code, d, _ = kiosk("checkin", "M1", "--room", "KOL", "--at", "2026-03-02T23:30", "--json")
    assert code == 0 and d["local_time"] == "2026-03-02T23:30:00+07:00"


def test_guest_and_group_commands(kiosk) -> None:
    code, d, _ = kiosk(
        "guest", "--category", "umum", "--gender", "P", "--origin", "17.02",
        "--purpose", "membaca", "--room", "BACA", "--json",
    )  # fmt: skip
    assert (code, d["decision"], d["visitor_type"]) == (0, "welcome", "guest")
    code, _, err = kiosk(
        "guest", "--category", "umum", "--gender", "P", "--origin", "other",
        "--purpose", "membaca", "--room", "BACA",
    )  # fmt: skip
    assert code == 2 and "--origin-other" in err
    code, g, _ = kiosk(
        "groups", "add", "--date", "2026-11-25", "--institution", "TK Pertiwi",
        "--level", "tk", "--children", "20", "--adults", "2", "--json",
    )  # fmt: skip
    assert code == 0 and g["qr"] == "LKG1:" + g["code"]
    code, rows, _ = kiosk("groups", "list", "--date", "2026-11-25", "--json")
    assert [r["code"] for r in rows] == [g["code"]]
    code, d, _ = kiosk(
        "groups", "checkin", g["code"], "--children", "19", "--adults", "2",
        "--room", "ANAK", "--at", "2026-11-25T09:00", "--json",
    )  # fmt: skip
    assert (code, d["decision"], d["headcount"]) == (0, "welcome", 21)


SLIMS_ROWS = [
    # member_id, member_name, gender, member_type_name, ... 18 columns as SLiMS exports them
    ["2016001", "Siti Aminah", "0", "Umum", "", "Jl. Yos Sudarso", "", "", "0", "", "", "",
     "", "2016-01-02", "2016-01-02", "2027-01-02", "1990-05-05", ""],
    ["2016002", "Budi Santoso", "1", "Pelajar", "", "", "", "", "0", "", "", "",
     "", "2016-01-03", "2016-01-03", "2027-01-03", "2005-02-03", "catatan"],
]  # fmt: skip


def slims_file(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows))
    return path


def test_slims_import_then_a_bad_row_leaves_the_database_unchanged(kiosk, tmp_path) -> None:
    code, d, _ = kiosk(
        "members", "import", str(slims_file(tmp_path / "a.csv", SLIMS_ROWS)), "--json"
    )
    assert (code, d["imported"], d["added"], d["format"]) == (0, True, 2, "slims")
    bad = [
        [*SLIMS_ROWS[0][:1], "Siti Aminah Baru", *SLIMS_ROWS[0][2:]],
        [*SLIMS_ROWS[1][:15], "2027-02-30", *SLIMS_ROWS[1][16:]],  # impossible date
        ["2016003", "Rina", "0", "Umum", *[""] * 9, *["2016-01-04"] * 2, "2027-01-04", "", ""],
    ]  # fmt: skip
    code, d, _ = kiosk("members", "import", str(slims_file(tmp_path / "b.csv", bad)), "--json")
    assert code == 2 and not d["imported"]  # the README's promise: bad input exits 2
    assert [r["line"] for r in d["refused"]] == [2]
    _, rows, _ = kiosk("members", "list", "--json")
    assert [(r["number"], r["name"]) for r in rows] == [
        ("2016001", "Siti Aminah"),
        ("2016002", "Budi Santoso"),
    ]


def test_revoked_card_and_the_next_one(kiosk, tmp_path) -> None:
    from kiosk.config import load_settings
    from kiosk.domain.cards import Keyring, make_payload

    kiosk("members", "add", "M1", "Siti")
    ring = Keyring.load(load_settings().key_file)
    old = make_payload("M1", 1, ring)
    code, d, _ = kiosk("members", "revoke-card", "M1", "--json")
    assert d["card_seq"] == 2
    assert kiosk("checkin", old, "--room", "KOL", "--json")[1]["decision"] == "revoked_card"
    new = make_payload("M1", 2, ring)
    assert kiosk("checkin", new, "--room", "KOL", "--json")[1]["decision"] == "welcome"


def test_printed_card_png_is_read_by_a_decoder_and_checks_in(kiosk, tmp_path) -> None:
    import zxingcpp
    from PIL import Image

    kiosk("members", "add", "M-0042/2016", "Ni Luh Ayu Putri Maharani Kusumawardhani")
    code, d, _ = kiosk(
        "cards", "--format", "png", "--out", str(tmp_path / "png"), "--mkdir", "--json"
    )
    [png] = d["files"]
    assert Path(png).name == "M-0042_2016.png"
    img = Image.open(png)
    assert img.size == (1011, 638)  # 85.6 x 54 mm at 300 dpi
    [found] = zxingcpp.read_barcodes(img)
    code, d, _ = kiosk("checkin", found.text, "--room", "REF", "--json")
    assert (code, d["decision"], d["member"]) == (0, "welcome", "M-0042/2016")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_card_sheet_pdf_renders(kiosk, tmp_path) -> None:
    for i in range(12):
        kiosk("members", "add", f"M{i:03}", f"Anggota Nomor {i}")
    code, d, _ = kiosk("cards", "--out", str(tmp_path / "cards.pdf"), "--json")
    assert (code, d["cards"], d["pages"]) == (0, 12, 2)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(tmp_path / "cards.pdf"), str(tmp_path / "p")],
        check=True,
    )
    assert sorted(p.name for p in tmp_path.glob("p-*.png")) == ["p-1.png", "p-2.png"]


def test_erase_and_show(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti")
    kiosk("checkin", "M1", "--room", "BACA")
    code, d, _ = kiosk("members", "show", "M1", "--json")
    assert d["visits"] == 1
    kiosk("members", "suspend", "M1")
    kiosk("checkin", "M1", "--room", "KOL")  # refused, and logged with the number
    code, d, _ = kiosk("members", "show", "M1", "--json")
    assert d["refused_scans"] == 1
    assert kiosk("members", "erase", "M1")[0] == 2  # needs --yes
    code, d, _ = kiosk("members", "erase", "M1", "--yes", "--json")
    assert (code, d["anonymous_visits_kept"]) == (0, 1)
    from sqlalchemy import create_engine, text

    from kiosk.config import load_settings

    engine = create_engine(load_settings().database_url)
    with engine.connect() as c:
        assert c.execute(text("SELECT excerpt FROM refused_scans")).scalars().all() == ["(erased)"]
    engine.dispose()


def test_commands_before_init_say_what_to_do(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["members", "list"]) == 2
    assert "run `kiosk init`" in capsys.readouterr().err


def test_corrupt_config_is_named(tmp_path, monkeypatch, capsys) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[kiosk]\nlocation = 'ROOF'\n")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "d"))
    assert main(["init", "--config", str(cfg)]) == 0
    assert main(["members", "list", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "kiosk.location" in err and "ROOF" in err


def test_global_options_work_before_the_command(kiosk, tmp_path) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert kiosk("--db", other, "init")[0] == 0
    kiosk("--db", other, "members", "add", "X1", "Only In Other")
    code, rows, _ = kiosk("--json", "--db", other, "members", "list")
    assert code == 0 and [r["number"] for r in rows] == ["X1"]
    code, rows, _ = kiosk("members", "list", "--json")  # the default database is untouched
    assert rows == []
    code, _, err = kiosk("--config", str(tmp_path / "missing.toml"), "members", "list")
    assert code == 2 and "missing.toml" in err


def test_reimport_with_fewer_columns_keeps_the_other_fields(kiosk, tmp_path) -> None:
    kiosk("members", "add", "A1", "Ani", "--gender", "P", "--category", "Umum",
          "--expires", "2024-01-01")  # fmt: skip
    (tmp_path / "names.csv").write_text("number,name\nA1,Ani Baru\nA2,Bima\n")
    code, d, _ = kiosk("members", "import", str(tmp_path / "names.csv"), "--json")
    assert (code, d["added"], d["updated"]) == (0, 1, 1)
    _, rows, _ = kiosk("members", "list", "--json")
    a1 = next(r for r in rows if r["number"] == "A1")
    assert (a1["name"], a1["gender"], a1["category"], a1["expires"]) == (
        "Ani Baru",
        "P",
        "Umum",
        "2024-01-01",  # still expired: a list of names does not renew anyone
    )


def test_every_refusal_reason_has_its_words_in_both_languages() -> None:
    from kiosk.domain.vocab import Refusal, words
    from kiosk.i18n import catalog

    for reason in Refusal:
        msgid = words(reason)
        assert msgid != reason.value, reason
        assert catalog("id").get(msgid) not in (None, msgid), (reason, "id")
        assert msgid in catalog("en"), (reason, "en")


def test_a_refused_card_is_said_in_the_kiosk_language(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti")
    code, out, _ = kiosk("checkin", "X9", "--room", "BACA")
    assert code == 1 and out.startswith("unknown_card (kartu tidak dikenal): ")


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`kiosk ... | head`: the pipe closes before the command has written; it ends quietly."""
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env |= {"KIOSK_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    run = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]
    proc = subprocess.Popen([*run, "categories", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    proc.stdout.close()  # the reader is gone before a byte is read
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""
