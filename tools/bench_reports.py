"""Time the reports on ten years of visits (SQLite); prints one JSON object.

    .venv/bin/python tools/make_history.py --db sqlite:////tmp/history.sqlite3   # once, ~2 min
    .venv/bin/python tools/bench_reports.py --db sqlite:////tmp/history.sqlite3

Goals: daily export < 0.2 s; yearly report, year tables and IPLM export < 1 s. Alternatives
timed in the same run, with
ratios (> 1 means the chosen way is faster):
- local hour grouped in SQL vs in Python over a narrow row stream;
- per-day SQL grouping folded in Python vs grouping every row in Python;
- with vs without the covering index ix_visits_report (dropped and re-created here, so use a
  scratch database).
Each figure is the median of --repeat runs after one warm-up run (the OS file cache is warm,
as on a kiosk that has been running).
"""

from __future__ import annotations

import argparse
import json
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

from kiosk.adapters.db.engine import make_engine, make_sessionmaker  # noqa: E402
from kiosk.adapters.db.models import Visit  # noqa: E402
from kiosk.adapters.render import exports  # noqa: E402
from kiosk.domain import ikm  # noqa: E402
from kiosk.domain.clock import WIB  # noqa: E402
from kiosk.services import reports  # noqa: E402

INDEX = "ix_visits_report"
INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON visits "
    "(local_day, visitor_type, headcount, at_utc, site, room, category)"
)


def timed(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return round(statistics.median(runs), 4)


def python_months(s: Any, flt: reports.VisitFilter) -> dict:
    """Baseline: fetch every visit of the period and group in Python."""
    out: dict = {}
    q = reports.apply_filter(flt, select(Visit.local_day, Visit.visitor_type, Visit.headcount))
    for day, kind, heads in s.execute(q):
        out.setdefault((day.year, day.month), reports.Counts()).add(kind, heads, 1)
    return out


def per_hour_python(s: Any, flt: reports.VisitFilter) -> dict[int, reports.Counts]:
    """Baseline for `reports.per_hour`: a narrow row stream grouped by local hour in Python."""
    q = reports.apply_filter(flt, select(Visit.at_utc, Visit.visitor_type, Visit.headcount))
    hours: dict[int, reports.Counts] = {}
    for at, kind, heads in s.execute(q):
        hours.setdefault(at.astimezone(WIB).hour, reports.Counts()).add(kind, heads, 1)
    return hours


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a database filled by tools/make_history.py")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    engine = make_engine(args.db)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        first, last = s.execute(select(func.min(Visit.local_day), func.max(Visit.local_day))).one()
        visits = s.scalar(select(func.count()).select_from(Visit))
    if first is None:
        print(json.dumps({"error": "no visits: run tools/make_history.py first"}))
        return 2
    year = last.year
    busy_day = date(year, 11, 25) if date(year, 11, 25) <= last else last
    y = reports.VisitFilter(date(year, 1, 1), date(year, 12, 31))
    m = reports.VisitFilter(date(year, 11, 1), date(year, 11, 30))
    every = reports.VisitFilter(first, last)
    out: dict[str, Any] = {"db": args.db, "visits": visits, "from": str(first), "to": str(last)}
    out["dialect"] = engine.dialect.name
    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))

    with engine.begin() as c:
        c.execute(text(INDEX_SQL))

    def run_all(tag: str) -> dict[str, float]:
        r: dict[str, float] = {}
        with sessions() as s:
            r["daily_export_xlsx"] = timed(
                lambda: daily_export(s, busy_day, tmp / "d.xlsx"), args.repeat
            )
            r["daily_export_csv"] = timed(
                lambda: daily_export(s, busy_day, tmp / "d.csv"), args.repeat
            )
            r["monthly_by_day"] = timed(lambda: reports.visit_report(s, m, "day"), args.repeat)
            r["yearly_by_month"] = timed(lambda: reports.visit_report(s, y, "month"), args.repeat)
            r["yearly_by_month_python_rows"] = timed(lambda: python_months(s, y), args.repeat)
            r["yearly_by_hour_sql"] = timed(lambda: reports.per_hour(s, y), args.repeat)
            r["yearly_by_hour_python"] = timed(lambda: per_hour_python(s, y), 1)
            r["yearly_room_filter"] = timed(
                lambda: reports.visit_report(
                    s, reports.VisitFilter(y.start, y.end, room="BACA"), "month"
                ),
                args.repeat,
            )
            r["yearly_pdf_full"] = timed(lambda: yearly_pdf(s, y, tmp / "y.pdf"), 1)
            r["year_report_xlsx"] = timed(lambda: year_tables(s, year, tmp / "y.xlsx"), 3)
            r["year_report_pdf"] = timed(lambda: year_tables(s, year, tmp / "y2.pdf"), 3)
            r["iplm_xlsx"] = timed(lambda: iplm_export(s, year, tmp / "i.xlsx"), 3)
            r["ten_years_by_year"] = timed(lambda: reports.visit_report(s, every, "year"), 2)
            for std in (ikm.PERMENPANRB_14_2017,):
                r["ikm_yearly"] = timed(
                    lambda std=std: reports.ikm_report(s, y.start, y.end, std), args.repeat
                )
        return {f"{k}_s": v for k, v in r.items()}

    with_index = run_all("index")
    with engine.begin() as c:
        c.execute(text(f"DROP INDEX IF EXISTS {INDEX}"))
    without_index = run_all("no_index")
    with engine.begin() as c:
        t0 = time.perf_counter()
        c.execute(text(INDEX_SQL))
        out["create_index_s"] = round(time.perf_counter() - t0, 2)
    engine.dispose()

    w, wo = with_index, without_index
    out["with_index"] = w
    out["without_index"] = wo
    out["ratios"] = {
        "hour_python_over_sql": round(w["yearly_by_hour_python_s"] / w["yearly_by_hour_sql_s"], 2),
        "month_python_rows_over_sql_days": round(
            w["yearly_by_month_python_rows_s"] / w["yearly_by_month_s"], 2
        ),
        "yearly_no_index_over_index": round(wo["yearly_by_month_s"] / w["yearly_by_month_s"], 2),
        "ten_years_no_index_over_index": round(
            wo["ten_years_by_year_s"] / w["ten_years_by_year_s"], 2
        ),
        "hour_no_index_over_index": round(
            wo["yearly_by_hour_sql_s"] / w["yearly_by_hour_sql_s"], 2
        ),
    }
    out["goals"] = {
        "daily_export_under_0.2s": w["daily_export_xlsx_s"] < 0.2,
        "yearly_report_under_1s": w["yearly_by_month_s"] < 1.0,
        "year_report_under_1s": max(w["year_report_xlsx_s"], w["year_report_pdf_s"]) < 1.0,
        "iplm_export_under_1s": w["iplm_xlsx_s"] < 1.0,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
