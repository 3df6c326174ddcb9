"""The kiosk notices a database file deleted, replaced, damaged or on read-only media."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.config import Settings
from kiosk.domain.cards import make_payload
from kiosk.services import members
from kiosk.services.checkin import StorageError
from kiosk.services.kiosk import KioskService


@pytest.fixture
def sqlite_service(service: KioskService, settings: Settings) -> KioskService:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("only a SQLite file can be deleted under the kiosk")
    with service.session() as s:
        members.add_member(s, "M2016001", "Siti Aminah")
        members.add_member(s, "M2016002", "Budi Santoso")
    return service


def db_path(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def card(svc: KioskService, number: str) -> str:
    return make_payload(number, 1, svc.desk.keyring)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_changed_database_file_stops_the_greetings(
    sqlite_service: KioskService, settings: Settings, how: str
) -> None:
    svc = sqlite_service
    assert svc.check_in(card(svc, "M2016001"), "BACA").counted
    assert svc.storage_problem() is None
    path = db_path(settings)
    if how == "deleted":
        path.unlink()
    else:  # an older copy put back while the kiosk runs
        copy = path.with_name("copy.sqlite3")
        with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        copy.replace(path)
    problem = svc.storage_problem()
    assert problem is not None and how in problem and "\n" not in problem
    with pytest.raises(StorageError, match=how):
        svc.check_in(card(svc, "M2016002"), "BACA")
    if how == "replaced":  # nothing went into the file nobody will read again, nor the new one
        with sqlite3.connect(path) as c:
            assert c.execute("SELECT count(*) FROM visits").fetchone() == (1,)


def test_the_next_start_does_not_make_an_empty_database(
    sqlite_service: KioskService, settings: Settings
) -> None:
    sqlite_service.close()
    db_path(settings).unlink()
    with pytest.raises(Exception, match="restore the newest backup") as caught:
        KioskService.open(settings)
    assert type(caught.value).__name__ == "NotReady"
    assert not db_path(settings).exists()


def damage(path: Path, at: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(data)


@pytest.mark.parametrize(
    ("at", "data"),
    [(0, b"not a database at all!"), (4096 + 8, b"\xff" * 64)],
    ids=["header", "page"],
)
def test_init_refuses_a_damaged_database(kiosk, data_dir: Path, at: int, data: bytes) -> None:
    assert kiosk("init")[0] == 0
    names = data_dir / "names.csv"
    names.write_text("number,name\n" + "".join(f"M{i:07d},Anggota {i}\n" for i in range(300)))
    assert kiosk("members", "import", str(names))[0] == 0
    path = data_dir / "kiosk.sqlite3"
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage(path, at, data)
    before = path.read_bytes()
    code, _, err = kiosk("init")
    assert code == 2 and "damaged" in err and "kiosk restore" in err and err.count("\n") == 1
    assert path.read_bytes() == before  # init changed nothing


def test_read_only_media_get_a_clear_message(kiosk, data_dir: Path, tiny_disk) -> None:
    disk = tiny_disk(4096)
    data_dir.symlink_to(disk)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    code, _, err = kiosk("init")
    assert code == 2 and "read-only" in err and "unable to open" not in err
    subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    assert kiosk("init")[0] == 0
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    code, _, err = kiosk("checkin", "M1", "--room", "BACA")
    assert code == 2 and "read-only" in err


def test_database_files_are_private(sqlite_service: KioskService, settings: Settings) -> None:
    path = db_path(settings)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert p.stat().st_mode & 0o077 == 0, p
