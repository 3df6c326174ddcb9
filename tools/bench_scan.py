#!/usr/bin/env python3
"""Scan benchmark: decoders side by side, the scanner's events and latency, memory over time.

    .venv/bin/python tools/bench_scan.py                 # default, about 2 minutes
    .venv/bin/python tools/bench_scan.py --frames 100000 # long memory run

Prints one JSON document. Frames are rendered with tests.support.synth (tilt, motion blur, noise,
light changes, glare, JPEG) at 640x480 and 1280x720, plus empty scenes for false positives.
Everything runs on one thread (cv2.setNumThreads(1)) so the engines are compared fairly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from kiosk.vision.decoders import DecoderUnavailable, make_decoder  # noqa: E402
from kiosk.vision.pipeline import CardPipeline  # noqa: E402
from kiosk.vision.scanner import Scanner  # noqa: E402
from kiosk.vision.sources import LiveSource, read_frames  # noqa: E402
from tests.support import synth  # noqa: E402

FPS = 30.0

# Variant -> (engine, decoder options). The first two are the kiosk's engines as configured
# (zxing: whole grey frame; pyzbar: scaled to 640 px + a full-size retry of the centre); the
# others swap the preprocessing, to justify each engine's choice.
VARIANTS = {
    "zxing": ("zxing", {}),
    "pyzbar": ("pyzbar", {}),
    "zxing-640": ("zxing", {"scale_to": 640, "retry_centre": True}),
    "pyzbar-full": ("pyzbar", {"scale_to": 0, "retry_centre": False}),
}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1e6, 1)


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def make_decoders(names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    decoders, missing = {}, {}
    for name in names:
        engine, opts = VARIANTS[name]
        try:
            decoders[name] = make_decoder(engine, **opts)
        except DecoderUnavailable as e:
            missing[name] = str(e)
    return decoders, missing


def frame_set(w: int, h: int, n_ord: int, n_hard: int, n_empty: int, seed: int) -> list[tuple]:
    """(condition, card text or None, frame) rendered at w x h."""
    rng = np.random.default_rng(seed)
    scenes = [synth.background(w, h, rng) for _ in range(4)]
    texts = [synth.demo_payload(i) for i in range(1, 21)]
    faces = {t: synth.card_face(t) for t in texts}
    out = []
    conditions = (
        ("ordinary", n_ord, synth.ordinary_pose, synth.ordinary_look),
        ("hard", n_hard, synth.hard_pose, synth.hard_look),
    )
    for condition, n, pose, look in conditions:
        for i in range(n):
            t = texts[i % len(texts)]
            frame = synth.compose(scenes[i % 4], faces[t], pose(rng), look(rng), rng)
            out.append((condition, t, frame))
    for i in range(n_empty):
        look = synth.ordinary_look(rng) if i % 2 else synth.hard_look(rng)
        out.append(("empty", None, synth.compose(scenes[i % 4], None, synth.Pose(), look, rng)))
    return out


def bench_frames(frames: list[tuple], decoders: dict[str, Any]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for name, dec in decoders.items():
        dec.decode(frames[0][2])  # warm up
        ms: list[float] = []
        read = {"ordinary": 0, "hard": 0}
        total = {"ordinary": 0, "hard": 0}
        misreads = false_pos = 0
        for cond, text, frame in frames:
            t0 = time.perf_counter()
            codes = dec.decode(frame)
            ms.append((time.perf_counter() - t0) * 1000)
            if text is None:
                false_pos += len(codes)
                continue
            total[cond] += 1
            read[cond] += any(c.text == text for c in codes)
            misreads += sum(c.text != text for c in codes)
        res[name] = {
            "decode_rate_ordinary": round(read["ordinary"] / max(1, total["ordinary"]), 4),
            "decode_rate_hard": round(read["hard"] / max(1, total["hard"]), 4),
            "misreads": misreads,
            "false_positives": false_pos,
            "ms_median": round(statistics.median(ms), 2),
            "ms_p95": pct(ms, 95),
        }
    return res


def ratios(res: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    if a not in res or b not in res:
        return None

    def div(x: float, y: float) -> float | None:
        return round(x / y, 2) if y else None

    return {
        "speed_x (median ms b/a)": div(res[b]["ms_median"], res[a]["ms_median"]),
        "decode_rate_ordinary a/b": div(
            res[a]["decode_rate_ordinary"], res[b]["decode_rate_ordinary"]
        ),
        "decode_rate_hard a/b": div(res[a]["decode_rate_hard"], res[b]["decode_rate_hard"]),
    }


class CheckinDb:
    """A temp SQLite kiosk with members whose signed cards are in the feed (if the core exists)."""

    def __init__(self, tmp: Path) -> None:
        from kiosk.config import load_settings
        from kiosk.services.kiosk import KioskService

        self.settings = load_settings(overrides={"data_dir": tmp, "kiosk_id": "bench"}, environ={})
        self.service = KioskService.open(self.settings)
        self.room = self.service.rooms[0].code

    @classmethod
    def create(cls, n: int, tmp: Path) -> tuple[CheckinDb, list[str]]:
        from kiosk.adapters.db.engine import init_db, make_engine
        from kiosk.config import load_settings
        from kiosk.domain.cards import Keyring, make_payload
        from kiosk.services.members import add_member

        settings = load_settings(overrides={"data_dir": tmp, "kiosk_id": "bench"}, environ={})
        engine = make_engine(settings.database_url)
        init_db(engine)
        engine.dispose()
        keyring = Keyring.generate(settings.key_file)
        db = cls(tmp)
        texts = []
        with db.service.session() as s:
            for i in range(n):
                number = f"B{2016000 + i}"
                add_member(s, number, f"Anggota {i}")
                texts.append(make_payload(number, 1, keyring))
        return db, texts

    def clone(self, tmp: Path) -> CheckinDb:
        """The same members and keys in a fresh copy, so each engine starts from no visits."""
        self.service.close()
        shutil.copytree(self.settings.data_dir, tmp)
        return CheckinDb(tmp)

    def check_in(self, text: str) -> str:
        return self.service.check_in(text, room=self.room, source="scan").decision


def event_feed(n: int, w: int, h: int, seed: int, texts: list[str], out: Path) -> list[int]:
    """Write n presentations (ordinary conditions) to an MJPG video; per-frame presentation."""
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (w, h))
    truth = []
    scene = synth.background(w, h, rng)
    for i in range(n):
        if i % 5 == 0:
            scene = synth.background(w, h, rng)
        text = texts[i % len(texts)]
        p = synth.Presentation(
            text,
            synth.card_face(text),
            approach=int(rng.integers(6, 12)),
            tilt=int(rng.integers(6, 12)),
            hold=int(rng.integers(8, 20)),
            leave=int(rng.integers(5, 10)),
            gap=int(rng.integers(10, 20)),
        )
        for ff in synth.presentation_frames(p, i, scene, rng):
            writer.write(ff.image)
            truth.append(ff.presentation)
    writer.release()
    return truth


def bench_events(
    video: Path,
    truth: list[int],
    texts: list[str],
    decoders: dict[str, Any],
    dbs: dict[str, CheckinDb],
) -> dict[str, Any]:
    n_pres = max(truth) + 1
    fps = FPS
    out: dict[str, Any] = {}
    for name, dec in decoders.items():
        db = dbs.get(name)
        scanner = Scanner()
        per_pres = [0] * n_pres
        first_read = [None] * n_pres
        stray = 0
        lat_event, lat_commit = [], []
        decisions: dict[str, int] = {}
        for frame in read_frames(str(video)):
            idx, pres = frame.index, truth[frame.index]
            frame = frame.image
            t0 = time.perf_counter()
            codes = dec.decode(frame)
            if (
                pres >= 0
                and first_read[pres] is None
                and any(c.text == texts[pres % len(texts)] for c in codes)
            ):
                first_read[pres] = idx
            events = scanner.feed(codes, frame=idx, at=idx / fps)
            t_event = time.perf_counter()
            for ev in events:
                if pres < 0 or ev.text != texts[pres % len(texts)]:
                    stray += 1
                    continue
                per_pres[pres] += 1
                first = first_read[pres]
                wait_ms = (idx - first) / fps * 1000 if first is not None else 0.0
                lat_event.append(wait_ms + (t_event - t0) * 1000)
                if db is not None:
                    d = db.check_in(ev.text)
                    decisions[d] = decisions.get(d, 0) + 1
                    lat_commit.append(wait_ms + (time.perf_counter() - t0) * 1000)
        shown = n_pres
        readable = sum(1 for f in first_read if f is not None)
        out[name] = {
            "presented": shown,
            "readable_in_some_frame": readable,
            "exactly_one_event": sum(1 for c in per_pres if c == 1),
            "exactly_one_event_rate": round(sum(1 for c in per_pres if c == 1) / shown, 4),
            "no_event": sum(1 for c in per_pres if c == 0),
            "duplicate_events": sum(c - 1 for c in per_pres if c > 1),
            "stray_events": stray,
            "latency_to_event_ms": {"median": pct(lat_event, 50), "p95": pct(lat_event, 95)},
        }
        if db is not None:
            out[name]["latency_to_committed_visit_ms"] = {
                "median": pct(lat_commit, 50),
                "p95": pct(lat_commit, 95),
            }
            out[name]["decisions"] = decisions
    return out


def bench_memory(video: Path, n_frames: int) -> dict[str, Any]:
    """RSS over a long run through the real path: threaded capture -> zxing -> scanner."""
    pipeline = CardPipeline.for_cards("zxing")
    marks: dict[str, float] = {"start": rss_mb()}
    count = 0
    events = 0

    def on_event(_e) -> None:
        nonlocal events
        events += 1

    with LiveSource(str(video), loop=True, pace=False) as live:

        def frames():
            nonlocal count
            for f in live:
                count += 1
                if count == n_frames // 2:
                    marks["middle"] = rss_mb()
                yield f
                if count >= n_frames:
                    return

        t0 = time.perf_counter()
        pipeline.run(frames(), on_event)
        elapsed = time.perf_counter() - t0
        reads = live.status.frames
    marks["end"] = rss_mb()
    return {
        "frames_decoded": count,
        "frames_read_by_camera_thread": reads,
        "events": events,
        "seconds": round(elapsed, 1),
        "rss_mb": marks,
        "growth_middle_to_end_mb": round(marks["end"] - marks.get("middle", marks["end"]), 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--per-condition",
        type=int,
        default=150,
        help="card frames under ordinary conditions per size (hard and empty: 40%%)",
    )
    p.add_argument("--presentations", type=int, default=30, help="cards shown in the event run")
    p.add_argument("--frames", type=int, default=3000, help="frames in the memory run")
    p.add_argument("--seed", type=int, default=2016)
    p.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--memory-only", metavar="VIDEO", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    cv2.setNumThreads(1)
    if args.memory_only:
        print(json.dumps(bench_memory(Path(args.memory_only), args.frames)))
        return 0
    started = time.perf_counter()
    decoders, missing = make_decoders(args.variants)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "opencv": cv2.__version__, "threads": 1},
        "unavailable": missing,
        "frames": {},
    }
    n_hard = n_empty = max(1, int(args.per_condition * 0.4))
    for w, h in ((640, 480), (1280, 720)):
        frames = frame_set(w, h, args.per_condition, n_hard, n_empty, args.seed + w)
        res = bench_frames(frames, decoders)
        report["frames"][f"{w}x{h}"] = {
            "frames": {"ordinary": args.per_condition, "hard": n_hard, "empty": n_empty},
            "engines": res,
            "ratios": {
                "zxing_vs_pyzbar": ratios(res, "zxing", "pyzbar"),
                "zxing_vs_zxing-640": ratios(res, "zxing", "zxing-640"),
                "pyzbar_vs_pyzbar-full": ratios(res, "pyzbar", "pyzbar-full"),
            },
        }
    kiosk_engines = {k: v for k, v in decoders.items() if k in ("zxing", "pyzbar")}
    with tempfile.TemporaryDirectory() as tmp:
        dbs: dict[str, CheckinDb] = {}
        try:
            template, texts = CheckinDb.create(args.presentations, Path(tmp) / "template")
            dbs = {name: template.clone(Path(tmp) / name) for name in kiosk_engines}
        except ImportError as e:  # the core is not there: measure up to the event only
            report["checkin_unavailable"] = str(e)
            texts = [synth.demo_payload(i) for i in range(args.presentations)]
        video = Path(tmp) / "feed.avi"
        truth = event_feed(args.presentations, 1280, 720, args.seed, texts, video)
        report["events_1280x720"] = {
            "frames": len(truth),
            "engines": bench_events(video, truth, texts, kiosk_engines, dbs),
            "latency_note": "from the first frame in which the engine can read the card to the "
            "event / committed visit: frames waited (at 30 fps) + processing",
        }
        for db in dbs.values():
            db.service.close()
        # A fresh process: this one still holds the allocator's pages from the frame sets.
        run = subprocess.run(
            [sys.executable, __file__, "--memory-only", str(video), "--frames", str(args.frames)],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            report["memory"] = {"error": run.stderr.strip().splitlines()[-1:]}
        else:
            report["memory"] = json.loads(run.stdout)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
