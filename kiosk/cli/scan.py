"""Camera commands: `kiosk decode` (read codes in images) and `kiosk scan` (camera -> check-ins)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

import cv2

from kiosk.cli import common_options
from kiosk.config import Settings
from kiosk.services.groups import looks_like_group
from kiosk.vision.decoders import (
    DEFAULT_ENGINE,
    ENGINES,
    Decoder,
    DecoderUnavailable,
    make_decoder,
    safe_decode,
)
from kiosk.vision.pipeline import CardPipeline
from kiosk.vision.scanner import CardEvent
from kiosk.vision.sources import LiveSource, SourceError, parse_source, read_frames
from kiosk.vision.variants import STILL, CascadeDecoder

DEFAULT_BUDGET_MS = 300.0

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser(
        "decode", parents=[common], help="read the QR codes (and barcodes) in images"
    )
    p.add_argument("images", nargs="+", metavar="IMAGE")
    _engine_options(p, "only this engine, one pass (default: the cascade of variants)")
    p.add_argument(
        "--budget-ms",
        type=_budget,
        default=DEFAULT_BUDGET_MS,
        help=f"time for the cascade per image (default {DEFAULT_BUDGET_MS:g} ms)",
    )
    p.set_defaults(func=run_decode)

    p = sub.add_parser("scan", parents=[common], help="check in the cards a camera or video shows")
    p.add_argument(
        "--source",
        metavar="SRC",
        help="webcam index, video file, image folder or stream URL (default: settings)",
    )
    p.add_argument("--room", help="room code (needed at an entrance kiosk)")
    p.add_argument(
        "--live",
        action="store_true",
        help="read a file like a camera: real-time pace, newest frame only",
    )
    _engine_options(p, "decoder (default: settings, zxing)")
    p.add_argument(
        "--single-pass",
        action="store_true",
        help="decode every frame as it is (no preprocessing variants across frames)",
    )
    p.set_defaults(func=run)


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60_000:
        raise argparse.ArgumentTypeError("a time in milliseconds, e.g. 300")
    return value


def _engine_options(p: argparse.ArgumentParser, engine_help: str) -> None:
    p.add_argument("--engine", choices=ENGINES, help=engine_help)
    p.add_argument(
        "--legacy",
        action="store_true",
        default=None,
        help="also read Code 128 member-number barcodes of older cards",
    )


def _still_decoder(args: argparse.Namespace, settings: Settings) -> Decoder | None:
    legacy = settings.legacy_barcodes if args.legacy is None else args.legacy
    try:
        if args.engine:
            return make_decoder(args.engine, legacy=legacy)
        make_decoder(DEFAULT_ENGINE)  # says why not when zxing-cpp is missing
        return CascadeDecoder(STILL, legacy=legacy, budget_ms=args.budget_ms)
    except DecoderUnavailable as e:
        print(f"kiosk: error: {e}", file=sys.stderr)
        return None


def _pipeline(args: argparse.Namespace, settings: Settings) -> CardPipeline | None:
    try:
        return CardPipeline.for_cards(
            args.engine or settings.decoder,
            legacy=settings.legacy_barcodes,
            rotate=not args.single_pass,
        )
    except DecoderUnavailable as e:
        print(f"kiosk: error: {e}", file=sys.stderr)
        return None


def _line(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str), flush=True)


def run_decode(args: argparse.Namespace, settings: Settings) -> int:
    decoder = _still_decoder(args, settings)
    if decoder is None:
        return 2
    failed = 0
    for name in args.images:
        image = cv2.imread(name, cv2.IMREAD_UNCHANGED) if Path(name).is_file() else None
        if image is None:
            failed += 1
            error = "not found" if not Path(name).exists() else "not a readable image"
            if args.json:
                _line({"file": name, "codes": [], "error": error})
            print(f"kiosk: error: {name}: {error}", file=sys.stderr)
            continue
        codes = safe_decode(decoder, image)
        if args.json:
            _line({"file": name, "codes": [c.to_json() for c in codes]})
        else:
            found = "; ".join(f"{c.format} {c.text}" for c in codes) or "no code"
            print(f"{name}: {found}")
    return 2 if failed else 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`kiosk scan`: source -> decoder -> scanner -> check-in, one line per card event."""
    from kiosk.services.kiosk import KioskService

    if args.legacy is not None:  # --legacy reads old barcodes and lets check-in accept them
        settings = replace(settings, legacy_barcodes=args.legacy)
    pipeline = _pipeline(args, settings)
    if pipeline is None:
        return 2
    spec = parse_source(args.source or settings.camera)
    service = KioskService.open(settings)
    try:
        service.room_for(args.room)  # an entrance kiosk needs --room: say so before scanning

        def on_event(event: CardEvent) -> None:
            if looks_like_group(event.text):
                log.warning("frame %s: a school group's QR: check groups in on the kiosk "
                            "screen or with `kiosk groups checkin`", event.frame)  # fmt: skip
                return
            decision = service.check_in(event.text, room=args.room, source=event.source)
            if args.json:
                _line({**decision.to_json(), "frame": event.frame})
            else:
                who = decision.member_name or decision.member or "-"
                print(
                    f"frame {event.frame}: {decision.decision}: {who}"
                    + (f" ({decision.detail})" if decision.detail else ""),
                    flush=True,
                )

        try:
            if spec.kind in ("file", "images") and not args.live:
                pipeline.run(read_frames(spec), on_event)
            else:
                with LiveSource(spec) as live:
                    pipeline.run(live, on_event)
        except SourceError as e:
            print(f"kiosk: error: {e}", file=sys.stderr)
            return 2
    finally:
        service.close()
    return 0
