"""Today: the day's visits so far per site and room, the estimated occupancy of the rooms with
a capacity, groups expected and arrived; the numbers refresh themselves every 30 seconds
(static/today.js fetches /today/numbers)."""

from __future__ import annotations

from starlette.responses import Response

from kiosk.domain.vocab import N_
from kiosk.web.pages import Ctx, page

REFRESH_SECONDS = 30


@page("/today", nav=N_("Today"))
def today(ctx: Ctx) -> Response:
    site = ctx.site()
    return ctx.render("today.html", today=ctx.dash.today(site), site=site, refresh=REFRESH_SECONDS)


@page("/today/numbers")
def today_numbers(ctx: Ctx) -> Response:
    """The numbers alone, for the live refresh."""
    site = ctx.site()
    return ctx.render("today_numbers.html", today=ctx.dash.today(site), site=site)
