#!/usr/bin/env python3
"""Scan benchmark: decoders side by side, the scanner's events and latency, memory over time,
and the preprocessing variants on hard frames, all as ratios against the single pass.

    .venv/bin/python tools/bench_scan.py                    # everything, about 10 minutes
    .venv/bin/python tools/bench_scan.py --section hard     # the variants only
    .venv/bin/python tools/bench_scan.py --photos DIR       # + a labelled photo set
    .venv/bin/python tools/bench_scan.py --frames 100000    # long memory run
    .venv/bin/python tools/bench_scan.py --section hard --live as_is thicken   # another rotation
    .venv/bin/python tools/bench_scan.py --section presentations --seed 11   # hard presentations

Prints one JSON document. Frames are rendered with tests.support.synth (tilt, motion blur, noise,
light changes, glare, JPEG) at 640x480 and 1280x720, plus empty scenes for false positives.
"rotating" is the live kiosk's decoder (kiosk.vision.variants.RotatingDecoder: the frame as it
is, and a turn of variants where that reads nothing); "zxing" is the single pass it replaced.
The hard section (`hard`) measures every candidate variant on the hard still set
(tools/make_hard_set.py, rendered here with another seed than the one the lists were chosen
on), the still cascade and the live decoder, and per-presentation success on the hard
conditions (each frame read by every variant once, the scanner replayed with the reads each
plan makes: the single pass, the live decoder and the decoder without each of its variants on
the very same frames); `presentations` runs that last part alone. Frame times are given as
this thread's CPU time and as wall time, with the load average. --photos DIR takes a folder of
images with a labels.json ({"image.jpg": {"codes": ["text", ...]}}, other keys ignored) and
reports the same rates on it.
Everything runs on one thread (cv2.setNumThreads(1)) so the decoders are compared fairly.
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

from kiosk.vision.decoders import (  # noqa: E402
    Code,
    DecoderUnavailable,
    as_grey,
    make_decoder,
)
from kiosk.vision.pipeline import CardPipeline  # noqa: E402
from kiosk.vision.scanner import Scanner  # noqa: E402
from kiosk.vision.sources import LiveSource, read_frames  # noqa: E402
from kiosk.vision.variants import (  # noqa: E402
    CANDIDATES,
    LIVE,
    STILL,
    CascadeDecoder,
    Engines,
    RotatingDecoder,
    Variant,
    merge,
    pick,
)
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
    "rotating": ("rotating", {}),  # the kiosk's live decoder: one variant of LIVE per frame
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
            if engine == "rotating":
                decoders[name] = RotatingDecoder(LIVE)
                continue
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


# --- hard conditions: the preprocessing variants ---------------------------------------------


def load_labelled(folder: Path) -> list[tuple[str, list[str], np.ndarray, str]]:
    """(name, codes, BGR image, condition) for every image a labels.json names."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    out = []
    for name, label in sorted(labels.items()):
        image = cv2.imread(str(folder / name), cv2.IMREAD_COLOR)
        if image is not None:
            out.append((name, list(label.get("codes", [])), image, label.get("condition", "-")))
    return out


def hard_set(per_condition: int, empty: int, seed: int) -> list[tuple[str, list, Any, str]]:
    return [
        (f"{i}", [st.text] if st.text else [], st.image, st.condition)
        for i, st in enumerate(synth.hard_stills(per_condition, seed=seed, empty=empty))
    ]


