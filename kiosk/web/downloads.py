"""Downloads: the CLI's reports and exports, made by the CLI's own code (kiosk.cli.reports),
for a chosen period and site. Staff get their own site only; the list of visits (personal
data: member numbers) is written to the access log before it is sent."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from starlette.responses import Response

from kiosk.cli import reports as cli_reports
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.counts import BY, VisitFilter
from kiosk.domain.dates import parse_date
from kiosk.domain.vocab import N_
from kiosk.web.pages import Ctx, Refused, page

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
CITY_WIDE = ("admin", "manager")
# The visit report's breakdowns (kiosk report visits --by), as the form names them.
BY_LABELS = {
    "day": N_("Day"),
    "hour": N_("Hour"),
    "weekday": N_("Weekday"),
    "month": N_("Month"),
    "year": N_("Year"),
    "room": N_("Room"),
    "site": N_("Site"),
    "category": N_("Category"),
    "gender": N_("Gender"),
    "purpose": N_("Purpose"),
    "origin": N_("Origin"),
}  # the IPLM census figures are the whole library's


def _day(ctx: Ctx, name: str, default: date) -> date:
    text = ctx.value(name)
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError as e:
        raise Refused(400, N_("A date is not valid."), f"{name}: {e}") from None


def _period(ctx: Ctx) -> tuple[date, date]:
    today = local_day(utcnow())
    start, end = _day(ctx, "from", today.replace(day=1)), _day(ctx, "to", today)
    if end < start:
        raise Refused(400, N_("The end of the period is before its start."), f"{start} > {end}")
    return start, end


def _year(ctx: Ctx) -> int:
    text = ctx.value("year", str(local_day(utcnow()).year))
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise Refused(400, N_("Give a year like 2026."), text)
    return int(text)


def _format(ctx: Ctx, allowed: tuple[str, ...]) -> str:
    fmt = ctx.value("format", allowed[0])
    if fmt not in allowed:
        raise Refused(400, N_("This format is not offered for this download."), fmt)
    return fmt


def _lang(ctx: Ctx) -> str:
    lang = ctx.value("lang", ctx.lang)
    return lang if lang in ("id", "en") else ctx.lang


def _file(name: str, write: Callable[[Path], object]) -> Response:
    """`write(path in a private temporary folder)` -> that file (or the Path `write` returns,
    when it names the file itself) sent as a download."""
    with tempfile.TemporaryDirectory(prefix="kiosk-download-") as tmp:
        try:
            written = write(Path(tmp) / name)
            path = written if isinstance(written, Path) else Path(tmp) / name
        except (ValueError, LookupError) as e:
            raise Refused(400, N_("This download could not be made."), str(e)) from None
        body = path.read_bytes()
        name = path.name
    fmt = name.rsplit(".", 1)[-1]
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _where(site: str | None) -> str:
    return site or "semua"


@page("/downloads", nav=N_("Downloads"))
def downloads(ctx: Ctx) -> Response:
    today = local_day(utcnow())
    return ctx.render(
        "downloads.html",
        today=today.isoformat(),
        month_start=today.replace(day=1).isoformat(),
        year=today.year,
        by_choices=[(b, BY_LABELS.get(b, b)) for b in BY],
        city_wide=ctx.account.role in CITY_WIDE,
    )


@page("/downloads/daily", methods=("POST",))
def daily(ctx: Ctx) -> Response:
    """The daily export, as `kiosk export daily --date D --site S --out FOLDER` writes it."""
    site, day = ctx.site(), _day(ctx, "date", local_day(utcnow()))
    fmt, lang = _format(ctx, ("xlsx", "csv")), _lang(ctx)

    settings = ctx.dash.settings
    return _file(
        "daily",
        lambda path: cli_reports.write_daily(settings, day, site, path.parent, fmt, lang)[1],
    )


@page("/downloads/visits", methods=("POST",))
def visits(ctx: Ctx) -> Response:
    site, (start, end) = ctx.site(), _period(ctx)
    by = ctx.value("by", "day")
    if by not in BY:
        raise Refused(400, N_("This breakdown is not offered."), by)
    fmt, lang = _format(ctx, ("xlsx", "csv", "pdf")), _lang(ctx)
    flt = VisitFilter(start, end, site, categories=ctx.dash.settings.categories)
    name = f"laporan-kunjungan-{_where(site)}-{start}-{end}-{by}.{fmt}"

    return _file(
        name, lambda path: cli_reports.write_visits(ctx.dash.settings, flt, by, path, lang)
    )


@page("/downloads/year", methods=("POST",))
def year(ctx: Ctx) -> Response:
    site, y = ctx.site(), _year(ctx)
    fmt, lang = _format(ctx, ("xlsx", "pdf")), _lang(ctx)

    name = f"tahunan-{_where(site)}-{y}.{fmt}"
    return _file(name, lambda path: cli_reports.write_year(ctx.dash.settings, y, site, path, lang))


@page("/downloads/list", methods=("POST",))
def visit_list(ctx: Ctx) -> Response:
    """Personal data (member numbers): logged with who, when and what before it is sent."""
    site, (start, end) = ctx.site(), _period(ctx)
    fmt, lang = _format(ctx, ("xlsx", "csv")), _lang(ctx)
    flt = VisitFilter(start, end, site, categories=ctx.dash.settings.categories)
    name = f"daftar-kunjungan-{_where(site)}-{start}-{end}.{fmt}"

    def write(path: Path) -> None:
        rows = cli_reports.write_list(ctx.dash.settings, flt, path, lang)
        ctx.dash.log_export(ctx.account, site, f"visit list {start}..{end} {name}", rows)

    return _file(name, write)


@page("/downloads/iplm", roles=CITY_WIDE, methods=("POST",))
def iplm(ctx: Ctx) -> Response:
    y, lang = _year(ctx), _lang(ctx)
    text = ctx.value("population")
    if text and not text.isdigit():
        raise Refused(400, N_("The population is a whole number."), text)
    population = int(text) if text else None

    settings = ctx.dash.settings
    return _file(
        f"iplm-{y}.xlsx", lambda path: cli_reports.write_iplm(settings, y, population, path, lang)
    )


@page("/downloads/ikm", methods=("POST",))
def ikm(ctx: Ctx) -> Response:
    site, (start, end) = ctx.site(), _period(ctx)
    fmt, lang = _format(ctx, ("pdf", "xlsx")), _lang(ctx)
    standard = ctx.value("standard") or None
    if standard not in (None, *cli_reports.STANDARD_CHOICES):
        raise Refused(400, N_("This survey standard is not known."), str(standard))

    settings, name = ctx.dash.settings, f"ikm-{_where(site)}-{start}-{end}.{fmt}"
    return _file(
        name,
        lambda path: cli_reports.write_ikm(settings, start, end, standard, None, site, path, lang),
    )
