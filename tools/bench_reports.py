"""Time the reports on ten years of visits (SQLite or PostgreSQL); prints one JSON object.

    .venv/bin/python tools/make_history.py --db sqlite:////tmp/history.sqlite3   # once, ~4 min
    .venv/bin/python tools/bench_reports.py --db sqlite:////tmp/history.sqlite3
    .venv/bin/python tools/make_history.py --sites 17 --db postgresql+psycopg://.../history
    .venv/bin/python tools/bench_reports.py --db postgresql+psycopg://.../history --site CAB-01

Goals: daily export < 0.2 s; visit report, year report and IPLM export < 1 s; every query of
the central dashboard < 0.3 s (issue 12). Timed in the same run, as ratios (> 1: today's way
is faster):
- before/after: the counting of before migration 0008 (joins to members and guests, kept in
  tools/reports_before.py) on the index it had (ix_visits_report), against today's counting
  on ix_visits_counting;
- no_index/after: today's counting without a covering index;
- index order: the day-first index against a site-first one, for one site's year and for
  every site's year;
- SQL: the local hour in SQL against grouping in Python; distinct people with count(DISTINCT)
  against DISTINCT in a subquery (PostgreSQL sorts for the first, hashes for the second).
The indexes are dropped and re-created here: use a scratch database. Each figure is the median
wall-clock time of --repeat runs after one warm-up run, with this process's CPU seconds beside
it (SQLite works inside this process; PostgreSQL in its server) and the load average, since
the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_before import baseline  # noqa: E402

from kiosk.adapters.db.engine import make_engine, make_sessionmaker  # noqa: E402
from kiosk.adapters.db.models import Visit  # noqa: E402
from kiosk.adapters.render import exports  # noqa: E402
from kiosk.domain import ikm  # noqa: E402
from kiosk.domain.clock import WIB  # noqa: E402
from kiosk.services import reports  # noqa: E402

COUNTING = (
    "CREATE INDEX IF NOT EXISTS ix_visits_counting ON visits (local_day, site, room, "
    "visitor_type, category, gender, headcount, boys, girls, at_utc, member_id, origin_code, "
    "purpose)"
)
OLD_REPORT = (
    "CREATE INDEX IF NOT EXISTS ix_visits_report ON visits "
    "(local_day, visitor_type, headcount, at_utc, site, room, category)"
)
SITE_FIRST = (
    "CREATE INDEX IF NOT EXISTS ix_visits_site_first ON visits (site, local_day, room, "
    "visitor_type, category, gender, headcount, boys, girls, at_utc, member_id, origin_code, "
    "purpose)"
)
INDEXES = {"counting": COUNTING, "report": OLD_REPORT, "site_first": SITE_FIRST}


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"s": round(statistics.median(walls), 4), "cpu_s": round(statistics.median(cpus), 4)}


def per_hour_python(s: Any, flt: reports.VisitFilter) -> dict[int, reports.Counts]:
    """Baseline for `reports.per_hour`: a narrow row stream grouped by local hour in Python."""
    q = reports.apply_filter(flt, select(Visit.at_utc, Visit.visitor_type, Visit.headcount))
    hours: dict[int, reports.Counts] = {}
    for at, kind, heads in s.execute(q):
        hours.setdefault(at.astimezone(WIB).hour, reports.Counts()).add(kind, heads, 1)
    return hours


def people_subquery(s: Any, flt: reports.VisitFilter) -> int:
    """Distinct members of the filter as DISTINCT in a subquery (the alternative to the
    count(DISTINCT) that reports use)."""
    q = reports.apply_filter(flt, select(Visit.member_id).distinct())
    q = q.where(Visit.visitor_type == "member", Visit.member_id.is_not(None)).subquery()
    return int(s.scalar(select(func.count()).select_from(q)) or 0)


def people_count_distinct(s: Any, flt: reports.VisitFilter) -> int:
    q = reports.apply_filter(flt, select(func.count(Visit.member_id.distinct())))
    return int(s.scalar(q.where(Visit.visitor_type == "member")) or 0)


def yearly_pdf(s: Any, flt: reports.VisitFilter, path: Path) -> None:
    """Everything `kiosk report visits --by month --out FILE.pdf` does for a year."""
    from kiosk.adapters.render.pdf import visits_pdf

    visits_pdf(path, reports.visit_views(s, flt, "month"), "id", "Perpustakaan")


def year_tables(s: Any, year: int, path: Path) -> None:
    """Everything `kiosk report year --year Y --out FILE.xlsx|.pdf` does after reading the
    layout: the year's tables, written."""
    from kiosk.adapters.render.pdf import Letterhead, year_pdf
    from kiosk.adapters.render.report_tables import year_tables as tables

    rep = reports.year_report(s, year)
    if path.suffix == ".pdf":
        year_pdf(path, rep, "id", Letterhead("Perpustakaan"), date(year + 1, 1, 2))
    else:
        exports.write_xlsx(path, tables(rep), "id")


