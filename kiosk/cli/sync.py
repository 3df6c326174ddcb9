"""Several kiosks and sites: `kiosk serve`, `kiosk kiosks add|list|revoke` (central side),
`kiosk enroll` and `kiosk sync` (kiosk side)."""

from __future__ import annotations

import argparse
import json
import os

from kiosk.cli import common_options, emit
from kiosk.config import Settings
from kiosk.layout import load_layout


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser(
        "serve", parents=[common], help="run the central server (sync API and dashboard)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8340, help="port (8340)")
    p.add_argument("--workers", type=int, default=1, help="server processes (1)")
    p.set_defaults(func=cmd_serve)

    kiosks = sub.add_parser("kiosks", help="enrol, list and revoke kiosks (central side)")
    ksub = kiosks.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ksub.add_parser("add", parents=[common], help="make a one-time enrolment code")
    p.add_argument("kiosk_id", metavar="ID")
    p.add_argument("--site", required=True)
    p.add_argument("--location", default="entrance", help="entrance (default) or a room code")
    p.set_defaults(func=cmd_kiosks_add)
    p = ksub.add_parser("list", parents=[common], help="kiosks with their last contact")
    p.set_defaults(func=cmd_kiosks_list)
    p = ksub.add_parser("revoke", parents=[common], help="stop a kiosk's device token")
    p.add_argument("kiosk_id", metavar="ID")
    p.set_defaults(func=cmd_kiosks_revoke)

    p = sub.add_parser("enroll", parents=[common], help="join this kiosk to a central server")
    p.add_argument("url", help="the central server, e.g. https://kiosk.perpustakaan.example")
    p.add_argument("code", help="the enrolment code from `kiosk kiosks add`")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", parents=[common], help="send visits, fetch members (kiosk side)")
    p.add_argument("what", nargs="?", choices=("status",), help="status: show the numbers")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between rounds (30)")
    p.set_defaults(func=cmd_sync)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from kiosk.services.sync_central import CentralDatabase

    if args.workers < 1:
        raise ValueError("--workers must be 1 or more")
    CentralDatabase.open(settings).close()  # a database or key problem is said now, in one line
    # The workers read the same settings from the environment.
    if args.config:
        os.environ["KIOSK_CONFIG"] = str(args.config)
    if args.db:
        os.environ["KIOSK_DB_URL"] = args.db
    uvicorn.run(
        "kiosk.server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level="warning",
    )
    return 0


def _check_place(settings: Settings, site: str, location: str) -> None:
    layout = load_layout(settings.layout_file)
    found = layout.site(site)  # LookupError names the sites
    if location != "entrance" and found.room(location) is None:
        rooms = ", ".join(r.code for r in found.rooms)
        raise ValueError(f"{location!r} is neither 'entrance' nor a room of {site} ({rooms})")


def cmd_kiosks_add(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.sync_central import CentralDatabase, add_kiosk

    _check_place(settings, args.site, args.location)
    db = CentralDatabase.open(settings)
    try:
        with db.sessions() as s, s.begin():
            enrolment = add_kiosk(s, args.kiosk_id, args.site, args.location)
    finally:
        db.close()
    data = enrolment.to_json()
    emit(
        args,
        {k: data[k] for k in ("kiosk", "site", "code", "expires")} | {"location": args.location},
        f"enrolment code for {enrolment.kiosk} ({enrolment.site}, {enrolment.location}): "
        f"{enrolment.code}\nvalid until {enrolment.expires.isoformat(timespec='minutes')}; "
        f"on the kiosk run: kiosk enroll SERVER_URL {enrolment.code}",
    )
    return 0


def cmd_kiosks_list(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.sync_central import CentralDatabase, list_kiosks

    db = CentralDatabase.open(settings)
    try:
        with db.sessions() as s:
            rows = list_kiosks(s)
    finally:
        db.close()
    lines = []
    for r in rows:
        state = "REVOKED" if r["revoked"] else "enrolled" if r["enrolled"] else "code issued"
        clock = f"clock {r['clock_offset_s']:+d}s" if r["clock_offset_s"] is not None else ""
        shown = {k: "-" if r[k] is None else r[k] for k in r}
        lines.append(
            f"{r['kiosk']:<16} {r['site']:<10} {r['location']:<10} {state:<11} "
            f"last {shown['last_contact']:<32} queue {shown['queued']}"
            f" quarantined {shown['quarantined']} "
            f"camera {shown['camera']} disk {shown['free_disk_mb']} MB {clock}"
            f"{'  CLOCK OFF' if r['clock_flag'] else ''}"
        )
    emit(args, rows, "\n".join(lines) or "no kiosks")
    return 0


def cmd_kiosks_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.sync_central import CentralDatabase, revoke_kiosk

    db = CentralDatabase.open(settings)
    try:
        with db.sessions() as s, s.begin():
            revoke_kiosk(s, args.kiosk_id)
    finally:
        db.close()
    emit(args, {"kiosk": args.kiosk_id, "revoked": True}, f"{args.kiosk_id}: revoked")
    return 0


def cmd_enroll(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.sync_kiosk import enroll

    data = enroll(settings, args.url, args.code)
    lines = [
        f"enrolled as {data['kiosk']} at {data['site']} ({data['location']}) with {data['server']}",
        f"card keys: {data['card_key_file']}; {data['queued_from_before']} earlier record(s) "
        "queued for the server",
    ]
    lines += [f"set {k} = {v!r} in the settings" for k, v in data["settings_to_change"].items()]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.services.sync_kiosk import KioskSync, status_of
    from kiosk.services.sync_worker import SyncWorker

    if args.what == "status":
        st = status_of(settings)
        emit(
            args,
            st.to_json(),
            f"server {st.server or '(none: not enrolled)'}: {st.queued} queued, "
            f"{st.quarantined} quarantined; last push {st.last_push or '-'}, "
            f"last pull {st.last_pull or '-'}"
            + (f"\nlast error ({st.last_error_at}): {st.last_error}" if st.last_error else ""),
        )
        return 0
    if args.once:
        sync = KioskSync.open(settings)
        try:
            summary = sync.cycle()
        finally:
            sync.close()
        emit(args, summary, _summary_text(summary))
        return 0
    KioskSync.open(settings).close()  # not enrolled, or settings that disagree: say so now
    worker = SyncWorker(lambda: KioskSync.open(settings), interval=args.interval)

    def report(summary: dict | None, error: str | None) -> None:
        if error:
            emit(args, {"error": error}, f"sync: {error} (trying again)")
        elif summary:
            emit(args, summary, _summary_text(summary))

    worker.on_cycle = report
    worker.run()
    return 0


def _summary_text(summary: dict) -> str:
    push, pull = summary["push"], summary["pull"]
    return (
        f"pushed {push['stored']} new, {push['duplicate']} already there, "
        f"{push['refused']} quarantined; pulled {json.dumps(pull)}"
    )
