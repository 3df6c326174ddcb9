"""The central server's push path alone (no HTTP, no kiosks): how fast a batch of visits is
checked and stored on PostgreSQL, and where the time goes. Prints one JSON object.

    KIOSK_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python tools/bench_ingest.py [--batches 30] [--batch 1000] [--rounds 3]

A scratch database (dropped afterwards) with 5,000 members; batches of new member visits, as
a kiosk sends them (JSON text, parsed here as the server parses it), are pushed one after the
other through `CentralDatabase.push` in this process. Reported per round: visits/s (wall
clock), this process's CPU seconds and PostgreSQL's (its backend's), and visits per CPU
second of both together, the figure that does not depend on what else the machine runs.
Compare two versions of the code by running this script from each, one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.clock import local_day  # noqa: E402
from kiosk.services import sync_central  # noqa: E402
from tools.bench_sync import (
    central_with_members,
    cpu_seconds,
    drop_database,
    scratch_database,
)  # noqa: E402


def batch_text(rng: random.Random, members: list[uuid.UUID], kiosk: str, n: int) -> str:
    items = []
    for _ in range(n):
        at = datetime.now(UTC) - timedelta(days=rng.uniform(0, 365))
        record = {
            "id": str(uuid.uuid4()),
            "at_utc": at.isoformat(),
            "local_day": local_day(at).isoformat(),
            "site": "PUSAT",
            "kiosk_id": kiosk,
            "room": rng.choice(("BACA", "KOL", "REF", "ANAK")),
            "visitor_type": "member",
            "decision": "welcome",
            "category": "Umum",
            "headcount": 1,
            "children": 0,
            "adults": 1,
            "boys": None,
            "girls": None,
            "member_id": str(rng.choice(members)),
            "guest_id": None,
            "group_id": None,
            "source": "scan",
        }
        items.append({"kind": "visit", "record": record, "meta": {"card_seq": 1}})
    status = {"queued": n, "kiosk_time": datetime.now(UTC).isoformat()}
    return json.dumps({"items": items, "status": status})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url", default=os.environ.get("KIOSK_TEST_PG_URL"))
    ap.add_argument("--batches", type=int, default=30)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not args.pg_url:
        ap.error("--pg-url or KIOSK_TEST_PG_URL names a PostgreSQL server")
    url = scratch_database(args.pg_url)
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-ingest-"))
    try:
        engine, db, members, _rows = central_with_members(url, root, 5000)
        rng = random.Random(7)
        with db.sessions() as s, s.begin():
            code = sync_central.add_kiosk(s, "bench-1", "PUSAT", "entrance").code
        token = db.enroll(code, "127.0.0.1")["token"]
        db.push(token, json.loads(batch_text(rng, members, "bench-1", 10)))  # connections up
        with db.engine.connect() as c:
            backends = list(
                c.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
                ).scalars()
            )
        rounds: list[dict[str, Any]] = []
        for _ in range(args.rounds):
            bodies = [batch_text(rng, members, "bench-1", args.batch) for _ in range(args.batches)]
            load = os.getloadavg()[0]
            pg0, cpu0, t0 = cpu_seconds(backends), time.process_time(), time.perf_counter()
            for body in bodies:
                answer = db.push(token, json.loads(body))
                json.dumps(answer)
            wall = time.perf_counter() - t0
            cpu, pg = time.process_time() - cpu0, cpu_seconds(backends) - pg0
            n = args.batch * args.batches
            assert all(r["status"] == "stored" for r in answer["results"])
            rounds.append(
                {
                    "visits": n,
                    "visits_per_s": round(n / wall),
                    "server_cpu_s": round(cpu, 2),
                    "postgresql_cpu_s": round(pg, 2),
                    "visits_per_cpu_s": round(n / (cpu + pg)),
                    "load_average": round(load, 1),
                }
            )
        db.close()
        engine.dispose()
    finally:
        drop_database(url)
    print(
        json.dumps(
            {
                "batch": args.batch,
                "rounds": rounds,
                "median_visits_per_s": statistics.median(r["visits_per_s"] for r in rounds),
                "median_visits_per_cpu_s": statistics.median(r["visits_per_cpu_s"] for r in rounds),
                "cpus": os.cpu_count(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
