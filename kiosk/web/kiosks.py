"""Kiosks: every enrolled kiosk with what it last said about itself, in red when something
needs a person; admins enrol (the one-time code is shown once) and revoke."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from kiosk.domain.vocab import N_
from kiosk.services.dashboard import CAMERA_WORDS
from kiosk.web.pages import Ctx, Refused, page

ADMIN = ("admin",)


def _show(ctx: Ctx, status: int = 200, **extra: object) -> Response:
    site = ctx.site()
    return ctx.render(
        "kiosks.html",
        status,
        kiosks=ctx.dash.kiosks(site),
        site=site,
        here="/kiosks",
        server=str(ctx.request.base_url).rstrip("/"),
        camera_words=CAMERA_WORDS,
        **extra,
    )


@page("/kiosks", nav=N_("Kiosks"))
def kiosks(ctx: Ctx) -> Response:
    return _show(ctx)


@page("/kiosks/enrol", roles=ADMIN, methods=("POST",))
def enrol(ctx: Ctx) -> Response:
    try:
        enrolment = ctx.dash.enrol(
            ctx.value("kiosk"), ctx.value("site"), ctx.value("location", "entrance")
        )
    except (ValueError, LookupError) as e:
        return _show(ctx, 400, error=str(e))
    return _show(ctx, enrolment=enrolment)


@page("/kiosks/revoke", roles=ADMIN, methods=("POST",))
def revoke(ctx: Ctx) -> Response:
    try:
        ctx.dash.revoke(ctx.value("kiosk"))
    except LookupError as e:
        raise Refused(404, N_("No such kiosk."), str(e)) from None
    return RedirectResponse("/kiosks", status_code=303)