def bench_stills(
    images: list[tuple[str, list, Any, str]], budget_ms: float, live: tuple[str, ...] = LIVE
) -> dict[str, Any]:
    """Read rate of every candidate variant, the rotation (the frame as it is and the union of
    LIVE's variants, what a card held for len(LIVE) unread frames meets) and the still cascade,
    against the single pass (as_is)."""
    engines = Engines()
    total = sum(len(codes) for _, codes, _, _ in images)
    reads: dict[str, set] = {n: set() for n in CANDIDATES}
    wrong = dict.fromkeys(CANDIDATES, 0)
    ms: dict[str, list[float]] = {n: [] for n in CANDIDATES}
    cascade = CascadeDecoder(STILL, budget_ms=budget_ms)
    cascade_read: set = set()
    cascade_wrong = 0
    cascade_ms: list[float] = []
    per_condition: dict[str, dict[str, int]] = {}
    for name, codes, image, condition in images:
        grey = as_grey(image)
        for variant_name, variant in CANDIDATES.items():
            t0 = time.perf_counter()
            found = variant.run(grey, engines)
            ms[variant_name].append((time.perf_counter() - t0) * 1000)
            for c in found:
                if c.text in codes:
                    reads[variant_name].add((name, c.text))
                else:
                    wrong[variant_name] += 1
        t0 = time.perf_counter()
        found = cascade.decode(image)
        cascade_ms.append((time.perf_counter() - t0) * 1000)
        for c in merge([], found):
            if c.text in codes:
                cascade_read.add((name, c.text))
            else:
                cascade_wrong += 1
        row = per_condition.setdefault(condition, {"codes": 0, "single": 0, "cascade": 0})
        row["codes"] += len(codes)
        row["single"] += sum((name, t) in reads["as_is"] for t in codes)
        row["cascade"] += sum((name, t) in cascade_read for t in codes)
    base = max(1, len(reads["as_is"]))

    def added(order: tuple[str, ...]) -> dict[str, int]:
        """Codes each variant adds to the ones before it in the list (its earned place)."""
        got: set = set()
        out = {}
        for n in order:
            out[n] = len(reads[n] - got)
            got |= reads[n]
        return out

    # The rotation reads every frame as it is, and its turns' variants.
    live = tuple(dict.fromkeys(("as_is", *(v.name for v in pick(live)))))
    rotation = set().union(*(reads[n] for n in live))
    variants = {
        n: {
            "rate": round(len(reads[n]) / max(1, total), 4),
            "ratio_to_single": round(len(reads[n]) / base, 3),
            "adds_to_single": len(reads[n] - reads["as_is"]),
            "wrong_texts": wrong[n],
            "ms_median": pct(ms[n], 50),
            "ms_p95": pct(ms[n], 95),
        }
        for n in CANDIDATES
    }
    return {
        "images": len(images),
        "codes": total,
        "single_pass_rate": round(len(reads["as_is"]) / max(1, total), 4),
        "variants": variants,
        "rotation": {
            "variants": list(live),
            "rate": round(len(rotation) / max(1, total), 4),
            "ratio_to_single": round(len(rotation) / base, 3),
            "added_in_order": added(live),
        },
        "cascade": {
            "variants": list(STILL),
            "budget_ms": budget_ms,
            "rate": round(len(cascade_read) / max(1, total), 4),
            "ratio_to_single": round(len(cascade_read) / base, 3),
            "wrong_texts": cascade_wrong,
            "added_in_order": added(STILL),
            "ms_median": pct(cascade_ms, 50),
            "ms_p95": pct(cascade_ms, 95),
        },
        "all_candidates_rate": round(len(set().union(*reads.values())) / max(1, total), 4),
        "per_condition": per_condition,
    }


def bench_frame_times(
    frames: list[tuple], repeats: int = 3, live: tuple[str, ...] = LIVE
) -> dict[str, Any]:
    """Per-frame decode time at the live size: the single pass against the rotation, frame by
    frame in turn so that both meet the same load on a shared machine.

    Two clocks: wall time (what a frame waits, which on a loaded machine includes the time the
    process waits for a core) and this thread's CPU time (the work a frame costs one core,
    which other processes' load hardly changes)."""
    single, rotating = make_decoder("zxing"), RotatingDecoder(live)
    wall: dict[str, list[float]] = {"single": [], "rotating": []}
    cpu: dict[str, list[float]] = {"single": [], "rotating": []}
    per_variant: dict[str, list[float]] = {}
    for _ in range(repeats):
        for _, _, frame in frames:
            for name, decoder in (("single", single), ("rotating", rotating)):
                c0, t0 = time.thread_time(), time.perf_counter()
                decoder.decode(frame)
                t1, c1 = time.perf_counter(), time.thread_time()
                wall[name].append((t1 - t0) * 1000)
                cpu[name].append((c1 - c0) * 1000)
            per_variant.setdefault(rotating.last, []).append(cpu["rotating"][-1])

    def summary(times: dict[str, list[float]]) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: {"ms_median": pct(v, 50), "ms_p95": pct(v, 95)} for name, v in times.items()
        }
        out["ratio_rotating_to_single"] = {
            q: round(out["rotating"][f"ms_{q}"] / out["single"][f"ms_{q}"], 2)
            for q in ("median", "p95")
        }
        return out

    out: dict[str, Any] = {"cpu": summary(cpu), "wall": summary(wall)}
    out["rotating_cpu_ms_by_variant"] = {
        n: {"frames": len(v), "median": pct(v, 50), "p95": pct(v, 95)}
        for n, v in per_variant.items()
    }
    # How often a when_seen variant's slow engine runs: zxing located a code it could not read.
    zxing = Engines().get("zxing")
    seen = [zxing.read_seen(as_grey(f)) for _, _, f in frames]
    out["frames_with_an_unread_located_code"] = sum(1 for c, n in seen if n and not c)
    out["frames"] = len(frames)
    return out


