"""Files that land where staff think: an existing folder, a whole file or none, and the
removable drives (USB sticks, SD cards) staff can pick instead of typing a path.

A file is written under a temporary name in its destination folder, flushed to the device and
renamed: a stick pulled out mid-write leaves at most a ".part" file, never a half file with the
real name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.fields import FieldError

# Where desktop Linux and udisks mount removable drives.
REMOVABLE_ROOTS = ("/media", "/run/media", "/mnt")
PROC_MOUNTS = Path("/proc/mounts")
_PSEUDO = {"proc", "sysfs", "tmpfs", "devtmpfs", "cgroup", "cgroup2", "overlay", "squashfs"}


def out_folder(folder: Path, mkdir: bool = False, option: str = "out") -> Path:
    """The folder a file goes to; refused when it does not exist (a stick not plugged in),
    unless `mkdir` asks for it to be made."""
    if str(folder) == "-":
        raise FieldError(f"--{option} -: give a file or a folder, not '-'", option)
    if folder.is_dir():
        return folder
    if folder.exists():
        raise FieldError(f"--{option} {folder} is a file, not a folder", option)
    if not mkdir:
        raise FieldError(
            f"--{option}: folder {folder} does not exist (is the USB stick plugged in?); "
            "add --mkdir to create it",
            option,
        )
    folder.mkdir(parents=True)
    return folder


def land(dest: Path, write: Callable[[Path], object]) -> Path:
    """Write `dest` through `write(temporary path)` in the same folder (the temporary name keeps
    the suffix, for writers that read the format from it), then rename it into place; on any
    failure the temporary file goes and `dest` is untouched."""
    return land_in(dest.parent, lambda tmp_dir: _wrote(write, tmp_dir / dest.name), dest.name)


def _wrote(write: Callable[[Path], object], path: Path) -> Path:
    write(path)
    return path


def land_in(folder: Path, write: Callable[[Path], Path], name: str | None = None) -> Path:
    """Run `write(private temporary folder inside folder)`, which returns the file it wrote;
    that file is flushed to the device and renamed into `folder` (as `name`, else its own
    name). The temporary folder goes whatever happens."""
    tmp_dir = Path(tempfile.mkdtemp(prefix=".kiosk-", suffix=".part", dir=folder))
    try:
        written = write(tmp_dir)
        with written.open("rb+") as f:
            os.fsync(f.fileno())  # on the stick before the name says it is whole
        dest = folder / (name or written.name)
        os.replace(written, dest)
        _sync_folder(folder)
        return dest
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    """The rename itself on the device (a FAT stick pulled right after still has the file)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the file itself is synced
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str  # what staff see: the stick's name (the mount folder's name)
    free_bytes: int


def removable_drives(
    mounts: Path = PROC_MOUNTS, roots: tuple[str, ...] = REMOVABLE_ROOTS
) -> list[Drive]:
    """Mounted drives under the removable roots that the kiosk can write to, from a list in
    /proc/mounts' format."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[2] in _PSEUDO:
            continue
        point = Path(parts[1].replace("\\040", " "))
        if not any(point.is_relative_to(r) and point != Path(r) for r in roots):
            continue
        if "ro" in parts[3].split(",") or not os.access(point, os.W_OK):
            continue
        try:
            free = os.statvfs(point).f_bavail * os.statvfs(point).f_frsize
        except OSError:
            continue
        found.append(Drive(point, point.name, free))
    return sorted(found, key=lambda d: str(d.path))
