"""The running kiosk says READY=1 and feeds the systemd watchdog from the Kivy clock."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def test_the_app_pings_the_watchdog_from_its_clock(
    open_kiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", "100000")  # a ping every 0.05 s
    got: list[bytes] = []

    def received() -> bool:
        try:
            while True:
                got.append(sock.recv(256))
        except BlockingIOError:
            pass
        return got.count(b"WATCHDOG=1") >= 3

    try:
        kiosk = open_kiosk()
        kiosk.wait(received, what="three watchdog pings")
        assert got[0].startswith(b"READY=1")
        assert kiosk.app.watchdog.pings >= 3
        kiosk.app.dispatch("on_stop")
        received()
        assert got[-1] == b"STOPPING=1"
    finally:
        sock.close()
