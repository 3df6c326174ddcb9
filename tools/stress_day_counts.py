"""Concurrent pushes against the counts kept by triggers (migration 0011) on PostgreSQL: kiosks
of one site push batches of one day at once, some with an item the database refuses (so the
batch is stored item by item, in another order), some sending visits again unlinked (as after
a purge) and members erased; at the end the kept tables are compared with a recount of the
visits. Prints one JSON object.

    KIOSK_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/NAME \
        nice .venv/bin/python tools/stress_day_counts.py [--kiosks 4] [--batches 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.adapters.db.engine import make_sessionmaker  # noqa: E402
from kiosk.adapters.db.outbox import ERASURE  # noqa: E402
from kiosk.services import sync_central  # noqa: E402
from tests.services.test_day_counts import recount, stored  # noqa: E402
from tools.bench_sync import central_with_members, drop_database, scratch_database  # noqa: E402

AT = datetime(2025, 3, 3, 3, tzinfo=UTC)


def record(rng: random.Random, kiosk: str, members: list[uuid.UUID]) -> dict[str, Any]:
    member = rng.random() < 0.6
    return {
        "id": str(uuid.uuid4()), "at_utc": AT.isoformat(), "local_day": "2025-03-03",
        "site": "PUSAT", "kiosk_id": kiosk, "room": rng.choice(("ANAK", "BACA", "KOL", "REF")),
        "visitor_type": "member" if member else "guest", "decision": "welcome",
        "category": rng.choice(("Umum", "pelajar")), "headcount": 1, "children": 0,
        "adults": 1, "boys": None, "girls": None, "gender": rng.choice(("L", "P", None)),
        "member_id": str(rng.choice(members)) if member else None, "guest_id": None,
        "group_id": None, "source": "form",
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url", default=os.environ.get("KIOSK_TEST_PG_URL"))
    ap.add_argument("--kiosks", type=int, default=4)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--batch", type=int, default=200)
    args = ap.parse_args()
    if not args.pg_url:
        ap.error("--pg-url or KIOSK_TEST_PG_URL names a PostgreSQL server")
    url = scratch_database(args.pg_url)
    root = Path(tempfile.mkdtemp(prefix="kiosk-stress-counts-"))
    try:
        engine, db, members, _rows = central_with_members(url, root, 40)
        tokens = []
        for k in range(args.kiosks):
            with db.sessions() as s, s.begin():
                code = sync_central.add_kiosk(s, f"s{k}", "PUSAT", "entrance").code
            tokens.append((f"s{k}", db.enroll(code, f"10.1.0.{k}")["token"]))
        statuses: Counter[str] = Counter()
        errors: list[str] = []
        lock = threading.Lock()

        def kiosk(n: int) -> None:
            rng = random.Random(n)
            name, token = tokens[n]
            sent: list[dict[str, Any]] = []
            for b in range(args.batches):
                recs = [record(rng, name, members) for _ in range(args.batch)]
                items = [{"kind": "visit", "record": r} for r in recs]
                if b % 3 == 1:  # one the database refuses: stored item by item
                    bad = record(rng, name, members) | {"category": "Um\x00um"}
                    items.insert(rng.randrange(len(items)), {"kind": "visit", "record": bad})
                if b % 4 == 2 and sent:  # sent again unlinked, as after a purge
                    again = [r | {"member_id": None} for r in rng.sample(sent, 20)]
                    items += [{"kind": "visit", "record": r} for r in again]
                if b % 5 == 3:  # a member erased on a kiosk
                    items.append({"kind": ERASURE, "record": {"id": str(rng.choice(members))}})
                sent += recs
                try:
                    answer = db.push(token, json.loads(json.dumps({"items": items})))
                except Exception as e:  # noqa: BLE001 - counted and printed
                    with lock:
                        errors.append(f"{type(e).__name__}: {str(e)[:200]}")
                    continue
                with lock:
                    for r in answer["results"]:
                        statuses["unanswered" if r is None else r["status"]] += 1
                        if r and r["status"] == "refused":
                            statuses["refused: " + r["error"][:40]] += 1

        threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(args.kiosks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        db.close()
        with make_sessionmaker(engine)() as s:
            kept = stored(s) == recount(s)
        engine.dispose()
    finally:
        drop_database(url)
    print(json.dumps({"answers": statuses, "errors": errors, "tables_equal_recount": kept}))
    return 0 if kept and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
