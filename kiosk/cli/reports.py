"""Report, export and survey commands: report visits, report ikm, export daily, survey import."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.adapters.files.csvfiles import ImportFileError
from kiosk.adapters.files.landing import land_in, out_folder
from kiosk.adapters.files.paper_survey import parse_paper_file
from kiosk.adapters.render import exports, report_tables
from kiosk.adapters.render.table import Column, Table, Word
from kiosk.adapters.render.table import text as tables_text
from kiosk.adapters.render.terminal import KEEP, WRAP
from kiosk.cli import common_options, emit
from kiosk.config import Settings
from kiosk.domain import ikm
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.dates import parse_date
from kiosk.domain.fields import FieldError
from kiosk.domain.vocab import N_
from kiosk.i18n import gettext
from kiosk.layout import load_layout
from kiosk.services import reports, survey_imports, surveys

STANDARD_CHOICES = ("2017", "2004")
XLSX_ELEMENT_COLUMNS = ("code", "name", "answers", "nrr", "score", "n1", "n2", "n3", "n4")


def _day(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()

    report = sub.add_parser("report", help="visit and satisfaction (IKM) reports")
    rsub = report.add_subparsers(dest="action", required=True, metavar="REPORT")
    p = rsub.add_parser("visits", parents=[common], help="visitors (headcount) per period")
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--by", choices=reports.BY, default="day")
    p.add_argument("--room", help="only this room code")
    p.add_argument("--category", help="only this visitor category (member type, guest type, level)")
    p.add_argument("--site", help="only this site (default: every site)")
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--out", type=Path, metavar="FILE", help="write .csv, .xlsx or .pdf")
    p.set_defaults(func=cmd_report_visits)

    p = rsub.add_parser(
        "year", parents=[common], help="the library's yearly tables (category, room, gender...)"
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--site", help="only this site (default: every site)")
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--out", type=Path, metavar="FILE", help="write .xlsx or .pdf")
    p.set_defaults(func=cmd_report_year)

    p = rsub.add_parser(
        "list", parents=[common], help="one row per visit of a period (personal data: no names)"
    )
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--site", help="only this site (default: every site)")
    p.add_argument("--room", help="only this room code")
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--out", type=Path, metavar="FILE", required=True, help="write .xlsx or .csv")
    p.set_defaults(func=cmd_report_list)

    p = rsub.add_parser(
        "iplm", parents=[common], help="visit and member figures for Perpusnas' library census"
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--population", type=int, help="inhabitants of the city, for per-head figures")
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--out", type=Path, metavar="FILE", help="write .xlsx")
    p.set_defaults(func=cmd_report_iplm)

    p = rsub.add_parser("ikm", parents=[common], help="satisfaction index (IKM) of a period")
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--standard", choices=STANDARD_CHOICES, help="default: the settings' standard")
    p.add_argument("--population", type=int, help="people served (default: visits in the period)")
    p.add_argument("--site", help="only this site (default: every site)")
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--out", type=Path, metavar="FILE", help="write .pdf or .xlsx")
    p.set_defaults(func=cmd_report_ikm)

    export = sub.add_parser("export", help="exports for staff")
    esub = export.add_subparsers(dest="action", required=True, metavar="EXPORT")
    p = esub.add_parser("daily", parents=[common], help="one day: room x visitor type x category")
    p.add_argument("--date", type=_day, help="local day (default: today)")
    p.add_argument("--site", help="site code (default: this kiosk's site; 'all' for every site)")
    p.add_argument("--out", type=Path, metavar="FILE|DIR", help=".csv/.xlsx file or a folder")
    p.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        help="for a folder (default xlsx); a file's own suffix wins",
    )
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument("--mkdir", action="store_true", help="create the --out folder if missing")
    p.set_defaults(func=cmd_export_daily)

    p = sub.add_parser(
        "categories",
        parents=[common],
        help="the visitor categories reports count in, and the member types in each",
    )
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.set_defaults(func=cmd_categories)

    survey = sub.add_parser("survey", help="satisfaction survey (SKM)")
    ssub = survey.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ssub.add_parser("import", parents=[common], help="import typed-up paper survey forms")
    p.add_argument("file", type=Path, help="CSV: one row per respondent, columns U1..U9 or U1..U14")
    p.add_argument("--date", type=_day, help="survey day for rows without a date column")
    p.add_argument("--standard", choices=STANDARD_CHOICES, help="default: the settings' standard")
    p.add_argument("--dry-run", action="store_true", help="check the file, store nothing")
    p.add_argument(
        "--again", action="store_true", help="import a file already imported (counts it twice)"
    )
    p.set_defaults(func=cmd_survey_import)


def _lang(args: argparse.Namespace, settings: Settings) -> str:
    return args.lang or settings.language


def _out_format(path: Path, allowed: tuple[str, ...]) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise ValueError(f"--out must end in {', '.join('.' + a for a in allowed)}")
    return fmt


def write_visits(
    settings: Settings, flt: reports.VisitFilter, by: str, out: Path | None, lang: str
) -> reports.VisitReport:
    """The visit report, and with `out` its .csv, .xlsx or .pdf file (the dashboard's too)."""
    fmt = _out_format(out, ("csv", "xlsx", "pdf")) if out else None
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        report = reports.visit_report(s, flt, by)
        views = None
        if fmt in ("xlsx", "pdf"):
            views = reports.visit_views(s, flt, by, every_view=fmt == "xlsx")
    table = report_tables.visit_table(report)
    if fmt == "csv" and out:
        exports.write_csv(out, table, lang)
    elif fmt == "xlsx" and out and views:
        sheets = [report_tables.visit_table(views.views[b]) for b in reports.PERIOD_BY]
        sheets.append(report_tables.keyed_table("room", views.rooms))
        sheets.append(report_tables.keyed_table("category", views.categories))
        exports.write_xlsx(out, sheets, lang)
    elif fmt == "pdf" and out and views:
        from kiosk.adapters.render.pdf import visits_pdf

        visits_pdf(out, views, lang, settings.library_name)
    return report


def cmd_report_visits(args: argparse.Namespace, settings: Settings) -> int:
    flt = reports.VisitFilter(
        args.start, args.end, args.site, args.room, args.category, settings.categories
    )
    lang = _lang(args, settings)
    report = write_visits(settings, flt, args.by, args.out, lang)
    data = report.to_json()
    lines = [tables_text(report_tables.visit_text_table(report), lang)]
    if args.out:
        data["out"] = str(args.out)
        lines.append(f"written: {args.out}")
    emit(args, data, "\n".join(lines))
    return 0


def _letterhead(settings: Settings, site_name: str | None) -> Any:
    from kiosk.adapters.render.pdf import Letterhead

    return Letterhead(
        settings.library_name,
        site_name,
        settings.library_logo,
        settings.library_city,
        settings.library_head,
        settings.library_head_id,
    )


def write_year(settings: Settings, year: int, site: str | None, out: Path | None, lang: str) -> Any:
    """The library's year tables, and with `out` their .xlsx or .pdf file."""
    if not 2000 <= year <= 2100:
        raise ValueError(f"--year {year}: give a year like 2026")
    fmt = _out_format(out, ("pdf", "xlsx")) if out else None
    layout = load_layout(settings.layout_file)
    site_name = layout.site(site).name if site else None
    rooms = {s.code: s.rooms for s in layout.sites}
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        rep = reports.year_report(s, year, site, settings.categories, rooms)
    if fmt == "pdf" and out:
        from kiosk.adapters.render.pdf import year_pdf

        year_pdf(out, rep, lang, _letterhead(settings, site_name), local_day(utcnow()))
    elif fmt == "xlsx" and out:
        exports.write_xlsx(out, report_tables.year_tables(rep), lang)
    return rep


def cmd_report_year(args: argparse.Namespace, settings: Settings) -> int:
    rep = write_year(settings, args.year, args.site, args.out, _lang(args, settings))
    data = rep.to_json()
    months = " ".join(f"{n:>6}" for n in rep.months)
    lines = [
        f"{args.year}{' ' + args.site if args.site else ''}: {rep.total} room visits, "
        f"{rep.visitors} people, {rep.opening_days} opening days "
        f"({rep.per_opening_day:.1f} room visits a day)",
        f"per month: {months}",
    ]
    if args.out:
        data["out"] = str(args.out)
        lines.append(f"written: {args.out}")
    emit(args, data, "\n".join(lines))
    return 0


def write_list(settings: Settings, flt: reports.VisitFilter, out: Path, lang: str) -> int:
    """The list of visits (personal data: member numbers) as .xlsx or .csv; the number of
    visits. The caller logs the access."""
    fmt = _out_format(out, ("xlsx", "csv"))
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        lines = reports.visit_list(s, flt)
    table = report_tables.list_table(lines)
    if fmt == "csv":
        exports.write_csv(out, table, lang)
    else:
        exports.write_xlsx(out, [table], lang)
    return len(lines)


def cmd_report_list(args: argparse.Namespace, settings: Settings) -> int:
    flt = reports.VisitFilter(
        args.start, args.end, args.site, args.room, categories=settings.categories
    )
    visits = write_list(settings, flt, args.out, _lang(args, settings))
    data = {**flt.to_json(), "visits": visits, "out": str(args.out)}
    data.pop("category")
    emit(args, data, f"{visits} visits -> {args.out}")
    return 0


def write_iplm(
    settings: Settings, year: int, population: int | None, out: Path | None, lang: str
) -> tuple[Any, Any]:
    """(IPLM figures, their table), and with `out` the .xlsx file."""
    if not 2000 <= year <= 2100:
        raise ValueError(f"--year {year}: give a year like 2026")
    if population is not None and population < 1:
        raise ValueError("--population must be 1 or more")
    fmt = _out_format(out, ("xlsx",)) if out else None
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        rep = reports.iplm_report(s, year, population)
    table = report_tables.iplm_table(rep)
    if fmt == "xlsx" and out:
        exports.write_xlsx(out, [table], lang)
    return rep, table


def cmd_report_iplm(args: argparse.Namespace, settings: Settings) -> int:
    lang = _lang(args, settings)
    rep, table = write_iplm(settings, args.year, args.population, args.out, lang)
    data = rep.to_json()
    lines = [f"{row[0]}: {row[1]}" for row in _text_rows(table, lang)]
    if args.out:
        data["out"] = str(args.out)
        lines.append(f"written: {args.out}")
    emit(args, data, "\n".join(lines))
    return 0


def _text_rows(table: Any, lang: str) -> list[list[Any]]:
    from kiosk.adapters.render.table import label

    return [[label(v, c, lang) for v, c in zip(r, table.columns, strict=True)] for r in table.rows]


def write_ikm(
    settings: Settings,
    start: date,
    end: date,
    standard: str | None,
    population: int | None,
    site: str | None,
    out: Path | None,
    lang: str,
) -> Any:
    """The satisfaction index of a period, and with `out` its .pdf or .xlsx file."""
    std = surveys.standard_for(standard or settings.survey_standard)
    if population is not None and population < 1:
        raise ValueError("--population must be 1 or more")
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    fmt = _out_format(out, ("pdf", "xlsx")) if out else None
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        rep = reports.ikm_report(s, start, end, std, population, site)
    if fmt == "pdf" and out:
        from kiosk.adapters.render.pdf import ikm_pdf

        ikm_pdf(out, rep, lang, settings.library_name)
    elif fmt == "xlsx" and out:
        sheets = [report_tables.ikm_summary_table(rep)]
        sheets.append(report_tables.ikm_element_table(rep).select(*XLSX_ELEMENT_COLUMNS))
        sheets.append(report_tables.ikm_profile_table(rep))
        sheets.append(report_tables.ikm_suggestions_table(rep))
        exports.write_xlsx(out, sheets, lang)
    return rep


def cmd_report_ikm(args: argparse.Namespace, settings: Settings) -> int:
    std = surveys.standard_for(args.standard or settings.survey_standard)
    lang = _lang(args, settings)
    rep = write_ikm(
        settings, args.start, args.end, args.standard, args.population, args.site, args.out, lang
    )
    res = rep.result
    data = rep.to_json()
    if res.ikm is not None:
        data["ikm_exact"] = f"{res.ikm.numerator}/{res.ikm.denominator}"
    if args.out:
        data["out"] = str(args.out)
    lines = [
        f"{std.title}, {args.start} - {args.end}",
        f"{'element':<8} {'answers':>8} {'NRR':>7}",
    ]
    for e in res.elements:
        nrr = "-" if e.nrr is None else f"{float(e.nrr):.3f}"
        flag = "" if e.sufficient is not False else "  (too few)"
        lines.append(f"{e.code:<8} {e.answers:>8} {nrr:>7}{flag}")
    if res.ikm is None:
        lines.append("IKM: no answers in this period")
    else:
        cat = res.category
        lines.append(f"IKM {ikm.format_ikm(res.ikm)}: {cat.letter} ({cat.label} / {cat.label_en})")
    lines.append(
        f"respondents {res.respondents}, population {res.population} ({rep.population_source}), "
        f"minimum sample {res.minimum_sample}"
    )
    lines += [f"warning: {w.message}" for w in res.warnings]
    if rep.suggestions:
        lines.append(f"{len(rep.suggestions)} suggestion(s) on paper forms (listed in --json)")
    if args.out:
        lines.append(f"written: {args.out}")
    emit(args, data, "\n".join(lines))
    return 0


def write_daily(
    settings: Settings,
    day: date,
    site: str | None,
    out: Path,
    fmt: str | None,
    lang: str,
    mkdir: bool = False,
) -> tuple[Any, Path]:
    """The daily export of `site` (None: every site) into a .csv/.xlsx file or a folder;
    (the report, the file written)."""
    if out.suffix and out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError("--out must be a .csv or .xlsx file, or a folder")
    is_file = bool(out.suffix)
    folder = out_folder(out.parent if is_file else out, mkdir)
    layout = load_layout(settings.layout_file)
    if site:
        layout.site(site)  # an unknown site is an error, not an empty export
    rooms = {s.code: s.rooms for s in layout.sites}  # for the rooms' names
    with reports.report_sessions(settings.database_url) as sessions, sessions() as s:
        report = reports.daily_report(s, day, site, rooms, settings.categories)
    path = land_in(  # a stick pulled out mid-write leaves no half file under the real name
        folder,
        lambda tmp: exports.write_daily(report, tmp / out.name if is_file else tmp, fmt, lang),
    )
    return report, path


def cmd_export_daily(args: argparse.Namespace, settings: Settings) -> int:
    day = args.date or local_day(utcnow())
    site = None if (args.site or "").lower() == "all" else (args.site or settings.site)
    out = args.out or Path.cwd()
    report, path = write_daily(settings, day, site, out, args.format, args.lang, args.mkdir)
    data = {**report.to_json(), "out": str(path)}
    data = {k: data[k] for k in ("date", "site", "out", "total", "visitors", "rows")}
    people = f"{report.counts.visitors} people"
    rows = len(report.rows)
    text = f"{day}: {report.total} room visits ({people}) in {rows} rows -> {path.resolve()}"
    emit(args, data, text)
    return 0


KIND_WORDS = {"guest": N_("Guest"), "group": N_("Group"), "member": N_("Member")}
CATEGORY_COLUMNS = [
    Column("code", N_("Category"), fit=KEEP),
    Column("kind", N_("Visitor type"), fit=KEEP),
    Column("name", N_("Name"), fit=WRAP),
    Column("member_types", N_("Member types counted"), fit=WRAP),
]
CATEGORY_NOTE = N_(
    "names are matched whatever their case; other member types count under their own name"
)


def cmd_categories(args: argparse.Namespace, settings: Settings) -> int:
    """The one category list: guest categories, group levels, member-only ones, and which
    member types (any case) count in each."""
    cmap = settings.categories
    lang = _lang(args, settings)
    rows = cmap.to_json()
    for row in rows:
        row["name"] = gettext(str(row["words"]), lang)
    cells = [
        [r["code"], Word(KIND_WORDS[str(r["kind"])]), r["name"], ", ".join(r["member_types"])]  # type: ignore[arg-type]
        for r in rows
    ]
    lines = [
        tables_text(Table("", CATEGORY_COLUMNS, cells), lang),
        gettext(CATEGORY_NOTE, lang),
    ]
    emit(args, {"categories": rows}, "\n".join(lines))
    return 0


def cmd_survey_import(args: argparse.Namespace, settings: Settings) -> int:
    std = surveys.standard_for(args.standard or settings.survey_standard)
    try:
        data = args.file.read_bytes()
        imported = parse_paper_file(data, std, args.date, local_day(utcnow()))
    except ImportFileError as e:
        raise FieldError(f"{args.file}: {e}", "file") from None
    summary = {
        "file": str(args.file),
        "standard": std.code,
        "rows": len(imported.rows),
        "refused": [{"line": r.line, "reason": r.reason} for r in imported.refused],
        "warnings": imported.warnings,
        "encoding": imported.encoding,
        "delimiter": imported.delimiter,
        "stored": 0,
        "suggestions": sum(1 for r in imported.rows if r.suggestion),
    }
    if imported.refused or not imported.rows:
        for r in imported.refused:
            print(f"{args.file}:{r.line}: {r.reason}", file=sys.stderr)
        why = f"{len(imported.refused)} row(s) refused" if imported.refused else "no rows"
        emit(args, summary, f"nothing imported: {why}")
        print(f"kiosk: error: {args.file}: nothing imported ({why})", file=sys.stderr)
        return 2
    if not args.dry_run:
        with reports.report_sessions(settings.database_url) as sessions, sessions.begin() as s:
            summary["stored"] = survey_imports.store_paper_file(
                s, imported, settings.site, args.again
            )
    text = [f"warning: {w}" for w in imported.warnings]
    verb = "checked (dry run)" if args.dry_run else "imported"
    text.append(f"{len(imported.rows)} respondent(s) {verb} for {std.code}")
    emit(args, summary, "\n".join(text))
    return 0
