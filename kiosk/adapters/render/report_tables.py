"""The reports as tables, built once and shown by every writer (CSV, XLSX, PDF, text)."""

from __future__ import annotations

from typing import Any

from kiosk.adapters.render.table import N_, Column, Fixed, Local, Table, Word
from kiosk.domain import ikm
from kiosk.domain.categories import all_categories
from kiosk.domain.counts import (
    Counts,
    DailyReport,
    IkmReport,
    VisitLine,
    VisitReport,
    YearReport,
)
from kiosk.domain.groups import LEVELS as GROUP_LEVELS
from kiosk.domain.guests import PURPOSES as GUEST_PURPOSES
from kiosk.domain.iplm import FIGURES, IplmReport
from kiosk.i18n import MONTHS

VISITOR_WORDS = {"member": N_("Member"), "guest": N_("Guest"), "group": N_("Group")}
PERIOD_HEADINGS = {
    "day": N_("Date"),
    "hour": N_("Hour"),
    "weekday": N_("Weekday"),
    "month": N_("Month"),
    "year": N_("Year"),
}
KEY_HEADINGS = {
    "room": N_("Room"),
    "category": N_("Category"),
    "site": N_("Site"),
    "gender": N_("Gender"),
    "purpose": N_("Purpose"),
    "origin": N_("Origin"),
}
KEY_TITLES = {
    "room": N_("By room"),
    "category": N_("By category"),
    "site": N_("By site"),
    "gender": N_("By gender"),
    "purpose": N_("By purpose"),
    "origin": N_("By origin"),
}
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
CATEGORY_WORDS = {c.code: c.words for c in all_categories()}


PEOPLE = (
    Column("visitors", N_("Visitors (people)"), "count"),
    Column("male", N_("Male"), "count"),
    Column("female", N_("Female"), "count"),
    Column("gender_unknown", N_("Gender not known"), "count"),
)
# The command line's columns: room visits by visitor type, as before people were counted.
TEXT_COLUMNS = ("member", "guest", "group", "total")


def _count_columns() -> list[Column]:
    by_type = [Column(k, VISITOR_WORDS[k], "count") for k in VISITOR_WORDS]
    return [*by_type, Column("total", TOTAL, "count"), *PEOPLE]


def _counts(c: Counts) -> list[int]:
    return [c.member, c.guest, c.group, c.total, c.visitors, c.male, c.female, c.gender_unknown]


def _key_columns(by: str) -> list[Column]:
    if by == "room":  # a room code repeats across sites: the site is part of the key
        return [Column("site", KEY_HEADINGS["site"]), Column("room", KEY_HEADINGS["room"])]
    if by in PERIOD_HEADINGS:
        return [Column("key", PERIOD_HEADINGS[by], by)]
    return [Column("key", KEY_HEADINGS[by])]


def _key_cells(by: str, key: Any) -> tuple[Any, ...]:
    if by == "room":
        return tuple(key)
    if by == "gender":
        return (Word(GENDER_WORDS[key]),)
    return (key,)


def _keyed_rows(by: str, rows: list[tuple[Any, Counts]]) -> list[list[Any]]:
    return [[*_key_cells(by, key), *_counts(c)] for key, c in rows]


def visit_table(report: VisitReport) -> Table:
    """Counts per period of the range (or per key), with the total."""
    keys = _key_columns(report.by)
    title = PERIOD_HEADINGS.get(report.by) or KEY_TITLES[report.by]
    totals = [TOTAL, *[""] * (len(keys) - 1), *_counts(report.total)]
    return Table(title, keys + _count_columns(), _keyed_rows(report.by, report.rows), totals)


def visit_text_table(report: VisitReport) -> Table:
    """The command line's table: the keys and room visits by visitor type."""
    table = visit_table(report)
    return table.select(*[c.name for c in _key_columns(report.by)], *TEXT_COLUMNS)


