"""Trends: visits per day, week, month or year beside the same period a year earlier, and the
period per site, room, category and gender; each as an SVG chart with its table beside it.
The numbers are `kiosk report visits`' own (kiosk.services.dashboard_reports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup
from starlette.responses import Response

from kiosk.adapters.render import svg_charts
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.counts import NOT_GIVEN
from kiosk.domain.vocab import N_
from kiosk.i18n import month_name
from kiosk.services.dashboard_reports import TREND_BY, default_window, trends
from kiosk.web.downloads import _day as day_field
from kiosk.web.pages import Ctx, Refused, page

BY_LABELS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month"), "year": N_("Year")}
GENDER_LABELS = {"P": N_("Female"), "L": N_("Male"), NOT_GIVEN: N_("not given")}
BREAKDOWN_TITLES = {
    "site": N_("Per site"),
    "room": N_("Per room"),
    "category": N_("Per category"),
    "gender": N_("Per gender"),
}


def both_widths(draw: Callable[[int], str]) -> Markup:
    """A chart drawn twice, for a desktop and for a phone (CSS shows one): an SVG scaled
    down to a phone would shrink its labels below reading size."""
    wide, narrow = draw(svg_charts.WIDE), draw(svg_charts.NARROW)
    return Markup(  # noqa: S704 - svg_charts escapes every text it draws
        f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>'
    )


def period_label(by: str, key: Any, lang: str) -> str:
    if by in ("day", "week"):
        return f"{key:%d-%m}"
    if by == "month":
        return f"{month_name(key[1], lang)[:3]} {key[0]}"
    return str(key)


def change(this: int, last: int) -> str:
    """'+12%' against last year; '' when last year had nothing to compare with."""
    if not last:
        return ""
    pct = round((this - last) * 100 / last)
    return f"{pct:+d}%"


def key_label(ctx: Ctx, key: str, value: Any, one_site: bool) -> str:
    if key == "gender":
        return ctx._(GENDER_LABELS.get(value, value))
    if key == "site":
        names = {s.code: s.name for s in ctx.dash.layout.sites}
        return f"{value} · {names[value]}" if value in names else str(value)
    if key == "room":
        site, code = value
        room = ctx.dash.room(site, code)
        name = (room.name_en if ctx.lang == "en" else room.name) if room else code
        return name if one_site else f"{site} · {name}"
    return ctx._(NOT_GIVEN) if value == NOT_GIVEN else str(value)


def _series(ctx: Ctx, this: list[int], last: list[int], end: date, last_end: date) -> list:
    same = end.year != last_end.year
    this_name = str(end.year) if same else ctx._("This period")
    last_name = str(last_end.year) if same else ctx._("A year earlier")
    return [
        svg_charts.Series(this_name, this, svg_charts.THIS_YEAR),
        svg_charts.Series(last_name, last, svg_charts.LAST_YEAR),
    ]


@page("/trends", nav=N_("Trends"))
def trends_page(ctx: Ctx) -> Response:
    site = ctx.site()
    by = ctx.value("by", "month")
    if by not in TREND_BY:
        raise Refused(400, N_("This breakdown is not offered."), by)
    today = local_day(utcnow())
    end = day_field(ctx, "to", today)
    start, _ = default_window(by, end)
    start = day_field(ctx, "from", start)
    if end < start:
        raise Refused(400, N_("The end of the period is before its start."), f"{start} > {end}")
    if (end - start).days > 366 * 12:
        raise Refused(400, N_("Choose a period of at most twelve years."), f"{start} - {end}")
    data = trends(ctx.dash.db, ctx.dash.settings.categories, by, start, end, site)
    labels = [period_label(by, r.key, ctx.lang) for r in data.rows]
    title = ctx._("Visits per") + " " + ctx._(BY_LABELS[by]).lower()
    series = _series(
        ctx,
        [r.this.total for r in data.rows],
        [r.last.total for r in data.rows],
        end,
        data.last_end,
    )
    main_chart = both_widths(lambda w: svg_charts.bar_chart(title, labels, series, w))
    sections = []
    for key, rows in data.breakdowns.items():
        if key == "site" and site is not None:
            continue  # one site: its own row only
        names = [key_label(ctx, key, r.key, site is not None) for r in rows]
        s = _series(
            ctx, [r.this.total for r in rows], [r.last.total for r in rows], end, data.last_end
        )
        chart = both_widths(
            lambda w, n=names, s=s, k=key: svg_charts.hbar_chart(
                ctx._(BREAKDOWN_TITLES[k]), n, s, w
            )
        )
        sections.append((key, BREAKDOWN_TITLES[key], chart, list(zip(names, rows, strict=True))))  # noqa: S704
    return ctx.render(
        "trends.html",
        data=data,
        site=site,
        by=by,
        by_choices=list(BY_LABELS.items()),
        rows=list(zip(labels, data.rows, strict=True)),
        chart=main_chart,
        series=series,
        sections=sections,
        change=change,
    )
