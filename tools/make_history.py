"""Fill a database with years of realistic library visits, for reports and their benchmarks.

    .venv/bin/python tools/make_history.py --db sqlite:////tmp/history.sqlite3 --years 10

What it imitates (Perpustakaan Umum Kota Lubuklinggau, 2011-2016 reports): visits growing year
on year, open Monday to Saturday (Saturday busier, shorter hours), closed on Sundays and public
holidays, school holidays (late June to mid July, late December) with more children and fewer
students, school groups on weekdays in term time only, guests from neighbouring regencies, a
branch library and a mobile van (or, with --sites 17, the city's network: the central library,
14 kelurahan branches and two vans), and a satisfaction survey each year (paper forms and kiosk
mini-surveys). Every visit carries its visitor's gender, as check-in writes it. Rows go in one
transaction per month: SQLAlchemy Core bulk inserts on SQLite, COPY on PostgreSQL
(`--db postgresql+psycopg://...`).

Prints one JSON line (rows written, seconds) on stdout; a progress bar goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.adapters.db.engine import init_db, make_engine  # noqa: E402
from kiosk.adapters.db.models import (  # noqa: E402
    Group,
    Guest,
    Member,
    SurveyAnswer,
    SurveyRespondent,
    UTCDateTime,
    Visit,
)
from kiosk.cli.progress import Progress  # noqa: E402
from kiosk.domain import ikm  # noqa: E402
from kiosk.domain.clock import WIB, local_day  # noqa: E402

ROOMS = {"BACA": 0.30, "KOL": 0.25, "ANAK": 0.18, "REF": 0.10, "PAV": 0.17}
SITES = {"PUSAT": 0.88, "CAB-TABA": 0.08, "PUSLING-1": 0.04}


def network(n: int) -> dict[str, float]:
    """The central library's share of visits, and the rest over n - 1 branches and vans (the
    last two sites are vans once there are more than three)."""
    if n <= 3:
        return dict(list(SITES.items())[:n])
    branches = [f"CAB-{i:02d}" for i in range(1, n - 2)]
    sites = {"PUSAT": 0.6} | {b: 0.35 / len(branches) for b in branches}
    return sites | {"PUSLING-1": 0.025, "PUSLING-2": 0.025}


def room_of(site: str) -> str | None:
    """The one room of a branch or a van; None for the central library's five rooms."""
    return "MOBIL" if site.startswith("PUSLING") else None if site == "PUSAT" else "BACA"