def summary_table(total: Counts) -> Table:
    """The period's totals on one line."""
    return Table(N_("Visit report"), _count_columns(), [_counts(total)])


def keyed_table(key: str, counts: dict[Any, Counts]) -> Table:
    """Counts per room (with its site), category, site, purpose or origin, sorted by key."""
    rows = _keyed_rows(key, sorted(counts.items()))
    return Table(KEY_TITLES[key], _key_columns(key) + _count_columns(), rows)


def daily_table(report: DailyReport) -> Table:
    """(Site x) room x visitor type x category, then a total per room and one for the day.

    The site column is there when the report covers every site. Room visits count each room
    a person entered; visitors count people, once per row, room and day.
    """
    day = report.day
    every_site = report.site is None
    columns = [
        Column("date", N_("Date"), "day"),
        *([Column("site", N_("Site"))] if every_site else []),
        Column("room", N_("Room")),
        Column("room_name", N_("Room name")),
        Column("visitor_type", N_("Visitor type")),
        Column("category", N_("Category")),
        Column("room_visits", N_("Room visits"), "count"),
        Column("records", N_("Records"), "count"),
        *PEOPLE,
    ]

    def line(where: str, room: Any, name: Any, kind: Any, category: str, c: Counts) -> list:
        head = [day, where] if every_site else [day]
        people = [c.visitors, c.male, c.female, c.gender_unknown]
        return [*head, room, name, kind, category, c.total, c.records, *people]

    rows: list[list[Any]] = []
    for where, room in sorted({(r.site, r.room) for r in report.rows}):
        names = report.room_names.get((where, room))
        name: Any = Local(*names) if names else ""
        for r in report.rows:
            if (r.site, r.room) == (where, room):
                c = Counts()
                c.add(r.visitor_type, r.headcount, r.records, r.visitors, r.male, r.female)
                rows.append(
                    line(where, room, name, Word(VISITOR_WORDS[r.visitor_type]), r.category, c)
                )
        rows.append(line(where, room, name, TOTAL, "", report.rooms.get((where, room), Counts())))
    totals = line("", Word(N_("ALL")), "", TOTAL, "", report.counts)
    return Table(N_("Daily visits"), columns, rows, totals, detail=day.isoformat())


# --- satisfaction (IKM) ---------------------------------------------------------------------


def ikm_summary_table(rep: IkmReport) -> Table:
    """The index truncated to two decimals as the regulation prints it; the unrounded value
    in a hidden row under it (and in the JSON)."""
    res = rep.result
    cat = res.category
    shown = None if res.ikm is None else Fixed(ikm.format_ikm(res.ikm))
    rows: list[list[Any]] = [
        [Word(N_("Standard")), res.standard.title],
        [Word(N_("From")), rep.start],
        [Word(N_("To")), rep.end],
        ["IKM", shown],
        [Word(N_("IKM (unrounded)")), None if res.ikm is None else float(res.ikm)],
        [Word(N_("Service quality")), cat.letter if cat else "-"],
        [Word(N_("Performance")), Local(cat.label, cat.label_en) if cat else "-"],
        [Word(N_("Respondents")), res.respondents],
        [Word(N_("Population")), res.population],
        [Word(N_("Minimum sample")), res.minimum_sample],
    ]
    columns = [Column("field", ""), Column("value", "")]
    return Table("IKM", columns, rows, hidden=frozenset({4}))


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


def _profile_order(name: str, values: dict[str, int]) -> list[tuple[str, int]]:
    """Age bands young to old; other answers most frequent first; "not given" last."""
    if name == "age_band":
        bands = [ikm.band_label(lo, hi) for lo, hi in ikm.AGE_BANDS]
        rank = {b: i for i, b in enumerate(bands)}
        return sorted(values.items(), key=lambda kv: (kv[0] == "-", rank.get(kv[0], 99), kv[0]))
    return sorted(values.items(), key=lambda kv: (kv[0] == "-", -kv[1], kv[0]))


