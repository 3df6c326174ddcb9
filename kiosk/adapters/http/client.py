"""The kiosk's HTTP client for the central server: JSON in, JSON out, errors sorted into
"try again later" (network, 5xx) and "refused" (a revoked token, a bad request)."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1"


class ServerUnavailable(ConnectionError):
    """No answer, a cut connection or a 5xx: nothing was lost, try again later."""


class ServerRefused(PermissionError):
    """The server said no (401/403: token unknown or revoked; 4xx: a bad request)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class CentralClient:
    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url + API,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=5.0),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, json=body)

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._call("GET", path, params={k: v for k, v in params.items() if v is not None})

    def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            r = self._http.request(method, path, **kw)
            data = r.json() if r.content else {}
        except httpx.HTTPError as e:
            raise ServerUnavailable(f"{self.url}: {type(e).__name__}: {e}".rstrip(": ")) from None
        except ValueError:  # a proxy's error page, a cut body
            status = r.status_code
            raise ServerUnavailable(f"{self.url}: answer is not JSON (HTTP {status})") from None
        if not isinstance(data, dict):
            raise ServerUnavailable(f"{self.url}: unexpected answer (HTTP {r.status_code})")
        if r.status_code >= 500:
            raise ServerUnavailable(f"{self.url}: HTTP {r.status_code} {data.get('error', '')}")
        if r.status_code >= 400:
            raise ServerRefused(r.status_code, data.get("error") or f"HTTP {r.status_code}")
        return data
