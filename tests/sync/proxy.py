"""A small TCP proxy between kiosks and the server that misbehaves on request.

Modes: "pass" forwards; "drop" closes each new connection at once; "stall" accepts and never
answers; "cut" forwards the request and only the first bytes of the answer, then closes;
"hold" forwards the request, then keeps the answer until `release` is set (the server has
committed by then: the test can kill the kiosk in that window). "cut" and "hold" touch only
the answers to requests naming `target` (the push), so a round's status call goes through.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class FaultyProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.cut_after = 64
        self.target = b"/api/v1/push"
        self.answer_seen = threading.Event()
        self.release = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._open: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, mode: str) -> None:
        self.mode = mode
        self.answer_seen.clear()
        self.release.clear()
        self.cut_all()  # the next request opens a new connection and meets the new mode

    def cut_all(self) -> None:
        for s in list(self._open):
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._open.clear()

    def close(self) -> None:
        self._stop = True
        self.release.set()
        self.cut_all()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            if self.mode == "drop":
                client.close()
                continue
            self._open.append(client)
            if self.mode == "stall":
                continue  # accepted, never answered
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            self._open.append(upstream)
            last: dict[str, bool] = {"target": False}  # what the latest request asked for
            threading.Thread(target=self._pipe, args=(client, upstream, last), daemon=True).start()
            threading.Thread(
                target=self._answer, args=(upstream, client, last), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, last: dict[str, bool]) -> None:
        try:
            while data := src.recv(65536):
                if data[:8] in (b"GET /api", b"POST /ap"):  # the start of a request
                    last["target"] = self.target in data.split(b"\r\n", 1)[0]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src, dst)

    def _answer(
        self, upstream: socket.socket, client: socket.socket, last: dict[str, bool]
    ) -> None:
        sent = 0
        try:
            while data := upstream.recv(65536):
                mode = self.mode if last["target"] else "pass"
                if mode == "hold":
                    self.answer_seen.set()
                    self.release.wait()
                    if self._stop:
                        return
                if mode == "cut":
                    client.sendall(data[: max(0, self.cut_after - sent)])
                    self.answer_seen.set()
                    return
                client.sendall(data)
                sent += len(data) if last["target"] else 0
        except OSError:
            pass
        finally:
            self._close(upstream, client)

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                s.close()