def ikm_profile_table(rep: IkmReport) -> Table:
    """Respondents per channel, then the paper forms' profile answers, in words.

    The question is written on its first row only, so that the table reads as groups.
    """
    rows: list[list[Any]] = []
    for k, n in sorted(rep.channels.items()):
        first = not rows
        rows.append([Word(N_("Channel")) if first else "", Word(CHANNEL_WORDS.get(k, k)), n])
    for name, heading in PROFILE_HEADINGS.items():
        values = rep.profile.get(name, {})
        if not values or set(values) == {"-"}:
            continue
        for i, (value, n) in enumerate(_profile_order(name, values)):
            word = GENDER_WORDS.get(value) if name == "gender" or value == "-" else None
            rows.append([Word(heading) if i == 0 else "", Word(word) if word else value, n])
    columns = [
        Column("question", N_("Question")),
        Column("answer", N_("Answer")),
        Column("n", "n", "count"),
    ]
    return Table(N_("Profile"), columns, rows)


# --- the library's year ---------------------------------------------------------------------

PURPOSE_WORDS = GUEST_PURPOSES
LEVEL_WORDS = GROUP_LEVELS


def _month_columns() -> list[Column]:
    return [Column(f"m{m:02d}", MONTHS[m - 1], "count") for m in range(1, 13)]


def _month_rows(
    rows: list[tuple[list[Any], list[int]]], width: int = 1
) -> tuple[list[list[Any]], list[Any]]:
    """Rows of 12 months and their year total, and the totals row under them; `width` heading
    cells per row (the totals row has them too when there are no rows: a year without
    visits at a new site)."""
    body = [[*head, *months, sum(months)] for head, months in rows]
    sums = [sum(r[width + m] for r in body) for m in range(13)]
    return body, [TOTAL, *[""] * (width - 1), *sums]