def bench_presentations(
    per_condition: int, seed: int, size: tuple[int, int], live: tuple[str, ...] = LIVE
) -> dict[str, Any]:
    """Cards presented under each hard condition (approach, tilt, hold, leave, at 30 fps):
    success = exactly one event with the card's text and no other event.

    Every frame is read once as it is and once by each variant a plan asks for (decoding is
    deterministic), and each plan follows RotatingDecoder's rule: the frame as it is, and on a
    frame that gives nothing the plan's next variant (a when_seen one only where zxing located
    a code). Plans: the single pass, the rotation as the kiosk runs it and the rotation without
    each of its variants in turn, which is what that variant earns. Each plan's rotation runs
    on across presentations, as the kiosk's does; each presentation gets a fresh scanner."""
    rng = np.random.default_rng(seed)
    w, h = size
    scenes = [synth.background(w, h, rng) for _ in range(4)]
    engines = Engines()
    zxing = engines.get("zxing")
    turns = RotatingDecoder(live).turns
    plans: dict[str, list[list[Variant]]] = {"single": [], "rotating": turns}
    for name in dict.fromkeys(v.name for turn in turns for v in turn):
        rest = [[v for v in turn if v.name != name] for turn in turns]
        plans[f"without_{name}"] = [t for t in rest if t]
    at = dict.fromkeys(plans, 0)  # each plan's place in its rotation
    result: dict[str, Any] = {}
    totals = dict.fromkeys(plans, 0)
    kinds = ("no_event", "duplicate", "wrong_or_stray")
    failures = dict.fromkeys(kinds, 0)
    presented = 0
    for cond in synth.HARD_CONDITIONS:
        ok = dict.fromkeys(plans, 0)
        failed = dict.fromkeys(kinds, 0)
        for i in range(per_condition):
            if i % 2 == 0:
                text = synth.demo_payload(int(rng.integers(1, 25)))
                face = synth.card_face(text)
            else:
                text = synth.other_payload(rng)
                face = synth.plain_qr(text, str(rng.choice(list("LMQH"))))
            p = synth.Presentation(
                "",
                face if cond.face is None else cond.face(face, rng),
                approach=int(rng.integers(5, 9)),
                tilt=int(rng.integers(4, 8)),
                hold=int(rng.integers(6, 12)),
                leave=int(rng.integers(4, 7)),
                gap=8,
            )
            scanners = {plan: Scanner() for plan in plans}
            events: dict[str, list[str]] = {plan: [] for plan in plans}
            frames = synth.presentation_frames(
                p, i, scenes[i % 4], rng, look_fn=cond.look, pose_fn=cond.pose
            )
            for k, ff in enumerate(frames):
                grey = as_grey(ff.image)
                first, seen = zxing.read_seen(grey)
                reads: dict[str, list[Code]] = {}
                for plan, rotation in plans.items():
                    codes = first
                    if not first and rotation:
                        turn = rotation[at[plan] % len(rotation)]
                        at[plan] += 1
                        for variant in turn:
                            if variant.when_seen and not seen:
                                continue
                            if variant.name not in reads:
                                reads[variant.name] = variant.read(grey, engines, seen)
                            codes = reads[variant.name]
                            if codes:
                                break
                    found = scanners[plan].feed(codes, frame=k, at=k / FPS)
                    events[plan] += [e.text for e in found]
            for plan in plans:
                ok[plan] += events[plan] == [text]
            got = events["rotating"]
            if got != [text]:
                kind = kinds[0] if not got else kinds[1] if set(got) == {text} else kinds[2]
                failed[kind] += 1
                failures[kind] += 1
        result[cond.name] = {
            "presented": per_condition,
            "single": round(ok["single"] / per_condition, 3),
            "rotating": round(ok["rotating"] / per_condition, 3),
            "rotating_failures": failed,
        }
        for plan in plans:
            totals[plan] += ok[plan]
        presented += per_condition
    n = max(1, presented)
    result["all"] = {
        "presented": presented,
        "single": round(totals["single"] / n, 3),
        "rotating": round(totals["rotating"] / n, 3),
        "ratio_rotating_to_single": round(totals["rotating"] / max(1, totals["single"]), 3),
        "rotating_failures": failures,
        # Presentations lost when the variant is left out of the rotation (its earned place).
        "gain_of_each_variant": {
            plan.removeprefix("without_"): totals["rotating"] - totals[plan]
            for plan in plans
            if plan.startswith("without_")
        },
    }
    return result


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
    p.add_argument("--section", choices=("all", "engines", "hard", "presentations"), default="all")
    p.add_argument("--hard-per-condition", type=int, default=40, help="hard stills per condition")
    p.add_argument(
        "--hard-presentations", type=int, default=10, help="presentations per hard condition"
    )
    p.add_argument("--budget-ms", type=float, default=300.0, help="the still cascade's budget")
    p.add_argument(
        "--live",
        nargs="+",
        default=list(LIVE),
        metavar="TURN",
        help="another rotation to measure in the hard section (default: the kiosk's); a turn "
        "is a variant name or several joined by '+'",
    )
    p.add_argument("--photos", type=Path, help="a labelled photo folder (labels.json) to rate")
    p.add_argument("--memory-only", metavar="VIDEO", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    try:
        pick(args.live)
    except ValueError as exc:
        p.error(str(exc))
    cv2.setNumThreads(1)
    if args.memory_only:
        print(json.dumps(bench_memory(Path(args.memory_only), args.frames)))
        return 0
    started = time.perf_counter()
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "opencv": cv2.__version__, "threads": 1},
    }
    if args.section == "presentations":  # the live decoder on hard presentations alone
        report["hard_presentations"] = bench_presentations(
            args.hard_presentations, args.seed + 2, (1280, 720), tuple(args.live)
        )
    if args.section in ("all", "hard"):
        report["hard"] = bench_hard(args)
    if args.section in ("all", "engines"):
        bench_engines(args, report)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))
    return 0


