"""PDF reports (reportlab): the visit report with its charts and the satisfaction (IKM) report.

Text is Bahasa Indonesia first, like the library's own annual reports; every word comes from
the catalogues (kiosk.i18n). Tables are the same `Table`s the spreadsheets get.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from kiosk.adapters.render import charts, report_tables
from kiosk.adapters.render.table import N_, Column, Local, Table, label
from kiosk.domain import ikm
from kiosk.domain.counts import Counts, IkmReport, VisitViews, YearReport
from kiosk.i18n import gettext, month_name

TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f2f2")]),
    ]
)


def _cell(value: Any, column: Column, lang: str) -> Any:
    value = label(value, column, lang)
    if value is None:
        return "-"
    if column.kind == "count" and isinstance(value, int):
        return f"{value:,}".replace(",", ".")  # Indonesian thousands
    return value if isinstance(value, str | Paragraph) else str(value)


def _row(row: list[Any], table: Table, lang: str) -> list[Any]:
    return [_cell(v, c, lang) for v, c in zip(row, table.columns, strict=True)]


def pdf_table(table: Table, lang: str, widths: list[float] | None = None) -> PdfTable:
    """A `Table` as a reportlab table: bold headings, shaded rows, a line above the last row."""
    rows = [_row(r, table, lang) for r in table.all_rows()]
    t = PdfTable([table.headings(lang), *rows], colWidths=widths, repeatRows=1)
    t.setStyle(TABLE_STYLE)
    return t


def _t(msgid: str, lang: str, **values: Any) -> str:
    text = gettext(msgid, lang)
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Letterhead:
    """What heads a report the library signs: from the settings and the layout."""

    library: str
    site_name: str | None = None  # None: every site
    logo: Path | None = None
    city: str = ""  # where it is signed
    head_name: str = ""  # the head of the library; a dotted line when not set
    head_id: str = ""  # NIP


def _build(
    path: Path, story: list[Any], library: str, title: str, pagesize: tuple[float, float] = A4
) -> None:
    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 10 * mm, library)
        canvas.drawRightString(pagesize[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# --- visits ---------------------------------------------------------------------------------


def visits_pdf(path: Path, views: VisitViews, lang: str, library: str) -> Path:
    """The visit report: summary table, four charts (day, hour, room, year over year), table."""
    styles = getSampleStyleSheet()
    report = views.report
    flt = report.filter
    title = f"{_t(N_('Visit report'), lang)}: {library}"
    filters = ((N_("Room"), flt.room), (N_("Category"), flt.category), (N_("Site"), flt.site))
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"{flt.start.isoformat()} - {flt.end.isoformat()}"
            + "".join(f" · {_t(k, lang)}: {v}" for k, v in filters if v),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        pdf_table(report_tables.summary_table(report.total), lang),
        Spacer(1, 6 * mm),
    ]

    days = views.days
    span = (flt.end - flt.start).days + 1
    if span <= 62:
        all_days = [flt.start.fromordinal(flt.start.toordinal() + i) for i in range(span)]
        labels = [str(d.day) for d in all_days]
        counts = [days.get(d, Counts()) for d in all_days]
        chart_title = _t(N_("Visits per day"), lang)
    else:
        months: dict[tuple[int, int], Counts] = {}
        for d, c in days.items():
            months.setdefault((d.year, d.month), Counts()).merge(c)
        keys = sorted(months)
        labels = [f"{month_name(m, lang)[:3]} {str(y)[2:]}" for y, m in keys]
        counts = [months[k] for k in keys]
        chart_title = _t(N_("Visits per month"), lang)
    every = max(1, len(labels) // 31)
    story.append(charts.stacked_bars(chart_title, labels, counts, lang, label_every=every))
    story.append(Spacer(1, 4 * mm))
    hours = views.hours
    open_hours = [h for h in range(24) if hours.get(h, Counts()).total] or list(range(8, 17))
    hr = list(range(min(open_hours), max(open_hours) + 1))
    story.append(
        charts.stacked_bars(
            _t(N_("Visits per hour (WIB)"), lang),
            [f"{h:02d}" for h in hr],
            [hours.get(h, Counts()) for h in hr],
            lang,
        )
    )
    rooms = views.rooms  # keyed (site, room): a room code repeats across sites
    one_site = len({site for site, _room in rooms}) <= 1
    named = {(room if one_site else f"{site} {room}"): c for (site, room), c in rooms.items()}
    rooms_chart = charts.room_bars(_t(N_("Visits per room"), lang), named, lang)
    story.append(KeepTogether([Spacer(1, 4 * mm), rooms_chart]))
    story.append(Spacer(1, 4 * mm))
    years_title = _t(N_("Year over year (per month)"), lang)
    story.append(charts.year_lines(years_title, views.per_year, lang))
    story.append(Spacer(1, 4 * mm))
    story.append(pdf_table(report_tables.visit_table(report), lang))
    _build(path, story, library, title)
    return path


# --- IKM ------------------------------------------------------------------------------------


def _element_table(rep: IkmReport, lang: str) -> PdfTable:
    table = report_tables.ikm_element_table(rep).select(
        "code", "name", "answers", "nrr", "score", "sufficient"
    )
    body = getSampleStyleSheet()["BodyText"]
    rows = [_row(r, table, lang) for r in table.rows]
    for row in rows:
        row[1] = Paragraph(row[1], body)  # long official names wrap
    widths = [16 * mm, 78 * mm, 20 * mm, 18 * mm, 20 * mm, 20 * mm]
    t = PdfTable([table.headings(lang), *rows], colWidths=widths, repeatRows=1)
    style = TableStyle(TABLE_STYLE.getCommands())
    style.add("LINEABOVE", (0, -1), (-1, -1), 0, colors.white)
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")])
    style.add("VALIGN", (0, 0), (-1, -1), "MIDDLE")
    style.add("ALIGN", (1, 0), (1, -1), "LEFT")
    t.setStyle(style)
    return t


WARNINGS = {
    "no_answers": N_("{element} ({name}) has no answers and is left out of the index"),
    "few_answers": N_(
        "{element} ({name}) has {answers} answers, fewer than the minimum sample {minimum} "
        "for a population of {population}"
    ),
}


def _warning(w: ikm.IkmWarning, res: ikm.IkmResult, lang: str) -> str:
    element = res.standard.element(w.element)
    name = Local(element.name, element.name_en).get(lang)
    values = {"answers": w.answers, "minimum": w.minimum, "population": res.population}
    return "! " + _t(WARNINGS[w.kind], lang, element=w.element, name=name, **values)


def _profile_table(report: IkmReport, lang: str) -> PdfTable:
    """One table that may break across pages however many answers the forms gave."""
    table = report_tables.ikm_profile_table(report)
    t = pdf_table(table, lang, [45 * mm, 75 * mm, 20 * mm])
    t.hAlign = "LEFT"
    style = TableStyle(TABLE_STYLE.getCommands())
    style.add("LINEABOVE", (0, -1), (-1, -1), 0, colors.white)  # no totals row here
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")])
    style.add("FONT", (0, 1), (0, -1), "Helvetica-Bold", 9)
    style.add("ALIGN", (1, 0), (1, -1), "LEFT")
    t.setStyle(style)
    return t


def ikm_pdf(path: Path, report: IkmReport, lang: str, library: str) -> Path:
    styles = getSampleStyleSheet()
    res = report.result
    cat = res.category
    title = f"{_t(N_('Public satisfaction index (IKM)'), lang)}: {library}"
    period = f"{report.start.isoformat()} - {report.end.isoformat()} · {res.standard.title}"
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(period, styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    if res.ikm is None or cat is None:
        # Nothing to chart: say so plainly rather than draw empty bars.
        story.append(Paragraph(_t(N_("No answers yet"), lang), styles["Heading2"]))
        story.append(
            Paragraph(
                _t(N_("Nobody has answered the survey in this period."), lang), styles["Normal"]
            )
        )
        _build(path, story, library, title)
        return path
    quality = _t(N_("Service quality"), lang)
    verdict = f"{quality} <b>{cat.letter}</b> ({Local(cat.label, cat.label_en).get(lang)})"
    sample = _t(
        N_(
            "Respondents: {respondents} · population: {population} · "
            "minimum sample (Krejcie &amp; Morgan): {minimum}"
        ),
        lang,
        respondents=res.respondents,
        population=res.population or "-",
        minimum=res.minimum_sample or "-",
    )
    story += [
        Paragraph(f"<b>IKM {ikm.format_ikm(res.ikm)}</b> · {verdict}", styles["Heading2"]),
        Paragraph(sample, styles["Normal"]),
        Spacer(1, 4 * mm),
        _element_table(report, lang),
        Spacer(1, 5 * mm),
        charts.element_bars(_t(N_("Score per element (NRR x 25)"), lang), res),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(_warning(w, res, lang), styles["Normal"]) for w in res.warnings]
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_t(N_("Respondents' profile"), lang), styles["Heading2"]))
    story.append(
        Paragraph(
            _t(N_("Age, education and occupation are asked on paper forms only."), lang),
            styles["Normal"],
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(_profile_table(report, lang))
    if report.suggestions:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(_t(N_("Suggestions"), lang), styles["Heading2"]))
        for day, text in report.suggestions:
            line = f"{day.day} {month_name(day.month, lang)} {day.year}: {escape(text)}"
            story.append(Paragraph(line, styles["Normal"]))
    _build(path, story, library, title)
    return path


# --- the library's year ---------------------------------------------------------------------


def period_words(start: date, end: date, lang: str) -> str:
    """'1 Januari - 31 Desember 2026': the period as a signed report writes it."""

    def day(d: date, year: bool) -> str:
        text = f"{d.day} {month_name(d.month, lang)}"
        return f"{text} {d.year}" if year else text

    return f"{day(start, start.year != end.year)} - {day(end, True)}"


def letterhead(head: Letterhead, title: str, period: str, lang: str) -> list[Any]:
    """The library's name (and logo, when given), the site, the report's title and period."""
    styles = getSampleStyleSheet()
    lines = [Paragraph(f"<b>{escape(head.library)}</b>", styles["Heading2"])]
    site = head.site_name or _t(N_("All sites"), lang)
    lines.append(Paragraph(escape(site), styles["Normal"]))
    top: Any = lines
    if head.logo and Path(head.logo).is_file():
        logo = Image(str(head.logo), width=18 * mm, height=18 * mm, kind="proportional")
        top = [PdfTable([[logo, lines]], colWidths=[22 * mm, None], hAlign="LEFT")]
        top[0].setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [
        *top,
        HRFlowable(width="100%", thickness=1, color=colors.black, spaceBefore=2, spaceAfter=4),
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(period), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]


def signature(head: Letterhead, signed: date, lang: str) -> KeepTogether:
    """The place and day, 'Head of the library', room to sign, and the head's name."""
    styles = getSampleStyleSheet()
    day = f"{signed.day} {month_name(signed.month, lang)} {signed.year}"
    when = escape(f"{head.city}, {day}" if head.city else day)
    name = escape(head.head_name) if head.head_name else "(....................................)"
    block = [
        Paragraph(when, styles["Normal"]),
        Paragraph(_t(N_("Head of the library"), lang), styles["Normal"]),
        Spacer(1, 18 * mm),
        Paragraph(f"<u>{name}</u>", styles["Normal"]),
    ]
    if head.head_id:
        block.append(Paragraph(f"NIP {escape(head.head_id)}", styles["Normal"]))
    t = PdfTable([["", block]], colWidths=[None, 70 * mm])
    return KeepTogether([Spacer(1, 8 * mm), t])