def year_tables(rep: YearReport) -> list[Table]:
    """Category x month (SLiMS' visitor table), room x month per site, gender x month, guests
    by origin and by purpose, groups by level, busiest hours and the year in figures."""
    months = [*_month_columns(), Column("total", TOTAL, "count")]
    out: list[Table] = []

    rows, totals = _month_rows(
        [
            ([Word(CATEGORY_WORDS[k]) if k in CATEGORY_WORDS else k], v)
            for k, v in rep.categories.items()
        ]
    )
    out.append(
        Table(
            N_("Visits by category and month"),
            [Column("category", N_("Category")), *months],
            rows,
            totals,
        )
    )

    room_rows = []
    for (site, room), v in rep.rooms.items():
        names = rep.room_names.get((site, room))
        room_rows.append(([site, Local(*names) if names else room], v))
    rows, totals = _month_rows(room_rows, width=2)
    columns = [Column("site", N_("Site")), Column("room", N_("Room")), *months]
    out.append(Table(N_("Visits by room and month"), columns, rows, totals))

    rows, totals = _month_rows([([Word(GENDER_WORDS[k])], v) for k, v in rep.genders.items()])
    out.append(
        Table(
            N_("Visits by gender and month"),
            [Column("gender", N_("Gender")), *months],
            rows,
            totals,
        )
    )

    ordered = sorted(rep.origins.items(), key=lambda kv: (-kv[1][1], kv[1][0]))
    rows = [[name, n] for _code, (name, n) in ordered]
    columns = [Column("origin", N_("Origin")), Column("guests", N_("Guest"), "count")]
    out.append(Table(N_("Guests by origin"), columns, rows, [TOTAL, sum(r[1] for r in rows)]))

    rows = [
        [Word(PURPOSE_WORDS[k]) if k in PURPOSE_WORDS else k, n] for k, n in rep.purposes.items()
    ]
    columns = [Column("purpose", N_("Purpose")), Column("guests", N_("Guest"), "count")]
    out.append(Table(N_("Guests by purpose"), columns, rows, [TOTAL, sum(r[1] for r in rows)]))

    rows = [[Word(LEVEL_WORDS[k]) if k in LEVEL_WORDS else k, *v] for k, v in rep.groups.items()]
    columns = [
        Column("level", N_("Level")),
        Column("groups", N_("Group visits"), "count"),
        Column("headcount", N_("Headcount"), "count"),
        Column("boys", N_("Boys"), "count"),
        Column("girls", N_("Girls"), "count"),
    ]
    sums = [sum(r[i] for r in rows) for i in range(1, 5)]
    out.append(Table(N_("Groups by level"), columns, rows, [TOTAL, *sums]))

    busiest = sorted(rep.hours.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [[h, n] for h, n in sorted(busiest[:5])]
    columns = [Column("hour", N_("Hour"), "hour"), Column("visits", N_("Room visits"), "count")]
    out.append(Table(N_("Busiest hours (WIB)"), columns, rows))

    rows = [
        [Word(N_("Room visits")), rep.total],
        [Word(N_("Visitors (people)")), rep.visitors],
        [Word(N_("Opening days")), rep.opening_days],
        [Word(N_("Room visits per opening day")), Fixed(rep.per_opening_day)],
    ]
    out.append(
        Table(N_("The year in figures"), [Column("field", ""), Column("value", "", "count")], rows)
    )
    return out


def list_table(lines: list[VisitLine]) -> Table:
    """One row per visit (kiosk report list): no names, member numbers only."""
    columns = [
        Column("date", N_("Date"), "day"),
        Column("time", N_("Time (WIB)")),
        Column("site", N_("Site")),
        Column("room", N_("Room")),
        Column("visitor_type", N_("Visitor type")),
        Column("who", N_("Member number / institution")),
        Column("category", N_("Category")),
        Column("gender", N_("Gender")),
        Column("headcount", N_("Headcount"), "count"),
        Column("boys", N_("Boys"), "count"),
        Column("girls", N_("Girls"), "count"),
        Column("origin", N_("Origin")),
        Column("purpose", N_("Purpose")),
    ]
    rows = [
        [
            v.day,
            v.time,
            v.site,
            v.room,
            Word(VISITOR_WORDS.get(v.visitor_type, v.visitor_type)),
            v.who,
            Word(CATEGORY_WORDS[v.category]) if v.category in CATEGORY_WORDS else v.category,
            Word(GENDER_WORDS[v.gender]),
            v.headcount,
            v.boys,
            v.girls,
            v.origin,
            Word(PURPOSE_WORDS[v.purpose]) if v.purpose in PURPOSE_WORDS else v.purpose,
        ]
        for v in lines
    ]
    total = [TOTAL, *[""] * 7, sum(v.headcount for v in lines), "", "", "", ""]
    return Table(N_("Visits one by one"), columns, rows, total)


def iplm_table(rep: IplmReport) -> Table:
    """Each census figure, its value and how it was counted; then physical visits per site."""
    rows: list[list[Any]] = []
    for code, value in rep.figures.items():
        name, definition = FIGURES[code]
        shown = Fixed(value) if isinstance(value, float) else value
        rows.append([Word(name), "-" if value is None else shown, Word(definition)])
    for site, n in rep.per_site.items():
        rows.append([Word(N_("Physical visits at a site")), n, site])
    columns = [
        Column("figure", N_("Figure")),
        Column("value", N_("Value"), "count"),
        Column("definition", N_("How it is counted")),
    ]
    return Table(N_("Library census (IPLM) figures"), columns, rows, detail=str(rep.year))


def ikm_suggestions_table(rep: IkmReport) -> Table:
    """The paper forms' suggestions ("Saran"), by day; nothing says who wrote them."""
    columns = [Column("date", N_("Date"), "day"), Column("suggestion", N_("Suggestion"))]
    return Table(N_("Suggestions"), columns, [[d, t] for d, t in rep.suggestions])
