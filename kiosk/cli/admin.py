"""Set-up and member commands: init, members, cards, purge."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kiosk.adapters.files.landing import land, out_folder
from kiosk.adapters.render.cards import CardError, Sheet, write_pdf, write_pngs
from kiosk.adapters.render.prints import card_faces
from kiosk.adapters.render.table import Column, Table
from kiosk.adapters.render.table import text as table_text
from kiosk.adapters.render.terminal import KEEP, WRAP
from kiosk.cli import checked, common_options, emit
from kiosk.cli.progress import Progress
from kiosk.config import Settings
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.dates import parse_date
from kiosk.domain.fields import FieldError
from kiosk.domain.members import GENDERS, CardChoice, import_warnings
from kiosk.domain.vocab import N_
from kiosk.i18n import gettext
from kiosk.services.kiosk import KioskService
from kiosk.services.members import MemberInfo
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
    p.add_argument("--expires", type=checked(parse_date), metavar="DATE")
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
    p = msub.add_parser("renew", parents=[common], help="extend a membership (12 months default)")
    p.add_argument("number")
    p.add_argument("--until", type=checked(parse_date), metavar="DATE", help="new end date")
    p.add_argument("--months", type=int, help="months from the current end (or from today)")
    p.set_defaults(func=cmd_members_renew)
    p = msub.add_parser("edit", parents=[common], help="correct a member's name, type or gender")
    p.add_argument("number")
    p.add_argument("--name")
    p.add_argument("--category", help="member type; '' clears it")
    p.add_argument("--gender", choices=(*GENDERS, ""), help="L or P; '' clears it")
    p.set_defaults(func=cmd_members_edit)
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
    p.add_argument("--mkdir", action="store_true", help="create the --out folder if missing")
    p.add_argument("--members", nargs="+", metavar="NUMBER", help="only these members")
    p.add_argument("--expiring-before", type=checked(parse_date), metavar="DATE")
    p.add_argument(
        "--category", help="only this category (any member type counted in it, any case)"
    )
    p.add_argument(
        "--new-since", type=checked(parse_date), metavar="DATE", help="registered on or after"
    )
    p.add_argument("--with-expired", action="store_true", help="also expired members")
    p.add_argument("--with-suspended", action="store_true", help="also suspended members")
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


MEMBER_COLUMNS = [
    Column("number", N_("Number"), fit=KEEP),
    Column("name", N_("Name"), fit=WRAP),  # staff look for the whole name
    Column("category", N_("Member type")),
    Column("expires", N_("Valid until"), fit=KEEP),
    Column("card", N_("Card"), "count"),
    Column("status", N_("Status"), fit=KEEP),
]


def _status(info: MemberInfo, today: date) -> str:
    if info.suspended:
        return N_("suspended")
    if info.expires is not None and info.expires < today:
        return N_("expired")
    return N_("active")


def cmd_members_list(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    rows = svc.list_members(args.search)
    asked = f"members --search {args.search}" if args.search else "members"
    svc.log_access("list", asked, len(rows))
    lang, today = settings.language, local_day(utcnow())
    cells = [
        [
            r.number,
            r.name,
            r.category,
            f"{r.expires:%d-%m-%Y}" if r.expires else None,
            r.card_seq,
            gettext(_status(r, today), lang),
        ]
        for r in rows
    ]
    text = (
        table_text(Table("", MEMBER_COLUMNS, cells), lang)
        if rows
        else gettext(N_("no members"), lang)
    )
    emit(args, [r.to_json() for r in rows], text)
    return 0


def cmd_members_renew(args: argparse.Namespace, settings: Settings) -> int:
    info = open_service(settings).renew_member(args.number, args.until, args.months)
    until = f"{info.expires:%d-%m-%Y}" if info.expires else "-"
    emit(args, info.to_json(), f"{info.number} ({info.name}): membership valid until {until}")
    return 0


def cmd_members_edit(args: argparse.Namespace, settings: Settings) -> int:
    info = open_service(settings).edit_member(
        args.number, name=args.name, category=args.category, gender=args.gender
    )
    emit(
        args,
        info.to_json(),
        f"{info.number}: {info.name}, {info.category or '-'}, {info.gender or '-'}; "
        f"reprint the card with `kiosk cards --members {info.number} --out card.pdf`",
    )
    return 0


def cmd_members_show(args: argparse.Namespace, settings: Settings) -> int:
    svc = open_service(settings)
    data = svc.member_record(args.number)
    svc.log_access("show", f"member {args.number}", 1)
    emit(args, data, "\n".join(f"{k}: {v}" for k, v in data.items()))
    return 0


def cmd_members_import(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.adapters.files.csvfiles import ImportFileError
    from kiosk.adapters.files.member_file import parse_member_file

    try:
        result = parse_member_file(args.file.read_bytes())
    except ImportFileError as e:  # the file as a whole: name it, like a refused row
        raise FieldError(f"{args.file}: {e}", "file") from None
    rows = [(r.line, r.number, r.category, r.expires) for r in result.rows]
    warnings = [
        *result.warnings,
        *import_warnings(rows, local_day(utcnow()), settings.categories),
    ]
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
        "warnings": warnings,
        "imported": applied is not None,
        "added": applied[0] if applied else 0,
        "updated": applied[1] if applied else 0,
    }
    lines = [f"{args.file} line {r.line}: {r.reason}" for r in result.refused]
    lines += [f"warning: {w}" for w in warnings]
    if result.refused:
        lines.append(
            f"nothing imported: {len(result.refused)} row(s) refused, {len(result.rows)} fine; "
            "correct the rows named above and import the file again"
        )
    elif applied is None:
        lines.append(f"dry run: {len(result.rows)} row(s) would be imported")
    else:
        lines.append(f"imported {len(result.rows)} row(s): {applied[0]} new, {applied[1]} updated")
    if result.refused and args.json:
        first = result.refused[0]
        data["error"] = f"{args.file} line {first.line}: {first.reason}"
        data["field"] = "file"
    emit(args, data, "\n".join(lines))
    if result.refused:
        sys.stdout.flush()
        print(f"kiosk: error: {len(result.refused)} row(s) of {args.file} refused", file=sys.stderr)
        return 2
    return 0


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
    choice = CardChoice(
        expiring_before=args.expiring_before,
        category=args.category,
        new_since=args.new_since,
        with_expired=args.with_expired,
        with_suspended=args.with_suspended,
        categories=settings.categories,
    )
    folder = args.out if args.format == "png" else args.out.parent
    out_folder(folder, args.mkdir)
    if args.format == "pdf" and args.out.suffix.lower() != ".pdf":
        raise FieldError(f"--out {args.out} must end in .pdf (or use --format png)", "out")
    svc = open_service(settings)
    cards = svc.member_cards(args.members, choice)
    if not cards:
        raise FieldError(
            "no members to print: none match (expired and suspended members need "
            "--with-expired / --with-suspended)",
            "members",
        )
    svc.log_access("print", f"cards ({args.format}) to {args.out}", len(cards))
    faces = card_faces(cards)
    refused: list[CardError]
    if args.format == "png":
        paths, refused = write_pngs(faces, settings.library_name, args.out)
        data: dict[str, object] = {"format": "png", "files": [str(p) for p in paths]}
        text = f"{len(paths)} cards written to {args.out.resolve()}"
    else:
        sheets: list[Sheet] = []
        path = land(
            args.out, lambda tmp: sheets.append(write_pdf(faces, settings.library_name, tmp))
        )
        refused = sheets[0].refused
        data = {
            "format": "pdf",
            "file": str(path),
            "cards": sheets[0].cards,
            "pages": sheets[0].pages,
        }
        text = f"{sheets[0].cards} cards on {sheets[0].pages} page(s) written to {path.resolve()}"
    data["refused"] = [{"number": e.number, "reason": str(e)} for e in refused]
    lines = [f"not printed: {e}" for e in refused] + [text]
    emit(args, data, "\n".join(lines))
    return 1 if refused else 0