def write(c: Connection, model: type, rows: list[dict]) -> None:
    """Bulk insert; COPY on PostgreSQL (a multi-row INSERT is several times slower there)."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        c.execute(insert(model), rows)
        return
    cols = list(model.__table__.columns)
    naive = [isinstance(col.type, UTCDateTime) for col in cols]
    names = ", ".join(col.name for col in cols)
    raw = c.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as cp:
        for r in rows:
            values = [r.get(col.key) for col in cols]
            for i, is_time in enumerate(naive):
                if is_time and values[i] is not None:
                    values[i] = values[i].astimezone(UTC).replace(tzinfo=None)
            cp.write_row(values)


MEMBER_CATEGORIES = {"Umum": 0.35, "Pelajar": 0.35, "Mahasiswa": 0.2, "Anak": 0.1}
GUEST_CATEGORIES = {"umum": 0.4, "pelajar": 0.3, "mahasiswa": 0.2, "guru": 0.05, "pegawai": 0.05}
LEVELS = {"PAUD": 0.2, "TK": 0.35, "SD": 0.3, "SMP": 0.1, "SMA": 0.05}
# Share of a day's visits per local hour, weekdays 08-16 and Saturdays 08-14.
WEEKDAY_HOURS = {8: 6, 9: 12, 10: 16, 11: 14, 12: 8, 13: 12, 14: 14, 15: 11, 16: 7}
SATURDAY_HOURS = {8: 10, 9: 18, 10: 22, 11: 20, 12: 12, 13: 10, 14: 8}
FIXED_HOLIDAYS = ((1, 1), (5, 1), (6, 1), (8, 17), (12, 25))


def _p(weights: dict) -> tuple[list, np.ndarray]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys, w / w.sum()


def school_holiday(d: date) -> bool:
    return (
        (d.month == 6 and d.day >= 20)
        or (d.month == 7 and d.day <= 12)
        or (d.month == 12 and d.day >= 20)
    )


def closed(d: date) -> bool:
    if d.weekday() == 6 or (d.month, d.day) in FIXED_HOLIDAYS:
        return True
    # Idul Fitri moves about 11 days earlier each year; 2016 began on 6 July.
    lebaran = date(2016, 7, 6) + timedelta(days=round((d.year - 2016) * -10.875))
    return lebaran - timedelta(days=2) <= d <= lebaran + timedelta(days=3)


class History:
    def __init__(
        self,
        url: str,
        years: int,
        last_year: int,
        total: int,
        seed: int,
        until: date,
        sites: int = 3,
    ) -> None:
        """`until`: the last day with visits (yesterday: history never runs past today)."""
        self.sites = network(sites)
        if last_year > until.year:
            raise ValueError(f"--last-year {last_year} is after {until:%Y}: history ends yesterday")
        self.engine = make_engine(url)
        self.until = until
        self.years = list(range(last_year - years + 1, last_year + 1))
        self.rng = np.random.default_rng(seed)
        # Growth like 2011-2016 (47,759 -> 129,635 a year), scaled so the years add up to total.
        growth = np.linspace(1.0, 2.4, len(self.years))
        self.per_year = dict(zip(self.years, growth / growth.sum() * total, strict=True))
        self.written = {"visits": 0, "headcount": 0, "guests": 0, "groups": 0, "members": 0}
        self.written.update({"survey_respondents": 0, "survey_answers": 0})

    def run(self, members: int) -> dict[str, int]:
        init_db(self.engine)
        self.member_ids = self._members(members)
        months = [(y, m) for y in self.years for m in range(1, 13)]
        progress = Progress(len(months), "visits")
        for y, m in months:
            self._month(y, m)
            progress.step(f"{y}-{m:02d}")
        for y in self.years:
            self._survey_year(y)
        progress.done()
        if self.engine.url.get_backend_name() == "postgresql":
            # The planner's statistics after a bulk load, as PostgreSQL's manual advises: a
            # server with autovacuum off would otherwise plan on empty tables.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        self.engine.dispose()
        return self.written

    def _members(self, n: int) -> np.ndarray:
        cats, p = _p(MEMBER_CATEGORIES)
        ids = [uuid.uuid4() for _ in range(n)]
        chosen = self.rng.choice(len(cats), size=n, p=p)
        now = datetime.now(UTC)
        rows = [
            {
                "id": ids[i],
                "number": f"H{i:07d}",
                "name": f"Anggota {i}",
                "gender": "LP"[i % 2],
                "category": cats[chosen[i]],
                "expires": None,
                "suspended": False,
                "card_seq": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ]
        with self.engine.begin() as c:
            write(c, Member, rows)
        self.written["members"] = n
        self.member_cats = [cats[k] for k in chosen]
        return np.array(ids, dtype=object)

    def _days(self, year: int, month: int) -> list[date]:
        d, days = date(year, month, 1), []
        while d.month == month and d <= self.until:
            if not closed(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def _month(self, year: int, month: int) -> None:
        rng = self.rng
        open_days = 330  # ~300 open days times the mean busy-day factor
        mean = self.per_year[year] / open_days
        visits: list[dict] = []
        guests: list[dict] = []
        groups: list[dict] = []
        rooms, room_p = _p(ROOMS)
        sites, site_p = _p(self.sites)
        gcats, gcat_p = _p(GUEST_CATEGORIES)
        levels, level_p = _p(LEVELS)
        now = datetime.now(UTC)
        for day in self._days(year, month):
            holiday = school_holiday(day)
            saturday = day.weekday() == 5
            factor = (1.3 if saturday else 1.0) * (1.15 if holiday else 1.0)
            factor *= 1.0 + 0.15 * np.sin((day.timetuple().tm_yday / 366) * 2 * np.pi)
            n = int(rng.poisson(mean * factor))
            hours_w = SATURDAY_HOURS if saturday else WEEKDAY_HOURS
            hours, hour_p = _p(hours_w)
            hour = np.array(hours)[rng.choice(len(hours), size=n, p=hour_p)]
            seconds = rng.integers(0, 3600, size=n)
            site = rng.choice(len(sites), size=n, p=site_p)
            room = rng.choice(len(rooms), size=n, p=room_p)
            member_share = 0.55 if holiday else 0.62
            kind = rng.random(n)
            who = rng.zipf(1.6, size=n) % len(self.member_ids)
            gcat = rng.choice(len(gcats), size=n, p=gcat_p)
            moved = rng.random(n) < 0.2
            start = datetime(day.year, day.month, day.day, tzinfo=WIB)
            for i in range(n):
                at = (start + timedelta(hours=int(hour[i]), seconds=int(seconds[i]))).astimezone(
                    UTC
                )
                s = sites[site[i]]
                r = room_of(s) or rooms[room[i]]
                row = {
                    "id": uuid.uuid4(),
                    "at_utc": at,
                    "local_day": day,
                    "site": s,
                    "kiosk_id": f"{s.lower()}-1",
                    "room": r,
                    "headcount": 1,
                    "children": 0,
                    "adults": 1,
                    "boys": None,
                    "girls": None,
                    "gender": None,
                    "origin_code": None,
                    "purpose": None,
                    "member_id": None,
                    "guest_id": None,
                    "group_id": None,
                }
                if kind[i] < member_share:
                    m = int(who[i])
                    row.update(
                        visitor_type="member",
                        decision="moved" if moved[i] else "welcome",
                        category=self.member_cats[m],
                        gender="LP"[m % 2],  # the member's, as check-in writes it
                        member_id=self.member_ids[m],
                        source="scan",
                    )
                else:
                    gid = uuid.uuid4()
                    cat = gcats[gcat[i]]
                    guests.append(
                        {
                            "id": gid,
                            "category": cat,
                            "gender": "LP"[i % 2],
                            "origin_code": "16.73",
                            "origin_other": None,
                            "purpose": "membaca",
                            "name": None,
                            "created_at": at,
                            "purged_at": None,
                        }
                    )
                    row.update(
                        visitor_type="guest",
                        decision="welcome",
                        category=cat,
                        gender="LP"[i % 2],
                        origin_code="16.73",
                        purpose="membaca",
                        guest_id=gid,
                        source="form",
                    )
                visits.append(row)
            # School and kindergarten outings: weekdays in term time.
            if not holiday and not saturday:
                for _ in range(int(rng.poisson(0.6 * self.per_year[year] / 100_000))):
                    gid = uuid.uuid4()
                    level = levels[int(rng.choice(len(levels), p=level_p))]
                    children = int(rng.integers(12, 45))
                    adults = int(rng.integers(2, 6))
                    boys = int(rng.integers(0, children + 1))
                    groups.append(
                        {
                            "id": gid,
                            "code": uuid.uuid4().hex[:10].upper(),
                            "site": "PUSAT",
                            "visit_date": day,
                            "institution": f"{level} Negeri {int(rng.integers(1, 60))}",
                            "level": level,
                            "expected_children": children,
                            "expected_adults": adults,
                            "leader_name": None,
                            "leader_phone": None,
                            "created_at": now,
                            "purged_at": None,
                        }
                    )
                    at = (start + timedelta(hours=int(rng.integers(8, 11)))).astimezone(UTC)
                    visits.append(
                        {
                            "id": uuid.uuid4(),
                            "at_utc": at,
                            "local_day": day,
                            "site": "PUSAT",
                            "kiosk_id": "pusat-1",
                            "room": "ANAK" if level in ("PAUD", "TK") else "BACA",
                            "visitor_type": "group",
                            "decision": "welcome",
                            "category": level,
                            "headcount": children + adults,
                            "children": children,
                            "adults": adults,
                            "boys": boys,
                            "girls": children - boys,
                            "gender": None,
                            "origin_code": None,
                            "purpose": None,
                            "member_id": None,
                            "guest_id": None,
                            "group_id": gid,
                            "source": "scan",
                        }
                    )
        with self.engine.begin() as c:
            write(c, Guest, guests)
            write(c, Group, groups)
            write(c, Visit, visits)
        self.written["visits"] += len(visits)
        self.written["headcount"] += sum(v["headcount"] for v in visits)
        self.written["guests"] += len(guests)
        self.written["groups"] += len(groups)

    def _survey_year(self, year: int) -> None:
        """About 400 paper forms (November) and 1,500 kiosk mini-surveys a year."""
        rng = self.rng
        std = ikm.PERMENPANRB_14_2017 if year >= 2017 else ikm.KEPMENPAN_25_2004
        codes = std.codes
        respondents: list[dict] = []
        answers: list[dict] = []
        quality = rng.uniform(0.0, 0.6)  # some years are better than others
        p = np.array([0.03, 0.12 - quality / 10, 0.55 - quality / 2, 0.30 + quality * 0.6])
        p = p / p.sum()
        forms = [("paper", codes, 400), ("mini", None, 1500)]
        for channel, fixed, n in forms:
            for _ in range(n):
                rid = uuid.uuid4()
                if channel == "paper":
                    day = date(year, 11, int(rng.integers(1, 29)))
                    asked = list(fixed)
                else:
                    day = date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
                    asked = list(rng.choice(codes, size=2, replace=False))
                if day > self.until:  # the year is not over yet: no answers from the future
                    continue
                respondents.append(
                    {
                        "id": rid,
                        "standard": std.code,
                        "local_day": day,
                        "site": "PUSAT",
                        "channel": channel,
                        "gender": "LP"[int(rng.integers(0, 2))] if channel == "paper" else None,
                        "age_band": None,
                        "education": None,
                        "occupation": None,
                    }
                )
                values = rng.choice([1, 2, 3, 4], size=len(asked), p=p)
                for code, value in zip(asked, values, strict=True):
                    answers.append(
                        {
                            "id": uuid.uuid4(),
                            "respondent_id": rid,
                            "standard": std.code,
                            "element": str(code),
                            "value": int(value),
                            "local_day": day,
                            "site": "PUSAT",
                            "channel": channel,
                        }
                    )
        with self.engine.begin() as c:
            write(c, SurveyRespondent, respondents)
            write(c, SurveyAnswer, answers)
        self.written["survey_respondents"] += len(respondents)
        self.written["survey_answers"] += len(answers)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL, e.g. sqlite:////tmp/h.sqlite3")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--last-year", type=int, default=2025)
    ap.add_argument(
        "--visits", type=int, help="visit rows over all years (default: 150,000 a year)"
    )
    ap.add_argument("--members", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument(
        "--sites", type=int, default=3, help="3: central, a branch, a van; 17: the whole city"
    )
    args = ap.parse_args()
    started = time.perf_counter()
    visits = args.visits or 150_000 * args.years
    yesterday = local_day(datetime.now(UTC)) - timedelta(days=1)
    try:
        history = History(
            args.db, args.years, args.last_year, visits, args.seed, yesterday, args.sites
        )
    except ValueError as e:
        print(f"make_history: error: {e}", file=sys.stderr)
        return 2
    written = history.run(args.members)
    out = {"db": args.db, "years": history.years[0:1] + history.years[-1:], **written}
    out["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
