"""The machinery every dashboard page shares: login check, roles, site scoping, CSRF,
language, templates, the navigation. A page module only says what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from kiosk.domain.vocab import N_
from kiosk.i18n import LANGUAGES, gettext
from kiosk.services.dashboard import Dashboard, local_clock
from kiosk.services.web_accounts import ROLES, Account, LoggedIn, csrf_ok

SESSION_COOKIE = "kiosk_session"
LANG_COOKIE = "kiosk_lang"
ALL = ROLES  # every role: the default of @page
EXPIRED = N_("This form has expired. Open the page again and resend it.")
STATIC = Path(__file__).parent / "static"
# Nothing from elsewhere: scripts, styles and fonts come from this server only.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",  # pages hold the library's numbers and names: not cached
}


class Refused(Exception):
    """Stops a page with an HTTP status and a message in both languages (msgid English)."""

    def __init__(self, status: int, msgid: str, detail: str = "") -> None:
        super().__init__(msgid)
        self.status, self.msgid, self.detail = status, msgid, detail


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # English msgid
    roles: tuple[str, ...]


NAV: list[NavItem] = []  # in the order of the menu; filled by @page(nav=...)
ROUTES: list[Route] = []


@dataclass
class Ctx:
    """One request to a page, as its function sees it (runs in a worker thread)."""

    request: Request
    dash: Dashboard
    lang: str
    login: LoggedIn
    form: dict[str, str] = field(default_factory=dict)

    @property
    def account(self) -> Account:
        return self.login.account

    def value(self, name: str, default: str = "") -> str:
        """A form field (POST) or query parameter (GET), stripped."""
        return (self.form.get(name) or self.request.query_params.get(name) or default).strip()

    def site(self, name: str = "site") -> str | None:
        """The site asked for, checked against the account: staff get their own site and a
        403 for any other or for every site (never another site's numbers); others get the
        site asked for, or None (every site) for "all" or nothing."""
        asked = self.value(name) or None
        if self.account.role == "staff":
            if asked is not None and asked != self.account.site:  # "all" too
                raise Refused(403, N_("Staff see only their own site."), asked)
            return self.account.site
        if asked in ("all", "*"):
            asked = None
        if asked is not None and asked not in self.dash.site_codes:
            raise Refused(404, N_("No such site."), asked)
        return asked

    def _(self, msgid: str) -> str:
        """A text in the reader's language (for texts made in Python, such as chart labels)."""
        return gettext(msgid, self.lang)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(render(template, self.lang, self, **values), status_code=status)


env = Environment(
    loader=PackageLoader("kiosk.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["wib"] = local_clock
env.filters["urlquote"] = lambda v: quote(str(v), safe="")


def here(request: Request) -> str:
    """This page's path and query: where the language switch comes back to."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def render(template: str, lang: str, ctx: Ctx | None, **values: Any) -> str:
    """A template in `lang`: `_("English")` inside it gives the words of that language."""
    account = ctx.account if ctx else None
    nav = [n for n in NAV if account and account.role in n.roles]
    values.setdefault("here", here(ctx.request) if ctx else "/login")
    return env.get_template(template).render(
        _=lambda msgid: gettext(msgid, lang),
        lang=lang,
        account=account,
        csrf=ctx.login.csrf if ctx else "",
        nav=nav,
        sent=ctx.form if ctx and values.get("error") else {},  # refilled after a refusal
        path=ctx.request.url.path if ctx else "",
        sites=ctx.dash.layout.sites if ctx else (),
        **values,
    )


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "id")
    return lang if lang in LANGUAGES else "id"


def error_page(request: Request, dash: Dashboard, e: Refused, login: LoggedIn | None) -> Response:
    lang = language(request)
    ctx = Ctx(request, dash, lang, login) if login else None
    body = render("error.html", lang, ctx, status=e.status, message=e.msgid, detail=e.detail)
    return HTMLResponse(body, status_code=e.status)


def page(
    path: str,
    *,
    roles: tuple[str, ...] = ALL,
    nav: str | None = None,
    methods: tuple[str, ...] = ("GET",),
) -> Callable[[Callable[[Ctx], Response]], Callable[[Ctx], Response]]:
    """Register a page: `fn(ctx) -> Response` runs in a worker thread once the browser is
    logged in, its role is in `roles` and (for POST) the form's CSRF token is the session's.
    `nav` adds it to the menu under that English label."""

    def wrap(fn: Callable[[Ctx], Response]) -> Callable[[Ctx], Response]:
        async def endpoint(request: Request) -> Response:
            dash: Dashboard = request.app.state.dashboard
            token = request.cookies.get(SESSION_COOKIE)
            login = await run_in_threadpool(dash.session, token)
            if login is None:
                if request.headers.get("x-requested-with") == "fetch":
                    return Response(status_code=401)  # the live refresh: log in again
                return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
            try:
                if login.account.role not in roles:
                    raise Refused(403, N_("Your role may not open this page."))
                form: dict[str, str] = {}
                if request.method == "POST":
                    raw = await request.form()
                    form = {k: v for k, v in raw.items() if isinstance(v, str)}
                    if not csrf_ok(login, form.get("csrf")):
                        raise Refused(403, EXPIRED)
                ctx = Ctx(request, dash, language(request), login, form)
                return await run_in_threadpool(fn, ctx)
            except Refused as e:
                return error_page(request, dash, e, login)

        ROUTES.append(Route(path, endpoint, methods=list(methods), name=fn.__name__))
        if nav:
            NAV.append(NavItem(path, nav, roles))
        return fn

    return wrap
