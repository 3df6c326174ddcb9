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
