"""The sync API (Starlette on uvicorn). Stateless: each request opens its own transaction on
the central database, so any number of server processes can share one PostgreSQL.

POST /api/v1/enroll   {code}                    -> device token, site, location, card keys
                                                   (429 + Retry-After after many wrong codes)
POST /api/v1/status   {version, queued, ...}    -> server time, clock offset
POST /api/v1/push     {items: [...], status}    -> one answer per item
GET  /api/v1/pull     ?since=&peers_since=&keys= -> members, groups, keys, peers' visits
GET  /api/v1/health

Everything else, under `/`, is the staff dashboard (kiosk.web), on the same database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from kiosk.config import Settings, load_settings
from kiosk.domain.clock import Clock
from kiosk.services import sync_central as central
from kiosk.services.sync_records import RecordError
from kiosk.web import create_dashboard

log = logging.getLogger(__name__)
MAX_BODY = 16 * 2**20


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Starlette:
    """The app for `kiosk serve` (settings from the environment when run by uvicorn's workers);
    `clock` is the dashboard's (tests and screenshots set the time)."""
    settings = settings or load_settings()
    db = central.CentralDatabase.open(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        db.close()

    async def body_of(request: Request) -> Any:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise RecordError("request too large")
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            raise RecordError("request body is not JSON") from None

    def token_of(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def endpoint(
        work: Callable[[Request, Any], Any], needs_body: bool = True
    ) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def handle(request: Request) -> JSONResponse:
            try:
                body = await body_of(request) if needs_body else None
                result = await run_in_threadpool(work, request, body)
                return JSONResponse(result)
            except central.SyncAuthError as e:
                return JSONResponse({"error": str(e)}, status_code=401)
            except central.TooManyAttempts as e:
                wait = {"Retry-After": str(e.retry_after)}
                return JSONResponse({"error": str(e)}, status_code=429, headers=wait)
            except (RecordError, ValueError) as e:
                return JSONResponse({"error": str(e)}, status_code=400)
            except Exception:  # the kiosk retries a 5xx; the details stay in the server log
                log.exception("sync request failed")
                return JSONResponse({"error": "server error"}, status_code=500)

        return handle

    def do_enroll(request: Request, body: Any) -> Any:
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str):
            raise RecordError("enrolment needs {code}")
        # Behind a reverse proxy on this machine uvicorn takes the address from
        # X-Forwarded-For (its --forwarded-allow-ips), so each kiosk keeps its own count.
        return db.enroll(code, request.client.host if request.client else "unknown")

    def do_status(request: Request, body: Any) -> Any:
        if not isinstance(body, dict):
            raise RecordError("status is an object")
        return db.status(token_of(request), body)

    def do_push(request: Request, body: Any) -> Any:
        return db.push(token_of(request), body)

    def do_pull(request: Request, _body: Any) -> Any:
        q = request.query_params
        try:
            since = int(q.get("since", "0"))
            peers = q.get("peers_since")
            peers_since = datetime.fromisoformat(peers) if peers else None
        except ValueError:
            raise RecordError("since is a number, peers_since an ISO time") from None
        return db.pull(token_of(request), since, peers_since, q.get("keys"), q.get("layout"))

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/api/v1/enroll", endpoint(do_enroll), methods=["POST"]),
            Route("/api/v1/status", endpoint(do_status), methods=["POST"]),
            Route("/api/v1/push", endpoint(do_push), methods=["POST"]),
            Route("/api/v1/pull", endpoint(do_pull, needs_body=False), methods=["GET"]),
            Route("/api/v1/health", health, methods=["GET"]),
            Mount("/", create_dashboard(settings, db, clock)),
        ],
        lifespan=lifespan,
    )
