"""Visit commands: checkin, guest, groups, purge."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.files.landing import land, out_folder
from kiosk.adapters.render.letters import write_letter
from kiosk.adapters.render.prints import group_letter
from kiosk.adapters.render.table import Column, Table
from kiosk.adapters.render.table import text as table_text
from kiosk.adapters.render.terminal import KEEP, RIGHT, WRAP
from kiosk.cli import checked, common_options, emit
from kiosk.config import Settings
from kiosk.domain.checkin import Decision
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.dates import parse_date, parse_visit_time
from kiosk.domain.fields import FieldError
from kiosk.domain.groups import GroupStatus, level_code
from kiosk.domain.guests import CATEGORIES, GENDERS, OTHER_ORIGIN, PURPOSES
from kiosk.domain.vocab import N_, Source, words
from kiosk.i18n import gettext
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService

LEVEL_HELP = "PAUD, TK, SD (MI), SMP (MTs), SMA (SMK, MA), PT (university), LAINNYA"


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser("checkin", parents=[common], help="check in a card text or member number")
    p.add_argument("text", help="what the card's QR holds, or a member number typed by hand")
    p.add_argument("--room", help="room code (needed at an entrance kiosk)")
    p.add_argument(
        "--at", metavar="TIME", help="back-enter: date and time, e.g. '2026-11-27 09:30' (WIB)"
    )
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser("guest", parents=[common], help="check in a guest (non-member)")
    p.add_argument("--category", required=True, choices=CATEGORIES)
    p.add_argument("--gender", required=True, choices=GENDERS)
    p.add_argument("--origin", required=True, help=f"kabupaten/kota code, or '{OTHER_ORIGIN}'")
    p.add_argument("--origin-other", help="the place, when --origin other")
    p.add_argument("--purpose", required=True, choices=PURPOSES)
    p.add_argument("--name", help="optional")
    p.add_argument("--institution", help="school, campus or office (optional)")
    p.add_argument("--room")
    p.add_argument("--at", metavar="TIME", help="back-enter: date and time (WIB)")
    p.set_defaults(func=cmd_guest)

    groups = sub.add_parser("groups", help="school and kindergarten group visits")
    gsub = groups.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = gsub.add_parser("add", parents=[common], help="register a group visit")
    _group_options(p, required=True)
    p.set_defaults(func=cmd_groups_add)
    p = gsub.add_parser("list", parents=[common], help="list group visits and their arrivals")
    p.add_argument("--date", type=checked(parse_date), metavar="DATE")
    p.set_defaults(func=cmd_groups_list)
    p = gsub.add_parser("cancel", parents=[common], help="cancel a planned group visit")
    p.add_argument("code")
    p.set_defaults(func=cmd_groups_cancel)
    p = gsub.add_parser("edit", parents=[common], help="correct a group registration")
    p.add_argument("code")
    _group_options(p, required=False)
    p.set_defaults(func=cmd_groups_edit)
    p = gsub.add_parser("letter", parents=[common], help="print a group's confirmation letter")
    p.add_argument("code")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--mkdir", action="store_true", help="create the --out folder if missing")
    p.set_defaults(func=cmd_groups_letter)
    p = gsub.add_parser("checkin", parents=[common], help="check in an arriving group")
    p.add_argument("code", help="group code or the text of its QR")
    p.add_argument("--children", type=int, required=True)
    p.add_argument("--adults", type=int, required=True)
    p.add_argument("--boys", type=int)
    p.add_argument("--girls", type=int)
    p.add_argument("--room")
    p.add_argument("--at", metavar="TIME", help="back-enter: date and time (WIB)")
    p.set_defaults(func=cmd_groups_checkin)

    p = sub.add_parser("purge", parents=[common], help="purge guests' personal data past retention")
    p.set_defaults(func=cmd_purge)


# A group registration's options: (option, the service's keyword, type, help). `groups add`
# needs the first five; `groups edit` takes any of them and changes only those given.
GROUP_OPTIONS: list[tuple[str, str, Callable[[str], Any], str]] = [
    ("--date", "visit_date", checked(parse_date), "day of the visit"),
    ("--institution", "institution", str, "school or kindergarten"),
    ("--level", "level", checked(level_code), LEVEL_HELP),
    ("--children", "expected_children", int, "expected children"),
    ("--adults", "expected_adults", int, "expected teachers and parents"),
    ("--leader", "leader_name", str, "leader's name"),
    ("--phone", "leader_phone", str, "leader's phone"),
    ("--purpose", "purpose", str, "optional, e.g. 'library tour, storytelling'"),
]
REQUIRED_GROUP_OPTIONS = 5


def _group_options(p: argparse.ArgumentParser, required: bool) -> None:
    for n, (flag, keyword, kind, what) in enumerate(GROUP_OPTIONS):
        p.add_argument(
            flag,
            dest=keyword,
            type=kind,
            metavar=flag[2:].upper(),
            required=required and n < REQUIRED_GROUP_OPTIONS,
            help=what,
        )


def _group_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The registration fields given on the command line, by the service's keywords."""
    return {keyword: getattr(args, keyword) for _flag, keyword, _k, _w in GROUP_OPTIONS}


def past(args: argparse.Namespace, settings: Settings) -> datetime | None:
    """--at: a visit back-entered from the paper guest book: a past date with its time, not
    before the year the library's records start."""
    if args.at is None:
        return None
    try:
        return parse_visit_time(args.at, utcnow(), settings.library_opened)
    except ValueError as e:
        raise FieldError(f"--at: {e}", "at") from None


