"""Every file the kiosk writes appears whole or not at all.

The content goes to a temporary name in the same folder, is synced to the disk and renamed
over the target (an atomic step on POSIX file systems), then the folder is synced so the new
name survives a power cut. A full disk or a crash midway leaves the old file (or none) and no
0-byte stub that later runs would trip over.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600  # keys, backups, state: the kiosk's own user only
PERSONAL = 0o640  # exports with names: the owner, and the staff group that copies them off


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some file systems (FAT on a USB stick) cannot open folders: best effort
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path | str, mode: int = PERSONAL) -> Iterator[Path]:
    """A temporary path to write (for libraries that save to a path), renamed onto `target`
    when the block ends without error; removed otherwise."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, mode)
        yield tmp
        with open(tmp, "rb+") as f:  # the library closed its file: sync what it wrote
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(target.parent)


@contextlib.contextmanager
def atomic_open(
    target: Path | str, mode: str = "w", perms: int = PERSONAL, **kwargs: Any
) -> Iterator[IO[Any]]:
    """open() for writing, through a temporary name: ``with atomic_open(p) as f: f.write(..)``."""
    if not mode.startswith("w"):
        raise ValueError("atomic_open writes whole files: mode must start with 'w'")
    with atomic_path(target, perms) as tmp, open(tmp, mode, **kwargs) as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


def write_bytes(target: Path | str, data: bytes, perms: int = PERSONAL) -> Path:
    with atomic_open(target, "wb", perms) as f:
        f.write(data)
    return Path(target)


def write_text(target: Path | str, text: str, perms: int = PERSONAL) -> Path:
    with atomic_open(target, "w", perms, encoding="utf-8") as f:
        f.write(text)
    return Path(target)
