"""The card key is never replaced by accident, and no file the kiosk writes is left half-made."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.domain.cards import Keyring, make_payload, read_payload
from tests.hardening.conftest import fill


def test_init_keeps_the_key_and_never_remakes_a_lost_one(kiosk, data_dir: Path) -> None:
    assert kiosk("init")[0] == 0
    key_file = data_dir / "card-keys.toml"
    first = key_file.read_bytes()
    kiosk("members", "add", "M2016001", "Siti Aminah")
    assert kiosk("init")[0] == 0
    assert key_file.read_bytes() == first

    key_file.unlink()  # lost: every printed card depends on it
    code, _, err = kiosk("init")
    assert code == 2 and not key_file.exists()
    assert "restore" in err and "1 member" in err and err.count("\n") == 1
    code, _, err = kiosk("members", "list")
    assert code == 2 and "restore it from a backup" in err and "kiosk init`" not in err


def test_new_key_is_added_beside_the_old_one_with_a_warning(kiosk, data_dir: Path) -> None:
    kiosk("init")
    key_file = data_dir / "card-keys.toml"
    old = Keyring.load(key_file)
    card = make_payload("M2016001", 1, old)
    code, data, err = kiosk("init", "--new-key", "--json")
    assert code == 0 and data["card_key_id"] == "K2" and "older cards keep working" in err
    ring = Keyring.load(key_file)
    assert ring.current == "K2" and read_payload(card, ring).member_number == "M2016001"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_lost_key_is_remade_only_when_asked(kiosk, data_dir: Path) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", "Siti Aminah")
    (data_dir / "card-keys.toml").unlink()
    code, _, err = kiosk("init", "--new-key")
    assert code == 0 and "no longer work" in err and "reprint" in err


def test_an_empty_key_file_from_a_full_disk_does_not_block_init(kiosk, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "card-keys.toml").write_bytes(b"")
    assert kiosk("init")[0] == 0
    Keyring.load(data_dir / "card-keys.toml")


KEY_WRITER = """
import resource, signal, sys
from pathlib import Path
from kiosk.domain.cards import Keyring
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))  # the disk takes 64 bytes, no more
try:
    Keyring.generate(Path(sys.argv[1]))
except OSError as e:
    print(e.errno)
    sys.exit(3)
"""


def test_a_key_write_that_runs_out_of_space_leaves_nothing(tmp_path: Path) -> None:
    key_file = tmp_path / "card-keys.toml"
    done = subprocess.run([sys.executable, "-c", KEY_WRITER, str(key_file)], capture_output=True)
    assert done.returncode == 3, done.stderr
    assert list(tmp_path.iterdir()) == []  # no 0-byte key, no temporary file


def test_export_to_a_full_stick_leaves_no_empty_file(kiosk, tiny_disk) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", "Siti Aminah")
    kiosk("checkin", "M2016001", "--room", "BACA")
    stick = tiny_disk(64)
    fill(stick, leave=512)
    for name in ("harian.xlsx", "harian.csv"):
        code, _, err = kiosk("export", "daily", "--out", str(stick / name))
        assert code == 2 and "is full" in err and err.count("\n") == 1
    assert sorted(p.name for p in stick.iterdir()) == ["filler"]
    os.unlink(stick / "filler")
    assert kiosk("export", "daily", "--out", str(stick / "harian.csv"))[0] == 0
    assert stat.S_IMODE((stick / "harian.csv").stat().st_mode) == 0o640


EVIL = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("evil", [EVIL, "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_written_as_text(kiosk, tmp_path: Path, evil: str) -> None:
    kiosk("init")
    assert kiosk("members", "add", "M2016001", "Siti Aminah", f"--category={evil}")[0] == 0
    kiosk("checkin", "M2016001", "--room", "BACA")
    assert kiosk("export", "daily", "--out", str(tmp_path / "d.xlsx"))[0] == 0
    assert kiosk("export", "daily", "--out", str(tmp_path / "d.csv"))[0] == 0
    sheet = load_workbook(tmp_path / "d.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)
    with open(tmp_path / "d.csv", encoding="utf-8-sig") as f:
        values = [v for row in csv.reader(f) for v in row]
    assert "'" + evil in values and evil not in values
