"""Set-up and member commands: init, members, cards, purge."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kiosk.adapters.render.cards import CardFace, write_pdf, write_pngs
from kiosk.cli import checked, common_options, emit
from kiosk.cli.progress import Progress
from kiosk.config import Settings
from kiosk.domain.members import GENDERS
from kiosk.services.kiosk import KioskService
from kiosk.services.setup import init_kiosk


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser("init", parents=[common], help="create or upgrade the database and keys")
    p.add_argument(
        "--new-key",
        action="store_true",
        help="add a new card key (or, if the key is lost, make one: printed cards then fail)",
    )
    p.set_defaults(func=cmd_init)

    members = sub.add_parser("members", help="register, list, import members; revoke cards")
    msub = members.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = msub.add_parser("add", parents=[common], help="register a member")
    p.add_argument("number")
    p.add_argument("name")
    p.add_argument("--gender", choices=GENDERS)
    p.add_argument("--category", help="member type, e.g. Umum, Pelajar, Mahasiswa")
    p.add_argument("--expires", type=checked(date.fromisoformat), metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_members_add)
    p = msub.add_parser("list", parents=[common], help="list members")
    p.add_argument("--search", help="part of a name or number")
    p.set_defaults(func=cmd_members_list)
    p = msub.add_parser("show", parents=[common], help="show what is kept about a member")
    p.add_argument("number")
    p.set_defaults(func=cmd_members_show)
    p = msub.add_parser("import", parents=[common], help="import a CSV or a SLiMS export")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check the file, change nothing")
    p.set_defaults(func=cmd_members_import)
    p = msub.add_parser("revoke-card", parents=[common], help="issue the next card; old ones fail")
    p.add_argument("number")
    p.set_defaults(func=cmd_members_revoke)
    for action, flag in (("suspend", True), ("unsuspend", False)):
        p = msub.add_parser(action, parents=[common], help=f"{action} a member")
        p.add_argument("number")
        p.set_defaults(func=cmd_members_suspend, suspended=flag)
    p = msub.add_parser("erase", parents=[common], help="erase a member on request (UU PDP)")
    p.add_argument("number")
    p.add_argument("--yes", action="store_true", help="really erase")
    p.set_defaults(func=cmd_members_erase)

    p = sub.add_parser("cards", parents=[common], help="print member cards (PDF or PNG)")
    p.add_argument("--out", type=Path, required=True, help="PDF file, or folder with --format png")
    p.add_argument("--format", choices=("pdf", "png"), default="pdf")
    p.add_argument("--members", nargs="+", metavar="NUMBER", help="only these members")
    p.set_defaults(func=cmd_cards)


def open_service(settings: Settings) -> KioskService:
    return KioskService.open(settings)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    done = init_kiosk(settings, new_key=args.new_key)
    if done.warning:
        print(f"kiosk: warning: {done.warning}", file=sys.stderr)
    data = {
        "database": done.database,
        "schema": done.schema,
        "card_key_file": str(done.key_file),
        "new_card_key": done.new_key,
        "card_key_id": done.key_id,
    }
    new = " (new: copy it to every kiosk of the library)" if done.key_action == "created" else ""
    text = f"database ready at schema {done.schema}: {done.database}"
    emit(args, data, f"{text}\ncard key: {done.key_file}{new}")
    return 0


def cmd_members_add(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    info = svc.add_member(args.number, args.name, args.gender, args.category, args.expires)
    emit(args, info.to_json(), f"added member {info.number}: {info.name}")
    return 0


def cmd_members_list(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    rows = svc.list_members(args.search)
    asked = f"members --search {args.search}" if args.search else "members"
    svc.log_access("list", asked, len(rows))
    lines = [
        f"{r.number:<20} {r.name:<32} {r.category or '-':<12} "
        f"{r.expires.isoformat() if r.expires else '-':<10} card {r.card_seq}"
        f"{'  SUSPENDED' if r.suspended else ''}"
        for r in rows
    ]
    emit(args, [r.to_json() for r in rows], "\n".join(lines) or "no members")
    return 0


def cmd_members_show(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    data = svc.member_record(args.number)
    svc.log_access("show", f"member {args.number}", 1)
    emit(args, data, "\n".join(f"{k}: {v}" for k, v in data.items()))
    return 0


def cmd_members_import(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.adapters.files.member_file import parse_member_file

    result = parse_member_file(args.file.read_bytes())
    svc = open_service(settings)
    applied = None
    if not result.refused and not args.dry_run:
        progress = Progress(len(result.rows), "members")
        applied = svc.import_members(result.rows, result.fields, progress.step)
        progress.done()
    data = {
        "file": str(args.file),
        "format": result.format,
        "encoding": result.encoding,
        "rows": len(result.rows),
        "refused": [{"line": r.line, "reason": r.reason} for r in result.refused],
        "imported": applied is not None,
        "added": applied[0] if applied else 0,
        "updated": applied[1] if applied else 0,
    }
    lines = [f"line {r.line}: {r.reason}" for r in result.refused]
    if result.refused:
        lines.append(
            f"nothing imported: {len(result.refused)} row(s) refused, {len(result.rows)} fine"
        )
    elif applied is None:
        lines.append(f"dry run: {len(result.rows)} row(s) would be imported")
    else:
        lines.append(f"imported {len(result.rows)} row(s): {applied[0]} new, {applied[1]} updated")
    emit(args, data, "\n".join(lines))
    return 0 if not result.refused else 1


def cmd_members_revoke(args: argparse.Namespace, settings: Settings) -> int:
    seq = open_service(settings).revoke_card(args.number)
    emit(
        args,
        {"number": args.number, "card_seq": seq},
        f"{args.number}: card {seq} issued, earlier cards no longer work; "
        f"print it with `kiosk cards --members {args.number} --out card.pdf`",
    )
    return 0


def cmd_members_suspend(args: argparse.Namespace, settings: Settings) -> int:
    open_service(settings).set_suspended(args.number, args.suspended)
    word = "suspended" if args.suspended else "active again"
    emit(args, {"number": args.number, "suspended": args.suspended}, f"{args.number}: {word}")
    return 0


def cmd_members_erase(args: argparse.Namespace, settings: Settings) -> int:
    if not args.yes:
        raise ValueError("erasing cannot be undone: add --yes to erase the member")
    svc = open_service(settings)
    kept = svc.erase_member(args.number)
    svc.log_access("erase", f"member {args.number}", 1)
    emit(
        args,
        {"number": args.number, "erased": True, "anonymous_visits_kept": kept},
        f"{args.number} erased; {kept} visit(s) kept as anonymous counts",
    )
    return 0


def cmd_cards(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    cards = svc.member_cards(args.members)
    if not cards:
        raise ValueError("no members to print")
    svc.log_access("print", f"cards ({args.format}) to {args.out}", len(cards))
    faces = [CardFace(i.number, i.name, payload, i.category) for i, payload in cards]
    if args.format == "png":
        paths = write_pngs(faces, settings.library_name, args.out)
        emit(
            args,
            {"format": "png", "files": [str(p) for p in paths]},
            f"{len(paths)} cards in {args.out}",
        )
    else:
        pages = write_pdf(faces, settings.library_name, args.out)
        emit(
            args,
            {"format": "pdf", "file": str(args.out), "cards": len(faces), "pages": pages},
            f"{len(faces)} cards on {pages} page(s): {args.out}",
        )
    return 0
