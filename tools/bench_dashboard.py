#!/usr/bin/env python3
"""How fast the dashboard's pages answer on a database with years of history.

    .venv/bin/python tools/make_history.py --db URL --years 10 --last-year 2026
    .venv/bin/python tools/bench_dashboard.py --db URL [--today 800] [--rounds 15]

Adds `--today` visits for today at the central library (guest check-ins through the kiosk's
own code, so there is a busy day to count), an admin and a staff account, then asks every
page through the real app (Starlette's TestClient: no network) `--rounds` times. Beside each
page it times the counting alone (the same kiosk.services.reports calls, no HTML), so
`page_over_counting` says what the page adds to the queries it cannot avoid, and
`occupancy_over_counting` what Today's live occupancy query costs beside the counting, and
`trends_visits_over_counts` how much longer the yearly Trends take counted from the visits (as
`kiosk report visits`) than from the counts the database keeps (migration 0011). Logins
are left out of the timings (a login is an scrypt hash on purpose).
Prints one JSON line: milliseconds per page (median and p95), the ratios, the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-kata-sandi-2026"


def timed(work: Callable[[], object], rounds: int) -> dict[str, float]:
    work()  # the first call warms caches (templates, SQL compilation)
    ms = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        ms.append((time.perf_counter() - started) * 1000)
    ms.sort()
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(0, round(0.95 * len(ms)) - 1)], 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="a database made by tools/make_history.py")
    p.add_argument("--today", type=int, default=800, help="visits to add for today (800)")
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args(argv)

    from sqlalchemy import func, select
    from starlette.testclient import TestClient

    from kiosk.adapters.db.engine import init_db, make_engine, make_sessionmaker
    from kiosk.adapters.db.models import Visit
    from kiosk.config import load_settings
    from kiosk.domain.cards import Keyring
    from kiosk.domain.clock import local_day, utcnow
    from kiosk.domain.counts import VisitFilter
    from kiosk.layout import load_layout
    from kiosk.server.app import create_app
    from kiosk.services import day_counts, reports, web_accounts
    from kiosk.services.dashboard import room_occupancy
    from kiosk.services.dashboard_reports import last_year
    from kiosk.services.guests import GuestForm
    from kiosk.services.kiosk import KioskService
    from kiosk.services.sync_central import list_kiosks

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-web-"))
    settings = load_settings(
        overrides={"data_dir": folder, "db_url": args.db, "web_allow_http": True}, environ={}
    )
    engine = make_engine(args.db)
    init_db(engine)  # the history may be older than the dashboard's tables
    Keyring.generate(settings.key_file)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as s:
        for name, role, site in (("bench-admin", "admin", None), ("bench-staf", "staff", "PUSAT")):
            if not any(u["name"] == name for u in web_accounts.list_users(s)):
                web_accounts.add_user(s, name, role, site, PASSWORD, ("PUSAT", "CAB-TABA"))
    svc = KioskService.open(settings)
    rooms = ("BACA", "KOL", "REF", "ANAK", "PAV")
    form = GuestForm(category="pelajar", gender="P", origin="16.73", purpose="membaca")
    for i in range(args.today):
        svc.guest_check_in(form, rooms[i % len(rooms)])
    svc.close()
    with sessions() as s:
        visits = s.scalar(select(func.count()).select_from(Visit))

    app = create_app(settings)
    out: dict[str, object] = {"db": engine.url.get_backend_name(), "visits": visits}
    pages: dict[str, dict[str, float]] = {}
    with TestClient(app) as c:
        page = c.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"csrf": token, "name": "bench-admin", "password": PASSWORD})
        for path in (
            "/today",
            "/today/numbers",
            "/today?site=PUSAT",
            "/trends?by=day",
            "/trends?by=week",
            "/trends?by=month",
            "/trends?by=month&site=PUSAT",
            "/trends?by=year",
            "/satisfaction",
            "/members",
            "/members?q=a",
            "/groups",
            "/kiosks",
            "/downloads",
            "/users",
        ):

            def get(path: str = path) -> None:
                r = c.get(path)
                assert r.status_code == 200, (path, r.status_code)

            pages[path] = timed(get, args.rounds)
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/downloads").text).group(1)  # type: ignore[union-attr]

        def daily() -> None:
            r = c.post("/downloads/daily", data={"csrf": csrf, "site": "PUSAT", "format": "csv"})
            assert r.status_code == 200, (r.status_code, r.text[:300])

        pages["POST /downloads/daily (csv)"] = timed(daily, args.rounds)

    day = local_day(utcnow())

    def counting(site: str | None) -> Callable[[], object]:
        def run() -> None:
            flt = VisitFilter(day, day, site, categories=settings.categories)
            with sessions() as s:
                reports.keyed_counts(s, flt, "room")
                reports.keyed_counts(s, flt, "site")

        return run

    bare = {"/today": timed(counting(None), args.rounds)}
    bare["/today?site=PUSAT"] = timed(counting("PUSAT"), args.rounds)
    layout = load_layout(settings.layout_file)

    def occupancy() -> None:
        with sessions() as s:
            room_occupancy(s, layout, None, utcnow())

    # Today's live occupancy (one query over the rooms with a capacity) beside the counting
    occupancy_alone = timed(occupancy, args.rounds)

    # Trends per year (ten years and the ten before), counted as `kiosk report visits` counts
    # (from the visits) and as the page counts (from the counts the triggers keep).
    end = day
    start = date(end.year - 9, 1, 1)
    periods = [
        VisitFilter(a, b, None, categories=settings.categories)
        for a, b in ((start, end), (last_year(start), last_year(end)))
    ]

    def from_visits() -> None:
        with sessions() as s:
            for flt in periods:
                reports.visit_report(s, flt, "year")
                for key in ("site", "room", "category"):
                    reports.keyed_counts(s, flt, key)
                reports.per_gender(s, flt)

    def from_counts() -> None:
        with sessions() as s:
            for flt in periods:
                day_counts.per_period(s, flt, "year")
                day_counts.breakdown(s, flt)

    trends_counting = {
        "from_visits": timed(from_visits, max(1, args.rounds // 5)),
        "from_counts": timed(from_counts, args.rounds),
    }
    with sessions() as s:
        kiosks = len(list_kiosks(s))
    engine.dispose()
    out["pages"] = pages
    out["counting_alone"] = bare
    out["page_over_counting"] = {
        k: round(pages[k]["median_ms"] / max(v["median_ms"], 0.01), 2) for k, v in bare.items()
    }
    out["occupancy_alone"] = occupancy_alone
    out["occupancy_over_counting"] = round(
        occupancy_alone["median_ms"] / max(bare["/today"]["median_ms"], 0.01), 3
    )
    out["trends_year_counting"] = trends_counting
    out["trends_visits_over_counts"] = round(
        trends_counting["from_visits"]["median_ms"]
        / max(trends_counting["from_counts"]["median_ms"], 0.01),
        1,
    )
    out["kiosks"] = kiosks
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