def bench_hard(args: argparse.Namespace) -> dict[str, Any]:
    live = tuple(args.live)
    out: dict[str, Any] = {
        "live_variants": list(live),
        "still_variants": list(STILL),
        "load_average_at_start": os.getloadavg(),
    }
    timing_frames = frame_set(1280, 720, 61, 40, 40, args.seed + 1)  # 141: variants move on
    out["frame_ms_1280x720"] = bench_frame_times(timing_frames, live=live)
    stills = hard_set(args.hard_per_condition, max(10, args.hard_per_condition), args.seed)
    out["hard_stills"] = bench_stills(stills, args.budget_ms, live)
    if args.photos:
        out["photos"] = bench_stills(load_labelled(args.photos), args.budget_ms, live)
    out["hard_presentations"] = bench_presentations(
        args.hard_presentations, args.seed + 2, (1280, 720), live
    )
    out["load_average_at_end"] = os.getloadavg()
    return out


def bench_engines(args: argparse.Namespace, report: dict[str, Any]) -> None:
    decoders, missing = make_decoders(args.variants)
    report["unavailable"] = missing
    report["frames"] = {}
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
                "rotating_vs_zxing": ratios(res, "rotating", "zxing"),
            },
        }
    kiosk_engines = {k: v for k, v in decoders.items() if k in ("zxing", "pyzbar", "rotating")}
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


if __name__ == "__main__":
    sys.exit(main())
