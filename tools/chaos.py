#!/usr/bin/env python3
"""Rerun the kiosk's fault suite on this machine and print what happened as JSON.

Each scenario reports `tried` (faults or inputs thrown at the kiosk), `failed` (attempts the
kiosk refused or could not complete, visibly: an error, a refusal, a skipped frame) and
`lost` (what the kiosk acknowledged and then did not have: the number that must stay 0).

    .venv/bin/python tools/chaos.py                 # the whole suite (a few minutes)
    .venv/bin/python tools/chaos.py --quick         # smaller numbers, for a smoke run
    .venv/bin/python tools/chaos.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Scenarios: SIGKILL during check-ins (one and three writers, SQLite and, with --pg,
PostgreSQL), a full data disk and a full USB stick (needs root for a small tmpfs), the
database file replaced or deleted under a running kiosk, damaged camera feeds, hostile
payloads, and a camera unplugged for 6 s and plugged back.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import random
import shutil
import signal
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRITER = r"""
import os, sys
from kiosk.config import load_settings
from kiosk.domain.cards import make_payload
from kiosk.services.kiosk import KioskService
svc = KioskService.open(load_settings())
first, count = int(sys.argv[1]), int(sys.argv[2])
cards = [make_payload(f"C{first + i:06d}", 1, svc.desk.keyring) for i in range(count)]
print("ready", flush=True)
i = 0
while True:
    d = svc.check_in(cards[i % count], "BACA")
    if d.visit_id is not None:
        print(d.visit_id, flush=True)  # acknowledged: the visit is committed
    i += 1