def iplm_export(s: Any, year: int, path: Path) -> None:
    """Everything `kiosk report iplm --year Y --out FILE.xlsx` does."""
    from kiosk.adapters.render.report_tables import iplm_table

    exports.write_xlsx(path, [iplm_table(reports.iplm_report(s, year, 250_000))], "id")


def daily_export(s: Any, day: date, path: Path) -> None:
    """Everything `kiosk export daily --out FILE` does."""
    exports.write_daily(reports.daily_report(s, day, "PUSAT"), path, None, "id")


class Bench:
    def __init__(self, url: str, repeat: int) -> None:
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        self.repeat = repeat
        self.pg = self.engine.dialect.name == "postgresql"

    def indexes(self, *wanted: str) -> float:
        """Only the `wanted` covering indexes on visits; seconds spent creating them."""
        spent = 0.0
        with self.engine.begin() as c:
            for name in INDEXES:
                if name not in wanted:
                    c.execute(text(f"DROP INDEX IF EXISTS ix_visits_{name}"))
            for name in wanted:
                t0 = time.perf_counter()
                c.execute(text(INDEXES[name]))
                spent += time.perf_counter() - t0
            if self.pg:  # as autovacuum would; kiosks never ANALYZE their SQLite file
                c.execute(text("ANALYZE visits"))
        return round(spent, 2)

    def run(self, jobs: dict[str, tuple[Callable[[Any], Any], int]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        with self.sessions() as s:
            for name, (fn, repeat) in jobs.items():
                out[name] = timed(lambda fn=fn: fn(s), repeat)
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a database filled by tools/make_history.py")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--site", default="CAB-TABA", help="a small site for the per-site figures")
    args = ap.parse_args()
    bench = Bench(args.db, args.repeat)
    with bench.sessions() as s:
        first, last = s.execute(select(func.min(Visit.local_day), func.max(Visit.local_day))).one()
        visits = s.scalar(select(func.count()).select_from(Visit))
        sites = s.scalar(select(func.count(Visit.site.distinct())))
    if first is None:
        print(json.dumps({"error": "no visits: run tools/make_history.py first"}))
        return 2
    out: dict[str, Any] = {"db": bench.engine.url.render_as_string(hide_password=True)}
    out |= {"dialect": bench.engine.dialect.name, "visits": visits, "sites": sites}
    out |= {"from": str(first), "to": str(last), "load_before": os.getloadavg()[0]}
    if bench.pg:  # index-only scans need the visibility map, as autovacuum keeps it
        with bench.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE visits"))
    year, r = last.year, args.repeat
    busy_day = date(year, 11, 25) if date(year, 11, 25) <= last else last
    y = reports.VisitFilter(date(year, 1, 1), date(year, 12, 31))
    m = reports.VisitFilter(date(year, 11, 1), date(year, 11, 30))
    every = reports.VisitFilter(first, last)
    one_site = reports.VisitFilter(y.start, y.end, site=args.site)
    central = reports.VisitFilter(y.start, y.end, site="PUSAT")
    today = reports.VisitFilter(last, last)
    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))

    counting: dict[str, tuple[Callable[[Any], Any], int]] = {
        "yearly_by_month": (lambda s: reports.visit_report(s, y, "month"), r),
        "yearly_by_gender": (lambda s: reports.visit_report(s, y, "gender"), r),
        "year_report": (lambda s: reports.year_report(s, year), r),
        "iplm": (lambda s: reports.iplm_report(s, year, 250_000), r),
        "ten_years_by_year": (lambda s: reports.visit_report(s, every, "year"), 2),
    }
    files: dict[str, tuple[Callable[[Any], Any], int]] = {
        "daily_export_xlsx": (lambda s: daily_export(s, busy_day, tmp / "d.xlsx"), r),
        "daily_export_csv": (lambda s: daily_export(s, busy_day, tmp / "d.csv"), r),
        "monthly_by_day": (lambda s: reports.visit_report(s, m, "day"), r),
        "yearly_room_filter": (
            lambda s: reports.visit_report(
                s, reports.VisitFilter(y.start, y.end, room="BACA"), "month"
            ),
            r,
        ),  # fmt: skip
        "yearly_by_hour_sql": (lambda s: reports.per_hour(s, y), r),
        "yearly_by_hour_python": (lambda s: per_hour_python(s, y), 1),
        "yearly_pdf_full": (lambda s: yearly_pdf(s, y, tmp / "y.pdf"), 1),
        "year_report_xlsx": (lambda s: year_tables(s, year, tmp / "y.xlsx"), 3),
        "year_report_pdf": (lambda s: year_tables(s, year, tmp / "y2.pdf"), 3),
        "iplm_xlsx": (lambda s: iplm_export(s, year, tmp / "i.xlsx"), 3),
        "ikm_yearly": (
            lambda s: reports.ikm_report(s, y.start, y.end, ikm.PERMENPANRB_14_2017),
            r,
        ),
        "people_year_count_distinct": (lambda s: people_count_distinct(s, y), r),
        "people_year_subquery": (lambda s: people_subquery(s, y), r),
        "people_ten_years_count_distinct": (lambda s: people_count_distinct(s, every), 2),
        "people_ten_years_subquery": (lambda s: people_subquery(s, every), 2),
    }
    # What the dashboard's Today and Trends pages ask (issue 12), through the same functions.
    dashboard: dict[str, tuple[Callable[[Any], Any], int]] = {
        "today_per_site_and_room": (lambda s: reports.visit_report(s, today, "room"), r),
        "today_per_site": (lambda s: reports.visit_report(s, today, "site"), r),
        "year_per_month_every_site": (lambda s: reports.visit_report(s, y, "month"), r),
        "year_per_month_central": (lambda s: reports.visit_report(s, central, "month"), r),
        "year_per_month_one_branch": (lambda s: reports.visit_report(s, one_site, "month"), r),
        "year_per_site": (lambda s: reports.visit_report(s, y, "site"), r),
        "ten_years_per_year": (lambda s: reports.visit_report(s, every, "year"), 2),
        "year_per_category": (lambda s: reports.visit_report(s, y, "category"), r),
        "year_per_gender": (lambda s: reports.visit_report(s, y, "gender"), r),
    }
    order: dict[str, tuple[Callable[[Any], Any], int]] = {
        "year_per_month_one_branch": dashboard["year_per_month_one_branch"],
        "year_per_month_every_site": dashboard["year_per_month_every_site"],
    }

    out["create_index_s"] = bench.indexes("counting")
    after = bench.run(counting | files | dashboard)
    bench.indexes("report")
    with baseline():
        before = bench.run(counting)
    bench.indexes()
    no_index = bench.run(counting)
    bench.indexes("site_first")
    site_first = bench.run(order)
    out["create_index_s"] = bench.indexes("counting")  # as migration 0008 leaves it
    out["load_after"] = os.getloadavg()[0]
    bench.engine.dispose()

    def ratio(a: dict[str, Any], b: dict[str, Any], key: str) -> float:
        return round(a[key]["s"] / b[key]["s"], 2)

    out["after"] = after
    out["before"] = before
    out["no_index"] = no_index
    out["site_first_index"] = site_first
    out["ratios"] = {
        **{f"{k}_before_over_after": ratio(before, after, k) for k in counting},
        **{f"{k}_no_index_over_after": ratio(no_index, after, k) for k in counting},
        **{f"{k}_site_first_over_day_first": ratio(site_first, after, k) for k in order},
        "hour_python_over_sql": ratio(
            {"x": after["yearly_by_hour_python"]}, {"x": after["yearly_by_hour_sql"]}, "x"
        ),
        "people_year_count_distinct_over_subquery": ratio(
            {"x": after["people_year_count_distinct"]}, {"x": after["people_year_subquery"]}, "x"
        ),
        "people_ten_years_count_distinct_over_subquery": ratio(
            {"x": after["people_ten_years_count_distinct"]},
            {"x": after["people_ten_years_subquery"]},
            "x",
        ),
    }
    worst_dashboard = max(v["s"] for k, v in after.items() if k in dashboard)
    out["goals"] = {
        "daily_export_under_0.2s": after["daily_export_xlsx"]["s"] < 0.2,
        "visit_report_under_1s": after["yearly_by_month"]["s"] < 1.0,
        "year_report_under_1s": max(after["year_report_xlsx"]["s"], after["year_report_pdf"]["s"])
        < 1.0,
        "iplm_export_under_1s": after["iplm_xlsx"]["s"] < 1.0,
        "dashboard_under_0.3s": worst_dashboard < 0.3,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
