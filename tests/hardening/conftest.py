"""Fault tests: the real `kiosk` command on real files, real full disks where root may mount."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.cli import main

Run = Callable[..., tuple[int, object, str]]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def kiosk(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> Run:
    """Run `kiosk ARGS` in-process; (exit code, parsed JSON or text, stderr). No init done."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KIOSK_SURVEY_CHANCE", "0")
    for var in ("KIOSK_CONFIG", "KIOSK_DB_URL", "KIOSK_CARD_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)

    def run(*args: str) -> tuple[int, object, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        if "--json" in args and out.strip():
            lines = [json.loads(line) for line in out.strip().splitlines()]
            return code, lines[0] if len(lines) == 1 else lines, err
        return code, out, err

    return run


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mount small real tmpfs file systems (a full USB stick or data disk); needs root."""
    mounted: list[Path] = []

    def make(kib: int) -> Path:
        where = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(where)],
            capture_output=True,
        )
        if done.returncode != 0 or os.geteuid() != 0:
            pytest.skip("a full-disk test needs root to mount a small tmpfs")
        mounted.append(where)
        return where

    yield make
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system of `folder` until fewer than `leave` bytes are free."""
    with open(folder / "filler", "wb") as f:
        while True:
            st = os.statvfs(folder)
            free = st.f_bavail * st.f_frsize - leave
            if free <= 0:
                break
            try:
                f.write(b"\0" * min(free, 1 << 16))
                f.flush()
            except OSError:
                break
