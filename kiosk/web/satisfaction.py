"""Satisfaction: the IKM of a period and site per standard (PermenPANRB 14/2017 or Kepmenpan
25/2004), each element's NRR, answers and whether the sample is large enough (Krejcie &
Morgan, on the period's visits), the category, and the suggestions written on paper forms.
The numbers are `kiosk report ikm`'s own (kiosk.services.reports.ikm_report)."""

from __future__ import annotations

from starlette.responses import Response

from kiosk.adapters.render import svg_charts
from kiosk.adapters.render.report_tables import CHANNEL_WORDS
from kiosk.cli.reports import STANDARD_CHOICES
from kiosk.domain import ikm
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.vocab import N_
from kiosk.services.dashboard_reports import satisfaction
from kiosk.web.downloads import _period
from kiosk.web.pages import Ctx, Refused, page
from kiosk.web.trends import both_widths

STANDARD_TITLES = {"2017": "PermenPANRB 14/2017", "2004": "Kepmenpan 25/2004"}


def _mark(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "id" else text  # a decimal comma in Indonesian


def _ikm(value: object, lang: str) -> str:
    """The index cut (not rounded) to two decimals, as the regulation and the CLI print it."""
    return "-" if value is None else _mark(ikm.format_ikm(value), lang)  # type: ignore[arg-type]


def _decimal(value: object, digits: int, lang: str) -> str:
    """An element's NRR or score, rounded as the CLI's tables show it."""
    return "-" if value is None else _mark(f"{float(value):.{digits}f}", lang)  # type: ignore[arg-type]


@page("/satisfaction", nav=N_("Satisfaction"))
def satisfaction_page(ctx: Ctx) -> Response:
    site = ctx.site()
    standard = ctx.value("standard") or ctx.dash.settings.survey_standard
    if standard not in STANDARD_CHOICES:
        raise Refused(400, N_("This survey standard is not known."), standard)
    if ctx.value("from") or ctx.value("to"):
        start, end = _period(ctx)
    else:  # this year so far: the IKM is reported per year or half-year
        today = local_day(utcnow())
        start, end = today.replace(month=1, day=1), today
    rep = satisfaction(ctx.dash.db, start, end, standard, site)
    res = rep.result
    names = [f"{e.code} · {e.name_en if ctx.lang == 'en' else e.name}" for e in res.elements]
    scores = [int(e.score) if e.score is not None else 0 for e in res.elements]
    series = [svg_charts.Series(ctx._("Score (25-100)"), scores, svg_charts.THIS_YEAR)]
    chart = both_widths(
        lambda w: svg_charts.hbar_chart(ctx._("Element scores (NRR x 25)"), names, series, w)
    )
    return ctx.render(
        "satisfaction.html",
        rep=rep,
        res=res,
        site=site,
        standard=standard,
        standards=STANDARD_TITLES,
        chart=chart,
        channel_words=CHANNEL_WORDS,
        dec=lambda v, d: _decimal(v, d, ctx.lang),
        ikm_text=lambda v: _ikm(v, ctx.lang),
    )
