"""The kiosk's systemd units pass `systemd-analyze verify`; sd_notify reaches a real socket."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.adapters.systemd import Notifier
from kiosk.resources import asset

UNITS = ("kiosk.service", "kiosk-backup.service", "kiosk-backup.timer")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
@pytest.mark.skipif(
    shutil.which("cage") is None,
    reason="cage is not installed (tools/setup installs it; apt install cage): the kiosk "
    "unit's ExecStart cannot be verified",
)
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    kiosk_bin = Path(sys.executable).with_name("kiosk")
    for name in UNITS:
        text = asset("systemd", name).read_text()
        # The units name the installed command; verify also checks that it exists.
        (tmp_path / name).write_text(text.replace("/opt/kiosk/bin/kiosk", str(kiosk_bin)))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "kiosk" in line]
    assert done.returncode == 0 and ours == [], done.stderr


def test_unit_restarts_always_with_a_watchdog() -> None:
    text = asset("systemd", "kiosk.service").read_text()
    for line in ("Restart=always", "WatchdogSec=30", "Type=notify", "NotifyAccess=all"):
        assert line in text.splitlines()


@pytest.fixture
def listener(tmp_path: Path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    yield str(path), sock
    sock.close()


def test_ready_and_watchdog_pings_reach_the_socket(listener) -> None:
    address, sock = listener
    n = Notifier.from_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000"})
    assert n.enabled and n.ping_every == 15.0
    assert n.ready("kiosk screen up") and n.ping()
    assert sock.recv(256) == b"READY=1\nSTATUS=kiosk screen up"
    assert sock.recv(256) == b"WATCHDOG=1"


def test_abstract_socket_and_no_systemd() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        assert Notifier.from_env({"NOTIFY_SOCKET": "@" + name}).ping()
        assert sock.recv(64) == b"WATCHDOG=1"
    finally:
        sock.close()
    off = Notifier.from_env({})
    assert not off.enabled and off.ping_every is None and not off.ping()
