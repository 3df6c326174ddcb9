"""Sync at the scale of the whole library network; prints one JSON object.

    KIOSK_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python tools/bench_sync.py [--visits 150000] [--workers 1,4]

17 sites with two kiosks each plus two vans hold a year of visits (default 150,000, the central
library's scale) in their own SQLite files and outboxes; all of them push at once to one
`kiosk serve` on this machine (a scratch PostgreSQL database per run, dropped afterwards).
Measured: central ingest rate, batch latency (p50/p95), the time for one van's 30-day backlog
(3,000 visits) pushed alone, duplicates and losses (counted on the central database against
what the kiosks hold). Each run is repeated with `--workers` server processes.
Goals on a 2-core machine: >= 5,000 visits/s, a 30-day backlog in < 5 s, no duplicates, no
losses.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.adapters.db.engine import init_db, make_engine  # noqa: E402
from kiosk.adapters.db.models import Member, OutboxItem, Visit  # noqa: E402
from kiosk.config import Settings, load_settings  # noqa: E402
from kiosk.domain.cards import Keyring  # noqa: E402
from kiosk.domain.clock import local_day  # noqa: E402
from kiosk.services import sync_central  # noqa: E402
from kiosk.services.sync_kiosk import KioskSync, enroll  # noqa: E402

RUN_KIOSK = "import sys; from kiosk.cli import main; sys.exit(main())"
ROOMS = ("BACA", "KOL", "REF", "ANAK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kiosk_settings(root: Path, kiosk_id: str, site: str) -> Settings:
    return load_settings(
        overrides={"data_dir": root / kiosk_id, "kiosk_id": kiosk_id, "site": site},
        environ={},
    )


def network() -> list[tuple[str, str]]:
    """(kiosk id, site): the central library and 16 branches with two kiosks, two vans."""
    sites = ["PUSAT"] + [f"CAB-{i:02d}" for i in range(1, 17)]
    kiosks = [(f"{site.lower()}-{n}", site) for site in sites for n in (1, 2)]
    return kiosks + [("van-1", "PUSLING-1"), ("van-2", "PUSLING-2")]


def add_visits(
    settings: Settings,
    members: list[uuid.UUID],
    n: int,
    start: datetime,
    days: int,
    rng: random.Random,
) -> None:
    """n visits over `days` days and their outbox rows, in one transaction (as the outbox
    listener writes them, without the per-visit commit of a real check-in)."""
    engine = make_engine(settings.database_url)
    span = days * 86400
    times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    visits, outbox = [], []
    now = datetime.now(UTC)
    for at in times:
        vid = uuid.uuid4()
        visits.append(
            {
                "id": vid,
                "at_utc": at,
                "local_day": local_day(at),
                "site": settings.site,
                "kiosk_id": settings.kiosk_id,
                "room": rng.choice(ROOMS),
                "visitor_type": "member",
                "decision": "welcome",
                "category": "Umum",
                "headcount": 1,
                "children": 0,
                "adults": 1,
                "boys": None,
                "girls": None,
                "member_id": rng.choice(members),
                "guest_id": None,
                "group_id": None,
                "source": "scan",
            }
        )
        outbox.append(
            {
                "kind": "visit",
                "record_id": vid,
                "meta": '{"card_seq": 1}',
                "created_at": now,
                "quarantined": False,
                "attempts": 0,
            }
        )
    with engine.begin() as c:
        c.execute(insert(Visit), visits)
        c.execute(insert(OutboxItem), outbox)
    engine.dispose()


def push_kiosks(jobs: list[tuple[str, str, str]], batch: int) -> dict[str, Any]:
    """A client process: push each kiosk's whole outbox, timing every batch."""
    latencies: list[float] = []
    stored = duplicate = refused = 0
    for root, kiosk_id, site in jobs:
        sync = KioskSync.open(kiosk_settings(Path(root), kiosk_id, site), batch=batch)
        post = sync.client.post

        def timed(path: str, body: dict, post: Any = post) -> dict:
            t0 = time.perf_counter()
            try:
                return post(path, body)
            finally:
                latencies.append(time.perf_counter() - t0)

        sync.client.post = timed  # type: ignore[method-assign]
        out = sync.push_all()
        stored, duplicate, refused = (
            stored + out["stored"],
            duplicate + out["duplicate"],
            refused + out["refused"],
        )
        sync.close()
    return {"latencies": latencies, "stored": stored, "duplicate": duplicate, "refused": refused}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            stats[int(entry.name)] = raw[raw.rindex(")") + 2 :].split()
    wanted, total = set(pids), 0.0
    for pid, fields in stats.items():
        if pid in wanted or int(fields[1]) in wanted:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def backend_pids(engine: Any, database: str) -> list[int]:
    with engine.connect() as c:
        q = text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()")
        return list(c.execute(q, {"d": database}).scalars())


