"""The central dashboard: server-rendered pages for the head of the library, managers, branch
staff and the IT administrator, served by `kiosk serve` under `/` next to the sync API.

Pieces:
- `pages.py`: the machinery (login check, roles, site scoping, CSRF, language, templates, menu).
- `auth.py`: log in, log out, the language switch.
- one module per page (`today.py`, `kiosks.py`, `downloads.py`, `users.py`), templates in
  `templates/`, the one stylesheet and the little JavaScript in `static/`.
- what pages read and change: `kiosk.services.dashboard.Dashboard` (no SQL here: the layer
  rules of tests/test_layers.py keep SQLAlchemy out of kiosk.web).

How to add a page (say "Trends"):
1. Route and role: in a new module `kiosk/web/trends.py`,

       @page("/trends", nav=N_("Trends"), roles=("admin", "manager", "staff"))
       def trends(ctx: Ctx) -> Response:
           site = ctx.site()          # staff: their own site, 403 for any other
           data = ctx.dash.trends(site, ...)   # a Dashboard method (kiosk/services/dashboard.py)
           return ctx.render("trends.html", data=data, site=site)

   and add the module to `PAGE_MODULES` below (the order there is the menu's order).
   The function runs in a worker thread after the login and role checks; `roles` leaves a
   role out with a 403. POST pages: `methods=("POST",)`; the CSRF token is checked before
   the function runs, so every form must carry `<input type="hidden" name="csrf"
   value="{{ csrf }}">`.
2. Site scoping: always take the site from `ctx.site()` (never from the query directly);
   it refuses staff another site with 403 and unknown sites with 404. Staff never get None
   (every site).
3. Template: `templates/trends.html` extends `base.html` and fills `{% block content %}`.
   Every text is English inside `{{ _("...") }}`; run `.venv/bin/python tools/i18n.py update`
   and write the Bahasa Indonesia in `assets/locale/id/LC_MESSAGES/kiosk.po` (Bahasa
   Indonesia is the default; the English switch sets a cookie). Texts written in Python
   (menu labels, `Refused(...)` messages) are marked `N_("...")` (kiosk.domain.vocab) so the
   tool finds them. Numbers and names go through Jinja's escaping: never mark data `|safe`.
   A refused form: render the page again with `error=...` (status 400); the template gets
   what was sent as `sent` to refill the fields (never passwords).
4. Personal data (names, member numbers) leaving the server: call
   `ctx.dash.log_export(ctx.account, site, what, rows)` before sending; admins see it under
   Users. Pages must work at 360 px (phone) and 1920 px (projector): use the `.cards`,
   `.table-wrap` and `.form-row` classes of `static/dashboard.css`, and class `opt` on table
   columns a phone can do without. Scripts go in `static/` (the Content-Security-Policy
   refuses inline ones).
5. Test in tests/web/ (HTTP through the real app on SQLite and PostgreSQL; the browser tests
   for what needs JavaScript), add the page to `pages` in tools/web_screenshots.py and look
   at its PNGs.
"""

from __future__ import annotations

import importlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.config import Settings
from kiosk.domain.clock import Clock
from kiosk.services.dashboard import Dashboard
from kiosk.services.sync_central import CentralDatabase
from kiosk.web.pages import ROUTES, SECURITY_HEADERS, STATIC

PAGE_MODULES = (
    "auth",
    "today",
    "trends",
    "satisfaction",
    "members",
    "kiosks",
    "downloads",
    "users",
)


class SecurityHeaders:
    """CSP (nothing from elsewhere, no inline script), no framing, no caching of pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                for k, v in SECURITY_HEADERS.items():
                    if static and k == "cache-control":
                        continue
                    if k.encode() not in present:
                        headers.append((k.encode(), v.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_dashboard(
    settings: Settings, db: CentralDatabase, clock: Clock | None = None
) -> Starlette:
    """The dashboard app on the server's central database (mounted at `/`); `clock` is what
    Today reads "now" from (the system clock unless given)."""
    for name in PAGE_MODULES:  # registers their routes and menu entries (once per process)
        importlib.import_module(f"kiosk.web.{name}")

    async def home(_request: Request) -> Response:
        return RedirectResponse("/today", status_code=303)

    app = Starlette(
        routes=[
            Route("/", home),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            *ROUTES,
        ],
        middleware=[Middleware(SecurityHeaders)],
    )
    app.state.dashboard = Dashboard(settings, db, clock)
    app.state.settings = settings
    return app
