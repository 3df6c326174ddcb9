"""`kiosk backup`, `kiosk restore FILE` and `kiosk doctor` on real files."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

from kiosk.domain.cards import Keyring


def visits(path: Path) -> int:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT count(*) FROM visits").fetchone()[0]


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as c:
        return list(c.iterdump())


def test_backup_while_checking_in_then_restore(kiosk, data_dir: Path, tmp_path: Path) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", "Siti Aminah")
    kiosk("checkin", "M2016001", "--room", "BACA")
    usb = tmp_path / "usb"
    code, made, _ = kiosk("backup", "--to", str(usb), "--json")
    assert code == 0 and made["verified"] and made["visits"] == 1 and made["card_key_copied"]
    backup = Path(made["file"])
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE((usb / "card-keys.toml").stat().st_mode) == 0o600
    kiosk("checkin", "M2016001", "--room", "KOL")  # after the backup
    key = (data_dir / "card-keys.toml").read_bytes()
    (data_dir / "card-keys.toml").unlink()  # the PC's disk lost the key as well
    code, done, _ = kiosk("restore", str(backup), "--json")
    assert code == 0 and done["visits"] == 1 and done["card_key_restored"]
    assert (data_dir / "card-keys.toml").read_bytes() == key
    assert visits(data_dir / "kiosk.sqlite3") == 1
    assert visits(Path(done["previous_database_kept_as"])) == 2  # nothing thrown away
    code, listed, _ = kiosk("backup", "--to", str(usb), "--list", "--json")
    assert [r["file"] for r in listed] == [str(backup)]
    assert kiosk("checkin", "M2016001", "--room", "BACA")[0] == 0


def test_restore_refuses_a_file_that_fails_its_check(kiosk, data_dir: Path, tmp_path: Path) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", "Siti Aminah")
    code, made, _ = kiosk("backup", "--json")
    good = Path(made["file"])
    before = dump(data_dir / "kiosk.sqlite3")
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    data[4096 + 8 : 4096 + 72] = b"\xff" * 64
    damaged.write_bytes(bytes(data))
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for bad, why in ((damaged, "fails its check"), (other, "not a kiosk database"),
                     (tmp_path / "none.sqlite3", "no such file")):  # fmt: skip
        code, _, err = kiosk("restore", str(bad))
        assert code == 2 and why in err and "nothing was changed" in err
    assert dump(data_dir / "kiosk.sqlite3") == before


def test_backups_keep_a_number(kiosk, tmp_path: Path) -> None:
    kiosk("init")
    folder = tmp_path / "b"
    made = []
    for i in range(4):
        folder.mkdir(exist_ok=True)
        # backups are named by the second: give each its own name
        (folder / f"kiosk-backup-2026010{i}-000000.sqlite3").write_bytes(b"")
    code, done, _ = kiosk("backup", "--to", str(folder), "--keep", "2", "--json")
    made = sorted(p.name for p in folder.glob("kiosk-backup-*"))
    assert code == 0 and len(made) == 2 and Path(done["file"]).name == made[-1]
    assert len(done["removed"]) == 3


def test_backup_is_consistent_while_a_writer_runs(kiosk, data_dir: Path, tmp_path: Path) -> None:
    kiosk("init")
    db = data_dir / "kiosk.sqlite3"
    stop = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(db)
        while not stop.is_set():
            conn.execute(
                "INSERT INTO refused_scans VALUES (lower(hex(randomblob(16))), "
                "'2026-12-01 00:00:00', '2026-12-01', 'PUSAT', 'k', NULL, 'bad_payload', 'x', 0)"
            )
            conn.commit()
        conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        code, made, _ = kiosk("backup", "--to", str(tmp_path), "--json")
    finally:
        stop.set()
        t.join()
    assert code == 0 and made["verified"]


def test_doctor_says_what_to_do(kiosk, data_dir: Path) -> None:
    kiosk("init")
    code, checks, _ = kiosk("doctor", "--no-camera", "--json")
    by = {c["name"]: c for c in checks}
    assert set(by) == {"database", "card key", "disk", "backup", "clock", "sync"}
    assert by["database"]["status"] == "ok" and by["backup"]["status"] == "warn"
    assert "kiosk backup" in by["backup"]["fix"] and code == 0
    (data_dir / "card-keys.toml").unlink()
    code, checks, _ = kiosk("doctor", "--no-camera", "--json")
    key = next(c for c in checks if c["name"] == "card key")
    assert code == 1 and key["status"] == "fail" and "restore" in key["fix"]
    Keyring.generate(data_dir / "card-keys.toml")
    code, out, _ = kiosk("doctor")  # the camera of this machine: none here, said plainly
    assert "camera" in out and "->" in out


def test_doctor_finds_a_damaged_database(kiosk, data_dir: Path) -> None:
    kiosk("init")
    db = data_dir / "kiosk.sqlite3"
    with open(db, "r+b") as f:
        f.write(b"this is no longer a database")
    code, checks, _ = kiosk("doctor", "--no-camera", "--json")
    d = next(c for c in checks if c["name"] == "database")
    assert code == 1 and d["status"] == "fail" and "kiosk restore" in d["fix"]