def scratch_database(admin_url: str) -> str:
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"kiosk_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def central_with_members(
    url: str, folder: Path, n: int
) -> tuple[Any, sync_central.CentralDatabase, list[uuid.UUID], list[dict[str, Any]]]:
    """A central database at `url` (its files in `folder`) holding `n` members:
    (engine, CentralDatabase, member ids, member rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(overrides={"data_dir": folder, "db_url": url}, environ={})
    engine = make_engine(url)
    init_db(engine)
    Keyring.generate(settings.key_file)
    db = sync_central.CentralDatabase.open(settings)
    members = [uuid.uuid4() for _ in range(n)]
    rows = [
        {"id": m, "number": f"B{i:07d}", "name": "Anggota", "card_seq": 1, "suspended": False}
        for i, m in enumerate(members)
    ]
    with engine.begin() as c:
        c.execute(insert(Member), rows)
    return engine, db, members, rows


def drop_database(url: str) -> None:
    u = make_url(url)
    engine = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    engine.dispose()


def one_run(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    rng = random.Random(11)
    db_url = scratch_database(args.pg_url)
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-sync-"))
    server = None
    try:
        engine, db, members, rows = central_with_members(db_url, root / "central", args.members)
        # One kiosk database made once (schema and members), copied for every kiosk.
        template = root / "template.sqlite3"
        t_engine = make_engine(f"sqlite:///{template}")
        init_db(t_engine)
        with t_engine.begin() as c:
            c.execute(insert(Member), rows)
        t_engine.dispose()

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env |= {"KIOSK_DATA_DIR": str(root / "central"), "KIOSK_DB_URL": db_url}
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUN_KIOSK,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

        kiosks = network() + [("van-backlog", "PUSLING-3")]
        year_start = datetime.now(UTC) - timedelta(days=365)
        per_kiosk = args.visits // (len(kiosks) - 1)
        expected: dict[str, int] = {}
        for kiosk_id, site in kiosks:
            settings = kiosk_settings(root, kiosk_id, site)
            settings.data_dir.mkdir(parents=True)
            shutil.copy(template, settings.data_dir / "kiosk.sqlite3")
            with db.sessions() as s, s.begin():
                code = sync_central.add_kiosk(s, kiosk_id, site, "entrance").code
            enroll(settings, url, code)
            if kiosk_id == "van-backlog":
                n = 3000
                add_visits(settings, members, n, datetime.now(UTC) - timedelta(days=30), 30, rng)
            else:
                n = per_kiosk
                add_visits(settings, members, n, year_start, 365, rng)
            expected[kiosk_id] = n

        # Everyone at once (the van with the month's backlog waits for its own timing).
        jobs: list[list[tuple[str, str, str]]] = [[] for _ in range(args.clients)]
        for i, (kiosk_id, site) in enumerate(kiosks[:-1]):
            jobs[i % args.clients].append((str(root), kiosk_id, site))
        before_server = cpu_seconds([server.pid])
        before_clients = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            parts = pool.starmap(push_kiosks, [(j, args.batch) for j in jobs])
        wall = time.perf_counter() - t0
        after_clients = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = cpu_seconds([server.pid]) - before_server
        # PostgreSQL's backends for this database were all started during the push.
        pg_cpu = cpu_seconds(backend_pids(engine, make_url(db_url).database))
        client_cpu = (after_clients.ru_utime - before_clients.ru_utime) + (
            after_clients.ru_stime - before_clients.ru_stime
        )
        latencies = sorted(x for p in parts for x in p["latencies"])
        pushed = sum(p["stored"] for p in parts)

        t1 = time.perf_counter()
        van = push_kiosks([(str(root), "van-backlog", "PUSLING-3")], args.batch)
        van_seconds = time.perf_counter() - t1

        with engine.connect() as c:
            on_central = dict(
                c.execute(select(Visit.kiosk_id, func.count()).group_by(Visit.kiosk_id)).all()
            )
        lost = sum(max(0, n - on_central.get(k, 0)) for k, n in expected.items())
        extra = sum(max(0, on_central.get(k, 0) - n) for k, n in expected.items())
        queued = 0
        for kiosk_id, site in kiosks:
            k_engine = make_engine(kiosk_settings(root, kiosk_id, site).database_url)
            with k_engine.connect() as c:
                queued += c.execute(select(func.count(OutboxItem.id))).scalar() or 0
            k_engine.dispose()
        db.close()
        engine.dispose()
        return {
            "server_workers": workers,
            "kiosks": len(kiosks) - 1,
            "client_processes": args.clients,
            "batch": args.batch,
            "visits_pushed": pushed,
            "seconds": round(wall, 2),
            "visits_per_s": round(pushed / wall),
            "cpu_seconds": {
                "server": round(server_cpu, 1),
                "postgresql": round(pg_cpu, 1),
                "kiosk_clients": round(client_cpu, 1),
            },
            # What the same work would reach with the machine to itself: the CPU time it took,
            # spread over every core (other work shares this machine during the run).
            "visits_per_s_if_idle": round(
                pushed / ((server_cpu + pg_cpu + client_cpu) / (os.cpu_count() or 1))
            ),
            "batches": len(latencies),
            "batch_latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "batch_latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
            "van_backlog_visits": van["stored"],
            "van_backlog_seconds": round(van_seconds, 2),
            "duplicates": extra,
            "duplicate_answers": sum(p["duplicate"] for p in parts) + van["duplicate"],
            "refused": sum(p["refused"] for p in parts) + van["refused"],
            "lost": lost,
            "left_in_outboxes": queued,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        drop_database(db_url)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--pg-url",
        default=os.environ.get(
            "KIOSK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    ap.add_argument("--visits", type=int, default=150_000, help="a year of the network's visits")
    ap.add_argument("--members", type=int, default=5_000)
    ap.add_argument("--workers", default="1,4", help="server processes, one run each")
    ap.add_argument("--clients", type=int, default=6, help="kiosk client processes")
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    runs = [one_run(args, int(w)) for w in args.workers.split(",")]
    goals = {"visits_per_s": 5000, "van_backlog_seconds": 5.0, "duplicates": 0, "lost": 0}
    # The load average says how much of the machine other work took during the run.
    out = {
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": round(os.getloadavg()[0], 2),
        "visits": args.visits,
        "goals": goals,
        "runs": runs,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
