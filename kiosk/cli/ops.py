"""Running a kiosk: backup, restore, doctor, audit."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from kiosk.cli import checked, common_options, emit
from kiosk.config import Settings
from kiosk.domain.clock import day_bounds_utc, local_time
from kiosk.services import backup as b
from kiosk.services import doctor as d
from kiosk.services.kiosk import KioskService


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser("backup", parents=[common], help="copy the database now, verified")
    p.add_argument("--to", type=Path, metavar="FOLDER", help="folder or USB drive (default: data)")
    p.add_argument("--keep", type=int, default=7, help="backups kept in the folder (default 7)")
    p.add_argument("--list", action="store_true", help="list the backups, make none")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="put a verified backup in place")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("doctor", parents=[common], help="check camera, database, key, disk ...")
    p.add_argument("--no-camera", action="store_true", help="skip the camera (it is in use)")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("audit", parents=[common], help="who saw or exported personal data")
    p.add_argument("--since", type=checked(date.fromisoformat), metavar="YYYY-MM-DD")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(func=cmd_audit)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    folder = args.to or b.default_folder(settings)
    if args.list:
        found = b.list_backups(folder)
        emit(
            args,
            [{"file": str(p), "bytes": p.stat().st_size} for p in found],
            "\n".join(f"{p}  {p.stat().st_size} bytes" for p in found) or f"no backups in {folder}",
        )
        return 0
    try:
        done = b.make_backup(settings, folder, args.keep)
    except b.BackupError as e:
        raise ValueError(str(e)) from None
    key = "; card key copied beside it" if done.key_copied else ""
    emit(
        args,
        done.to_json(),
        f"backup verified: {done.file} ({done.members} members, {done.visits} visits){key}"
        + (f"; {len(done.removed)} older backup(s) removed" if done.removed else ""),
    )
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        done = b.restore(settings, args.file)
    except b.BackupError as e:
        raise ValueError(f"{e}; nothing was changed") from None
    kept = f"; the replaced database is kept as {done.kept_as}" if done.kept_as else ""
    key = "; card key restored from the copy beside the backup" if done.key_restored else ""
    emit(
        args,
        done.to_json(),
        f"restored {done.file} ({done.members} members, {done.visits} visits) "
        f"to {done.database}{kept}{key}; restart the kiosk",
    )
    return 0


def probe_camera(setting: str) -> tuple[bool, str]:
    """Open the configured camera and read one frame."""
    from kiosk.vision.sources import SourceError, open_capture

    try:
        cap = open_capture(setting)
    except SourceError as e:
        return False, str(e)
    try:
        ok, image = cap.read()
    finally:
        cap.release()
    if not ok or image is None:
        return False, f"camera {setting} opens but gives no picture"
    return True, f"camera {setting}: {image.shape[1]}x{image.shape[0]}"


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    checks = d.run_checks(settings, None if args.no_camera else probe_camera)
    lines = []
    for c in checks:
        lines.append(f"{c.status.upper():<4}  {c.name:<9} {c.detail}")
        if c.fix:
            lines.append(f"{'':<15} -> {c.fix}")
    emit(args, [c.to_json() for c in checks], "\n".join(lines))
    return 1 if any(c.status == d.FAIL for c in checks) else 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    since = day_bounds_utc(args.since)[0] if args.since else None
    rows = svc.access_log(since, args.limit)
    lines = [
        f"{local_time(r.at):%Y-%m-%d %H:%M}  {r.actor:<24} {r.channel:<6} {r.action:<7} "
        f"{r.rows:>5} row(s)  {r.subject}"
        for r in rows
    ]
    emit(args, [r.to_json() for r in rows], "\n".join(lines) or "no access recorded")
    return 0