def _month_table(table: Table, lang: str, width: float) -> PdfTable:
    """A table of 12 months on a landscape page: short month headings, small type."""
    headings = [
        month_name(int(c.name[1:]), lang)[:3] if c.name[:1] == "m" and c.name[1:].isdigit() else h
        for c, h in zip(table.columns, table.headings(lang), strict=True)
    ]
    rows = [_row(r, table, lang) for r in table.all_rows()]
    keys = len(table.columns) - 13
    first = (width - 13 * 15 * mm) / keys
    t = PdfTable([headings, *rows], colWidths=[first] * keys + [15 * mm] * 13, repeatRows=1)
    style = TableStyle(TABLE_STYLE.getCommands())
    style.add("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8)
    style.add("FONT", (0, 1), (-1, -1), "Helvetica", 8)
    style.add("ALIGN", (0, 0), (keys - 1, -1), "LEFT")
    t.setStyle(style)
    return t


def year_pdf(path: Path, rep: YearReport, lang: str, head: Letterhead, signed: date) -> Path:
    """The yearly visit report on landscape pages, with letterhead and signature block."""
    styles = getSampleStyleSheet()
    title = _t(N_("Yearly visit report {year}"), lang, year=rep.year)
    period = period_words(date(rep.year, 1, 1), date(rep.year, 12, 31), lang)
    story = letterhead(head, title, period, lang)
    width = landscape(A4)[0] - 36 * mm
    for table in report_tables.year_tables(rep):
        block: list[Any] = [Paragraph(table.title_text(lang), styles["Heading3"])]
        if any(c.name == "m01" for c in table.columns):
            block.append(_month_table(table, lang, width))
        else:
            t = pdf_table(table, lang, [90 * mm] + [30 * mm] * (len(table.columns) - 1))
            t.hAlign = "LEFT"
            if table.totals is None:
                style = TableStyle(TABLE_STYLE.getCommands())
                style.add("LINEABOVE", (0, -1), (-1, -1), 0, colors.white)
                t.setStyle(style)
            block.append(t)
        story.append(KeepTogether(block) if len(table.rows) < 25 else block[0])
        if len(table.rows) >= 25:
            story.append(block[1])  # a long table breaks across pages under its title
        story.append(Spacer(1, 4 * mm))
    story.append(signature(head, signed, lang))
    _build(path, story, head.library, title, pagesize=landscape(A4))
    return path
