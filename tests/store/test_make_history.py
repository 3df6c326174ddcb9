"""tools/make_history.py: years of visits that end yesterday, never after today."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select

from kiosk.adapters.db.models import SurveyRespondent, Visit
from kiosk.domain.clock import local_day

TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_history.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


def test_the_current_year_stops_before_today(tmp_path: Path) -> None:
    today = local_day(datetime.now(UTC))
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    done = run("--db", url, "--years", "2", "--last-year", str(today.year), "--visits", "4000",
               "--members", "40")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["visits"] > 0
    engine = create_engine(url)
    with engine.connect() as c:
        last_visit = c.scalar(select(func.max(Visit.local_day)))
        last_answer = c.scalar(select(func.max(SurveyRespondent.local_day)))
        first = c.scalar(select(func.min(Visit.local_day)))
    engine.dispose()
    assert last_visit <= today - timedelta(days=1) and last_answer <= today - timedelta(days=1)
    assert first.year == today.year - 1


def test_a_last_year_in_the_future_is_refused(tmp_path: Path) -> None:
    year = local_day(datetime.now(UTC)).year + 1
    done = run("--db", f"sqlite:///{tmp_path / 'h.sqlite3'}", "--last-year", str(year))
    assert done.returncode == 2 and "history ends yesterday" in done.stderr
    assert not (tmp_path / "h.sqlite3").exists()


def test_the_city_network_with_genders_on_both_databases(db_url: str) -> None:
    """--sites 17: the central library, 14 branches and two vans; every member and guest visit
    carries a gender (as check-in writes it), groups only boys and girls. On PostgreSQL the
    rows go in by COPY."""
    year = local_day(datetime.now(UTC)).year - 1
    done = run("--db", db_url, "--years", "1", "--last-year", str(year), "--visits", "3000",
               "--members", "60", "--sites", "17")  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = create_engine(db_url)
    with engine.connect() as c:
        sites = c.scalar(select(func.count(Visit.site.distinct())))
        q = select(Visit.visitor_type, func.count(), func.count(Visit.gender), func.sum(Visit.boys))
        kinds = {k: (n, g, b) for k, n, g, b in c.execute(q.group_by(Visit.visitor_type))}
        at = c.scalar(select(Visit.at_utc).order_by(Visit.at_utc).limit(1))
    engine.dispose()
    assert sites == 17
    assert kinds["member"][0] == kinds["member"][1] > 0 and kinds["guest"][0] == kinds["guest"][1]
    assert kinds["group"][1] == 0 and kinds["group"][2] > 0
    # times written as UTC: the first visit of the year is after 08:00 WIB on 2 January
    assert at.replace(tzinfo=None) >= datetime(year, 1, 2, 1, 0)
