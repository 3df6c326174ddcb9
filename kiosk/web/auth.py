"""Log in, log out and the language switch.

The login form has no session yet, so its CSRF token is a double-submit one: a random value
in a short-lived cookie and in the form, which another site can neither read nor set.
"""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from kiosk.domain.vocab import N_
from kiosk.i18n import LANGUAGES
from kiosk.services.web_accounts import SESSION_LIFETIME, LoginRefused
from kiosk.web.pages import (
    LANG_COOKIE,
    ROUTES,
    SESSION_COOKIE,
    Ctx,
    here,
    language,
    page,
    render,
)

LOGIN_CSRF_COOKIE = "kiosk_login_csrf"


def _next(target: str | None) -> str:
    """Only a path of this server (never //elsewhere or a full URL) after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/today"


def _secure(request: Request) -> bool:
    """Cookies are Secure over https, and always unless the settings allow plain http (a
    trial on the server itself)."""
    return request.url.scheme == "https" or not request.app.state.settings.web_allow_http


def _login_form(
    request: Request, status: int = 200, error: str = "", locked_until: object = None
) -> Response:
    token = secrets.token_urlsafe(24)
    lang = language(request)
    blocked = _secure(request) and request.url.scheme != "https"
    body = render(
        "login.html",
        lang,
        None,
        login_csrf=token,
        next=_next(request.query_params.get("next")),
        error=error,
        locked_until=locked_until,
        needs_https=blocked,
        here=here(request),
    )
    response = HTMLResponse(body, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return response


async def login_page(request: Request) -> Response:
    return _login_form(request)


async def login_post(request: Request) -> Response:
    form = await request.form()
    sent = form.get("csrf")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not isinstance(sent, str) or not cookie or not secrets.compare_digest(sent, cookie):
        return _login_form(
            request, 403, "This form has expired. Open the page again and resend it."
        )
    if _secure(request) and request.url.scheme != "https":
        return _login_form(request, 400, N_("The dashboard needs https."))
    name, password = form.get("name"), form.get("password")
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
        return _login_form(request, 400, N_("Give your user name and password."))
    dash = request.app.state.dashboard
    try:
        token, _login = await run_in_threadpool(dash.login, name, password)
    except LoginRefused as e:
        return _login_form(request, 429 if e.locked_until else 401, str(e), e.locked_until)
    response = RedirectResponse(_next(str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@page("/logout", methods=("POST",))
def logout(ctx: Ctx) -> Response:
    ctx.dash.logout(ctx.request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def switch_language(request: Request) -> Response:
    """/lang/en?next=/today: the language cookie (a year), then back to the page."""
    lang = request.path_params["lang"]
    response = RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )
    return response


ROUTES += [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/lang/{lang}", switch_language, methods=["GET"]),
]
