"""Users (admin): the dashboard's accounts, and the access log of personal data."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from kiosk.domain.vocab import N_
from kiosk.web.pages import Ctx, Refused, page

ADMIN = ("admin",)


def _show(ctx: Ctx, status: int = 200, **extra: object) -> Response:
    return ctx.render(
        "users.html",
        status,
        users=ctx.dash.users(),
        log=ctx.dash.access_log(),
        here="/users",
        **extra,
    )


@page("/users", roles=ADMIN, nav=N_("Users"))
def users(ctx: Ctx) -> Response:
    return _show(ctx)


@page("/users/add", roles=ADMIN, methods=("POST",))
def add(ctx: Ctx) -> Response:
    password = ctx.form.get("password", "")
    if password != ctx.form.get("password2", ""):
        return _show(ctx, 400, error=N_("The two passwords differ."))
    try:
        ctx.dash.add_user(ctx.value("name"), ctx.value("role"), ctx.value("site") or None, password)
    except (ValueError, LookupError) as e:
        return _show(ctx, 400, error=str(e))
    return RedirectResponse("/users", status_code=303)


@page("/users/remove", roles=ADMIN, methods=("POST",))
def remove(ctx: Ctx) -> Response:
    name = ctx.value("name")
    if name == ctx.account.name:
        raise Refused(400, N_("You cannot remove your own account here."))
    try:
        ctx.dash.remove_user(name)
    except LookupError as e:
        raise Refused(404, N_("No such user."), str(e)) from None
    return RedirectResponse("/users", status_code=303)