def _report(args: argparse.Namespace, d: Decision, lang: str) -> int:
    who = d.member_name or d.member or d.visitor_type
    said = str(d.decision) if d.accepted else f"{d.decision} ({gettext(words(d.decision), lang)})"
    text = f"{said}: {who}" + (f" -> {d.room}" if d.room else "")
    if d.detail:
        text += f" ({d.detail})"
    emit(args, d.to_json(), text)
    return 0 if d.accepted else 1


def cmd_checkin(args: argparse.Namespace, settings: Settings) -> int:
    at = past(args, settings)
    svc = KioskService.open(settings)
    d = svc.check_in(args.text, args.room, at=at, source=Source.PAPER if at else Source.CLI)
    return _report(args, d, settings.language)


def cmd_guest(args: argparse.Namespace, settings: Settings) -> int:
    at = past(args, settings)
    svc = KioskService.open(settings)
    form = GuestForm(
        category=args.category,
        gender=args.gender,
        origin=args.origin,
        purpose=args.purpose,
        origin_other=args.origin_other,
        name=args.name,
        institution=args.institution,
    )
    return _report(args, svc.guest_check_in(form, args.room, at=at), settings.language)


def cmd_groups_add(args: argparse.Namespace, settings: Settings) -> int:
    info = KioskService.open(settings).add_group(**_group_fields(args))
    emit(
        args,
        info.to_json(),
        f"group {info.code} on {info.visit_date:%d-%m-%Y}: {info.institution}; print its letter "
        f"with `kiosk groups letter {info.code} --out rombongan-{info.code}.pdf`",
    )
    return 0


GROUP_COLUMNS = [
    Column("code", N_("Code"), fit=KEEP),
    Column("date", N_("Date"), fit=KEEP),
    Column("level", N_("Level"), fit=KEEP),
    Column("institution", N_("Institution"), fit=WRAP),
    Column("expected", N_("Expected"), fit=RIGHT),  # children+adults
    Column("arrived", N_("Arrived"), fit=RIGHT),
    Column("status", N_("Status"), fit=WRAP),  # "sudah datang" may take two lines
]


def cmd_groups_list(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    rows = svc.groups_on(args.date)
    svc.log_access("list", f"groups {args.date or 'all'} (leader names)", len(rows))
    lang = settings.language
    cells = [
        [
            r.code,
            f"{r.visit_date:%d-%m-%Y}",
            r.level,
            r.institution,
            f"{r.expected_children}+{r.expected_adults}",
            f"{r.arrived_children}+{r.arrived_adults}" if r.status == GroupStatus.ARRIVED else "-",
            gettext(r.status, lang),
        ]
        for r in rows
    ]
    text = (
        table_text(Table("", GROUP_COLUMNS, cells), lang)
        + "\n"
        + gettext(N_("(children+adults)"), lang)
        if rows
        else gettext(N_("no groups"), lang)
    )
    emit(args, [r.to_json() for r in rows], text)
    return 0


def cmd_groups_cancel(args: argparse.Namespace, settings: Settings) -> int:
    info = KioskService.open(settings).cancel_group(args.code)
    emit(
        args,
        info.to_json(),
        f"group {info.code} ({info.institution}, {info.visit_date:%d-%m-%Y}) cancelled: "
        "its QR no longer checks in",
    )
    return 0


def cmd_groups_edit(args: argparse.Namespace, settings: Settings) -> int:
    info = KioskService.open(settings).edit_group(args.code, **_group_fields(args))
    emit(
        args,
        info.to_json(),
        f"group {info.code}: {info.visit_date:%d-%m-%Y}, {info.institution}, {info.level}, "
        f"{info.expected_children} children, {info.expected_adults} adults",
    )
    return 0


def cmd_groups_letter(args: argparse.Namespace, settings: Settings) -> int:
    if args.out.suffix.lower() != ".pdf":
        raise FieldError(f"--out {args.out} must end in .pdf", "out")
    out_folder(args.out.parent, args.mkdir)
    svc = KioskService.open(settings)
    info = svc.group_info(args.code)
    letter = group_letter(info, local_day(svc.clock.now()))
    path = land(args.out, lambda tmp: write_letter(letter, settings.library_name, tmp))
    emit(
        args,
        {"code": info.code, "file": str(path)},
        f"letter for {info.institution} ({info.code}) written to {path.resolve()}",
    )
    return 0


def cmd_groups_checkin(args: argparse.Namespace, settings: Settings) -> int:
    at = past(args, settings)
    svc = KioskService.open(settings)
    d = svc.group_check_in(
        args.code,
        args.children,
        args.adults,
        room=args.room,
        boys=args.boys,
        girls=args.girls,
        at=at,
        source=Source.PAPER if at else Source.CLI,
    )
    return _report(args, d, settings.language)


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    now, days = svc.clock.now(), settings.guest_retention_days
    done = svc.purge_personal_data(now)
    guests, leaders = done.guests, done.group_leaders
    emit(
        args,
        {"purged_guests": guests, "purged_group_leaders": leaders, "retention_days": days,
         "day": local_day(now).isoformat(), "purged_member_visit_links": done.member_visit_links,
         "purged_refusal_excerpts": done.refusal_excerpts,
         "deleted_closed_surveys": done.closed_surveys},
        f"personal fields purged after {days} days: {guests} guest(s), {leaders} group leader(s); "
        f"{done.member_visit_links} visit(s) unlinked from members, "
        f"{done.refusal_excerpts} refusal excerpt(s) and {done.closed_surveys} closed survey(s) "
        "past their retention",
    )  # fmt: skip
    return 0