"""


def _env(data: Path, db_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_DATA_DIR=str(data),
        KIOSK_REPEAT_WINDOW="0",  # every scan is a new visit: the most writes
        KIOSK_SURVEY_CHANCE="0",
        KIOSK_LOCATION="BACA",
        PYTHONPATH=str(ROOT),
    )
    if db_url:
        env["KIOSK_DB_URL"] = db_url
    return env


def _kiosk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_kiosk_cmd(), *args],
        env=env,
        capture_output=True,
        text=True,
    )


def _kiosk_cmd() -> str:
    found = Path(sys.executable).with_name("kiosk")
    return str(found) if found.exists() else shutil.which("kiosk") or "kiosk"


def _setup(data: Path, members: int, db_url: str | None = None) -> dict[str, str]:
    env = _env(data, db_url)
    done = _kiosk(env, "init")
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    names = data / "members.csv"
    names.write_text("number,name\n" + "".join(f"C{i:06d},Anggota {i}\n" for i in range(members)))
    done = _kiosk(env, "members", "import", str(names))
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return env


# --- SIGKILL during check-ins ---------------------------------------------------------------


def sigkill(cycles: int, writers: int, server_url: str | None = None) -> dict[str, Any]:
    db_url, drop = _own_pg_database(server_url) if server_url else (None, lambda: None)
    try:
        return _sigkill(cycles, writers, db_url)
    finally:
        drop()


def _sigkill(cycles: int, writers: int, db_url: str | None) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from kiosk.adapters.db.engine import integrity_problems, make_engine

    with tempfile.TemporaryDirectory(prefix="chaos-kill-") as tmp:
        data = Path(tmp)
        env = _setup(data, 60 * writers, db_url)
        acknowledged: set[str] = set()
        kills = 0
        rng = random.Random(1)
        for _ in range(cycles):
            procs = [
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, str(60 * w), "60"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                for w in range(writers)
            ]
            for p in procs:
                p.stdout.readline()  # "ready"
            time.sleep(rng.uniform(0.05, 0.6))
            for p in procs:
                p.send_signal(signal.SIGKILL)
                kills += 1
            for p in procs:
                out, _ = p.communicate()
                acknowledged.update(line for line in out.split() if len(line) == 36)
        url = db_url or f"sqlite:///{data / 'kiosk.sqlite3'}"
        engine = make_engine(url) if not db_url else create_engine(url)
        with engine.connect() as conn:
            stored = {
                str(uuid.UUID(str(r[0]))) for r in conn.execute(text("SELECT id FROM visits"))
            }
        problems = integrity_problems(engine) if not db_url else []
        engine.dispose()
    return {
        "tried": kills,
        "failed": 0,
        "lost": len(acknowledged - stored),
        "writers": writers,
        "backend": "postgresql" if db_url else "sqlite",
        "visits_acknowledged": len(acknowledged),
        "visits_stored": len(stored),
        "corrupt": bool(problems),
    }


def _own_pg_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server for this run (never touches the one named in the URL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"kiosk_chaos_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


# --- full disks -----------------------------------------------------------------------------


def _mount_tmpfs(where: Path, kib: int) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


def disk_full() -> dict[str, Any]:
    """Check-ins onto a data disk that fills up, then exports onto a full stick."""
    if os.geteuid() != 0:
        return {"skipped": "needs root to mount a small tmpfs"}
    with tempfile.TemporaryDirectory(prefix="chaos-full-") as tmp:
        disk = Path(tmp) / "disk"
        if not _mount_tmpfs(disk, 1024):
            return {"skipped": "cannot mount tmpfs here"}
        try:
            env = _setup(disk, 50)
            script = WRITER.replace("while True:", "for _ in range(600):")
            script = script.replace(
                '    d = svc.check_in(cards[i % count], "BACA")',
                '    try:\n        d = svc.check_in(cards[i % count], "BACA")\n'
                "    except Exception as e:\n        print('failed', flush=True); i += 1; continue",
            )
            filler = disk / "filler"
            with open(filler, "wb") as f:  # leave a little room: the database fills it
                st = os.statvfs(disk)
                f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 320 * 1024))
            done = subprocess.run(
                [sys.executable, "-c", script, "0", "50"], env=env, capture_output=True, text=True
            )
            lines = done.stdout.split()
            acknowledged = {x for x in lines if len(x) == 36}
            failed = lines.count("failed")
            filler.unlink()
            with sqlite3.connect(disk / "kiosk.sqlite3") as c:
                stored = {str(uuid.UUID(r[0])) for r in c.execute("SELECT id FROM visits")}
                ok = c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # A full USB stick: the export fails with one line and leaves no file behind.
            stick = Path(tmp) / "stick"
            exports = {"tried": 0, "failed": 0, "lost": 0, "partial_files": 0}
            if _mount_tmpfs(stick, 64):
                with open(stick / "filler", "wb") as f, contextlib.suppress(OSError):
                    f.write(b"\0" * (64 * 1024 - 512))
                for name in ("harian.xlsx", "harian.csv"):
                    exports["tried"] += 1
                    r = _kiosk(env, "export", "daily", "--out", str(stick / name))
                    exports["failed"] += r.returncode != 0
                exports["partial_files"] = len([p for p in stick.iterdir() if p.name != "filler"])
                subprocess.run(["umount", "-l", str(stick)], check=False)
        finally:
            subprocess.run(["umount", "-l", str(disk)], check=False)
    return {
        "tried": len(acknowledged) + failed,
        "failed": failed,
        "lost": len(acknowledged - stored),
        "corrupt": not ok,
        "export_to_full_stick": exports,
    }


# --- database replaced under a running kiosk ------------------------------------------------


def database_replaced(scans: int = 200) -> dict[str, Any]:
    from kiosk.config import load_settings
    from kiosk.domain.cards import make_payload
    from kiosk.services.checkin import StorageError
    from kiosk.services.kiosk import KioskService

    results = {}
    for how in ("deleted", "replaced"):
        with tempfile.TemporaryDirectory(prefix="chaos-replace-") as tmp:
            data = Path(tmp)
            env = _setup(data, 20)
            settings = load_settings(environ=env)
            svc = KioskService.open(settings)
            cards = [make_payload(f"C{i:06d}", 1, svc.desk.keyring) for i in range(20)]
            db = data / "kiosk.sqlite3"
            greeted_after = refused = 0
            before = 0
            for i in range(scans):
                if i == scans // 2:
                    if how == "deleted":
                        db.unlink()
                    else:
                        copy = data / "copy.sqlite3"
                        with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
                            src.backup(dst)
                        copy.replace(db)
                try:
                    d = svc.check_in(cards[i % 20], "BACA")
                except StorageError:
                    refused += 1
                    continue
                if i >= scans // 2 and d.accepted:
                    greeted_after += 1
                elif d.accepted:
                    before += 1
            banner = svc.storage_problem()
            svc.close()
        results[how] = {
            "tried": scans,
            "failed": refused,
            "lost": greeted_after,  # greeted into a file nobody reads again
            "banner": banner,
        }
    return results


# --- damaged camera feeds -------------------------------------------------------------------


def damaged_feeds() -> dict[str, Any]:
    import cv2
    import numpy as np

    from kiosk.vision.sources import ReadStats, read_frames

    quiet = logging.getLogger("kiosk.vision.sources")
    quiet.setLevel(logging.ERROR)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="chaos-feed-") as tmp:
        folder = Path(tmp) / "frames"
        folder.mkdir()
        for i in range(9):
            frame = np.full((120, 160, 3), 20 * i, np.uint8)
            cv2.imwrite(str(folder / f"frame_{i:04d}.png"), frame)
        (folder / "frame_0002.png").write_bytes(b"\x89PNG damaged")
        stats = ReadStats()
        got = len(list(read_frames(str(folder), stats=stats)))
        out["image_folder"] = {"tried": 9, "failed": stats.skipped, "lost": 9 - got - stats.skipped}
        n = 313
        video = Path(tmp) / "v.avi"
        writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
        for i in range(n):
            frame = np.full((240, 320, 3), 20, np.uint8)
            frame[:, : 1 + i] = 230
            writer.write(frame)
        writer.release()
        data = bytearray(video.read_bytes())
        rng = np.random.default_rng(7)
        for frac in (0.3, 0.5, 0.7):
            at = int(len(data) * frac)
            data[at : at + 3000] = rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()
        bad = Path(tmp) / "bad.avi"
        bad.write_bytes(bytes(data))
        stats = ReadStats()
        frames = list(read_frames(str(bad), stats=stats))
        last = frames[-1].index if frames else -1
        out["video_three_damaged_stretches"] = {
            "tried": n,
            "failed": stats.skipped,
            "lost": n - len(frames) - stats.skipped if last >= n - 2 else n - len(frames),
            "frames_read": len(frames),
            "read_to_end": last >= n - 2,
        }
    quiet.setLevel(logging.NOTSET)
    return out


# --- hostile payloads -----------------------------------------------------------------------


def hostile_payloads(count: int) -> dict[str, Any]:
    from kiosk.config import load_settings
    from kiosk.domain.cards import make_payload
    from kiosk.services.kiosk import KioskService

    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="chaos-hostile-", dir=base) as tmp:
        data = Path(tmp)
        env = _setup(data, 20)
        svc = KioskService.open(load_settings(environ=env))
        real = [make_payload(f"C{i:06d}", 1, svc.desk.keyring) for i in range(20)]
        sigs = [c.rsplit(":", 1)[1] for c in real]
        rng = random.Random(3)
        alphabet = string.printable + "\ufeff\u200b\u202eéＡ"
        crashes = forged = refused = 0
        for i in range(count):
            card = rng.choice(real)
            shape = i % 6
            if shape == 0:  # one character changed
                k = rng.randrange(len(card))
                text = card[:k] + rng.choice(alphabet) + card[k + 1 :]
            elif shape == 1:
                text = card + ":" + rng.choice(["X", "", "LK1"])
            elif shape == 2:
                text = rng.choice(["\ufeff", "http://", " ", "LK1:"]) + card
            elif shape == 3:
                text = card + rng.choice(real)
            elif shape == 4:
                text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 120)))
            else:
                text = card.lower()
            try:
                d = svc.check_in(text, "BACA")
            except Exception:  # noqa: BLE001 - a crash is what this counts
                crashes += 1
                continue
            if d.accepted and text.strip() not in real:  # a padded real card is fine
                forged += 1
            elif not d.accepted:
                refused += 1
        with svc.sessions() as s:
            from sqlalchemy import select

            from kiosk.adapters.db.models import RefusedScan

            excerpts = s.scalars(select(RefusedScan.excerpt)).all()
            rows = len(excerpts)
        leaks = sum(1 for e in excerpts if any(sig in e.upper() for sig in sigs))
        svc.close()
    return {
        "tried": count,
        "failed": refused,
        "lost": 0,
        "crashes": crashes,
        "forged_check_ins": forged,
        "refusal_rows": rows,
        "excerpts_with_a_working_signature": leaks,
    }


# --- camera unplugged and plugged back ------------------------------------------------------


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.lines += 1


def camera_unplug(gone_s: float = 6.0) -> dict[str, Any]:
    import cv2
    import numpy as np

    from kiosk.logs import RepeatFilter
    from kiosk.vision.sources import LiveSource

    with tempfile.TemporaryDirectory(prefix="chaos-camera-") as tmp:
        cam = Path(tmp) / "cam"
        cam.mkdir()
        for i in range(30):
            cv2.imwrite(str(cam / f"f{i:03d}.png"), np.full((60, 80, 3), i * 8, np.uint8))
        counted, raw = _Count(), _Count()
        counted.addFilter(RepeatFilter())
        log = logging.getLogger("kiosk.vision")
        log.addHandler(counted)
        log.addHandler(raw)
        log.setLevel(logging.INFO)
        src = LiveSource(str(cam), loop=True, backoff=(0.05, 0.5)).start()
        try:
            src.wait_frame(timeout=5)
            away = Path(tmp) / "away"
            cam.rename(away)  # unplugged
            time.sleep(gone_s)
            lost_state = src.status.state
            away.rename(cam)  # plugged back
            deadline = time.monotonic() + 15
            while src.status.state != "running" and time.monotonic() < deadline:
                time.sleep(0.05)
            back = src.status.state == "running"
        finally:
            src.stop()
            log.removeHandler(counted)
            log.removeHandler(raw)
    return {
        "tried": 1,
        "failed": 0 if lost_state == "lost" else 1,
        "lost": 0 if back else 1,
        "seconds_unplugged": gone_s,
        "log_lines_written": counted.lines,
        "log_lines_without_the_repeat_filter": raw.lines,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cycles", type=int, default=40, help="SIGKILL cycles per writer setup")
    p.add_argument("--payloads", type=int, default=100_000)
    p.add_argument("--pg", metavar="URL", help="also SIGKILL writers on this PostgreSQL")
    p.add_argument("--quick", action="store_true", help="5 cycles and 2,000 payloads")
    p.add_argument("--only", nargs="+", help="run only these scenarios")
    args = p.parse_args(argv)
    if args.quick:
        args.cycles, args.payloads = 5, 2000
    scenarios: dict[str, Callable[[], Any]] = {
        "sigkill_sqlite_1_writer": lambda: sigkill(args.cycles, 1),
        "sigkill_sqlite_3_writers": lambda: sigkill(args.cycles, 3),
        "disk_full": disk_full,
        "database_replaced": database_replaced,
        "damaged_feeds": damaged_feeds,
        "hostile_payloads": lambda: hostile_payloads(args.payloads),
        "camera_unplug": camera_unplug,
    }
    if args.pg:
        scenarios["sigkill_postgresql_1_writer"] = lambda: sigkill(args.cycles, 1, args.pg)
        scenarios["sigkill_postgresql_3_writers"] = lambda: sigkill(args.cycles, 3, args.pg)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "scenarios": {},
    }
    for name, run in scenarios.items():
        if args.only and name not in args.only:
            continue
        started = time.monotonic()
        try:
            result = run()
        except Exception as e:  # noqa: BLE001 - one broken scenario must not hide the rest
            result = {"error": f"{type(e).__name__}: {e}"}
        if isinstance(result, dict):
            result["seconds"] = round(time.monotonic() - started, 1)
        report["scenarios"][name] = result
        print(f"chaos: {name} done", file=sys.stderr)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
