"""The reports as tables, built once and shown by every writer (CSV, XLSX, PDF, text)."""

from __future__ import annotations

from typing import Any

from kiosk.adapters.render.table import N_, Column, Local, Table, Word
from kiosk.services.reports import Counts, DailyReport, IkmReport, VisitReport

VISITOR_WORDS = {"member": N_("Member"), "guest": N_("Guest"), "group": N_("Group")}
PERIOD_HEADINGS = {
    "day": N_("Date"),
    "hour": N_("Hour"),
    "weekday": N_("Weekday"),
    "month": N_("Month"),
    "year": N_("Year"),
}
KEY_HEADINGS = {"room": N_("Room"), "category": N_("Category"), "site": N_("Site")}
KEY_TITLES = {"room": N_("By room"), "category": N_("By category"), "site": N_("By site")}
TOTAL = Word(N_("Total"))
CHANNEL_WORDS = {
    "mini": N_("Kiosk mini-survey"),
    "rating": N_("Visit rating"),
    "paper": N_("Paper form"),
}
PROFILE_HEADINGS = {
    "gender": N_("Gender"),
    "age_band": N_("Age"),
    "education": N_("Education"),
    "occupation": N_("Occupation"),
}
GENDER_WORDS = {"L": N_("Male"), "P": N_("Female"), "-": N_("not given")}


def _count_columns() -> list[Column]:
    return [Column(k, VISITOR_WORDS[k], "count") for k in VISITOR_WORDS] + [
        Column("total", TOTAL, "count")
    ]


def _counts(c: Counts) -> list[int]:
    return [c.member, c.guest, c.group, c.total]


def visit_table(report: VisitReport) -> Table:
    """Headcount per period of the range, with the total."""
    columns = [Column("key", PERIOD_HEADINGS[report.by], report.by), *_count_columns()]
    rows = [[key, *_counts(c)] for key, c in report.rows]
    return Table(PERIOD_HEADINGS[report.by], columns, rows, [TOTAL, *_counts(report.total)])


def summary_table(total: Counts) -> Table:
    """The period's totals on one line."""
    return Table(N_("Visit report"), _count_columns(), [_counts(total)])


def keyed_table(key: str, counts: dict[str, Counts]) -> Table:
    """Headcount per room, category or site, sorted by its code."""
    columns = [Column(key, KEY_HEADINGS[key]), *_count_columns()]
    rows = [[k, *_counts(c)] for k, c in sorted(counts.items())]
    return Table(KEY_TITLES[key], columns, rows)


def daily_table(report: DailyReport) -> Table:
    """Room x visitor type x category, then a total per room and one for the day."""
    day = report.day
    columns = [
        Column("date", N_("Date"), "day"),
        Column("room", N_("Room")),
        Column("room_name", N_("Room name")),
        Column("visitor_type", N_("Visitor type")),
        Column("category", N_("Category")),
        Column("visitors", N_("Visitors"), "count"),
        Column("records", N_("Records"), "count"),
    ]
    rows: list[list[Any]] = []
    grand = [0, 0]
    for room in sorted({r.room for r in report.rows}):
        name: Any = Local(*report.room_names[room]) if room in report.room_names else ""
        mine = [r for r in report.rows if r.room == room]
        for r in mine:
            kind = Word(VISITOR_WORDS[r.visitor_type])
            rows.append([day, room, name, kind, r.category, r.headcount, r.records])
        heads, recs = sum(r.headcount for r in mine), sum(r.records for r in mine)
        rows.append([day, room, name, TOTAL, "", heads, recs])
        grand[0] += heads
        grand[1] += recs
    totals = [day, Word(N_("ALL")), "", TOTAL, "", grand[0], grand[1]]
    return Table(N_("Daily visits"), columns, rows, totals, detail=day.isoformat())


# --- satisfaction (IKM) ---------------------------------------------------------------------


def ikm_summary_table(rep: IkmReport) -> Table:
    res = rep.result
    cat = res.category
    rows: list[list[Any]] = [
        [Word(N_("Standard")), res.standard.title],
        [Word(N_("From")), rep.start],
        [Word(N_("To")), rep.end],
        ["IKM", None if res.ikm is None else float(res.ikm)],
        [Word(N_("Service quality")), cat.letter if cat else "-"],
        [Word(N_("Performance")), Local(cat.label, cat.label_en) if cat else "-"],
        [Word(N_("Respondents")), res.respondents],
        [Word(N_("Population")), res.population],
        [Word(N_("Minimum sample")), res.minimum_sample],
    ]
    return Table("IKM", [Column("field", ""), Column("value", "")], rows)


def ikm_element_table(rep: IkmReport) -> Table:
    """Each element: answers, NRR, score (NRR x 25), enough answers?, and the answers 1-4."""
    columns = [
        Column("code", N_("Element")),
        Column("name", N_("Name")),
        Column("answers", N_("Answers"), "count"),
        Column("nrr", "NRR", "decimal", 3),
        Column("score", "NRR x 25", "decimal", 2),
        Column("sufficient", N_("Enough?")),
    ] + [Column(f"n{v}", str(v), "count") for v in (1, 2, 3, 4)]
    enough = {None: "-", True: Word(N_("yes")), False: Word(N_("no"))}
    rows = [
        [e.code, Local(e.name, e.name_en), e.answers, e.nrr, e.score, enough[e.sufficient]]
        + list(e.distribution)
        for e in rep.result.elements
    ]
    return Table(N_("Elements"), columns, rows)


def ikm_profile_table(rep: IkmReport) -> Table:
    """Paper respondents per profile field and value, as stored."""
    rows = [[f, value, n] for f, values in rep.profile.items() for value, n in values.items()]
    columns = [Column("field", ""), Column("value", ""), Column("n", "n", "count")]
    return Table(N_("Profile"), columns, rows)


def ikm_channel_table(rep: IkmReport) -> Table:
    rows: list[list[Any]] = [
        [Word(CHANNEL_WORDS[k]) if k in CHANNEL_WORDS else k, n]
        for k, n in sorted(rep.channels.items())
    ]
    columns = [Column("channel", N_("Channel")), Column("n", "n", "count")]
    return Table(N_("Channel"), columns, rows or [["-", 0]])


def ikm_profile_field_table(rep: IkmReport, name: str) -> Table | None:
    """One profile field's values, the most frequent first and "not given" last."""
    values = rep.profile.get(name, {})
    if not values or set(values) == {"-"}:
        return None
    rows: list[list[Any]] = [
        [Word(GENDER_WORDS[k]) if k in GENDER_WORDS and (k == "-" or name == "gender") else k, n]
        for k, n in sorted(values.items(), key=lambda kv: (kv[0] == "-", -kv[1]))
    ]
    columns = [Column(name, PROFILE_HEADINGS[name]), Column("n", "n", "count")]
    return Table(PROFILE_HEADINGS[name], columns, rows)
