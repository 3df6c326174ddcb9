"""Files land whole where staff think, or not at all; sticks are found in the mount list."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kiosk.adapters.files.landing import land, land_in, out_folder, removable_drives
from kiosk.domain.fields import FieldError


def test_out_folder_must_exist_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(FieldError, match="does not exist .*--mkdir") as e:
        out_folder(tmp_path / "usb" / "laporan")
    assert e.value.field == "out" and not (tmp_path / "usb").exists()
    assert out_folder(tmp_path / "usb" / "laporan", mkdir=True).is_dir()
    with pytest.raises(FieldError, match="not '-'"):
        out_folder(Path("-"))
    (tmp_path / "f").write_text("x")
    with pytest.raises(FieldError, match="is a file"):
        out_folder(tmp_path / "f")


def test_a_stick_pulled_out_mid_write_leaves_no_file_under_the_real_name(tmp_path: Path) -> None:
    stick = tmp_path / "STICK"
    stick.mkdir()

    def write_then_unplug(tmp: Path) -> Path:
        f = tmp / "kunjungan.xlsx"
        f.write_bytes(b"PK half a workbook")
        shutil.rmtree(stick)  # pulled out
        stick.mkdir()  # and plugged in again, empty, before the writer finishes
        return f

    with pytest.raises(OSError):
        land_in(stick, write_then_unplug)
    assert list(stick.iterdir()) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    old = tmp_path / "kartu.pdf"
    old.write_bytes(b"%PDF old")

    def fail(tmp: Path) -> None:
        tmp.write_bytes(b"%PDF ne")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        land(old, fail)
    assert old.read_bytes() == b"%PDF old" and os.listdir(tmp_path) == ["kartu.pdf"]
    assert land(old, lambda tmp: tmp.write_bytes(b"%PDF new")) == old
    assert old.read_bytes() == b"%PDF new" and os.listdir(tmp_path) == ["kartu.pdf"]


def test_removable_drives_from_the_mount_list(tmp_path: Path) -> None:
    media = tmp_path / "media"
    sticks = [media / "budi" / "KIOSK USB", media / "budi" / "SDCARD", media / "budi" / "RO"]
    for s in sticks:
        s.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "sysfs /sys sysfs rw 0 0\n"
        "/dev/sda2 / ext4 rw,relatime 0 0\n"
        f"/dev/sdb1 {media}/budi/KIOSK\\040USB vfat rw,nosuid 0 0\n"
        f"/dev/mmcblk0p1 {sticks[1]} exfat rw 0 0\n"
        f"/dev/sdc1 {sticks[2]} iso9660 ro 0 0\n"
        f"tmpfs {media}/budi/tmp tmpfs rw 0 0\n"
    )
    found = removable_drives(mounts, (str(media),))
    assert [(d.label, d.path) for d in found] == [("KIOSK USB", sticks[0]), ("SDCARD", sticks[1])]
    assert all(d.free_bytes > 0 for d in found)
    assert removable_drives(tmp_path / "no-such-file", (str(media),)) == []
