"""Visit commands: checkin, guest, groups, purge."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from kiosk.adapters.files.landing import land, out_folder
from kiosk.adapters.render.letters import write_letter
from kiosk.adapters.render.prints import group_letter
from kiosk.cli import checked, common_options, emit
from kiosk.cli.tables import table
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
        "--at",
        type=checked(past),
        metavar="TIME",
        help="back-enter: date and time, e.g. '2026-11-27 09:30' (WIB)",
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
    p.add_argument("--at", type=checked(past), metavar="TIME")
    p.set_defaults(func=cmd_guest)

    groups = sub.add_parser("groups", help="school and kindergarten group visits")
    gsub = groups.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = gsub.add_parser("add", parents=[common], help="register a group visit")
    p.add_argument("--date", type=checked(parse_date), required=True, metavar="DATE")
    p.add_argument("--institution", required=True)
    p.add_argument("--level", required=True, type=checked(level_code), help=LEVEL_HELP)
    p.add_argument("--children", type=int, required=True, help="expected children")
    p.add_argument("--adults", type=int, required=True, help="expected teachers and parents")
    p.add_argument("--leader", help="leader's name")
    p.add_argument("--phone", help="leader's phone")
    p.add_argument("--purpose", help="optional, e.g. 'library tour, storytelling'")
    p.set_defaults(func=cmd_groups_add)
    p = gsub.add_parser("list", parents=[common], help="list group visits and their arrivals")
    p.add_argument("--date", type=checked(parse_date), metavar="DATE")
    p.set_defaults(func=cmd_groups_list)
    p = gsub.add_parser("cancel", parents=[common], help="cancel a planned group visit")
    p.add_argument("code")
    p.set_defaults(func=cmd_groups_cancel)
    p = gsub.add_parser("edit", parents=[common], help="correct a group registration")
    p.add_argument("code")
    p.add_argument("--date", type=checked(parse_date), metavar="DATE")
    p.add_argument("--institution")
    p.add_argument("--level", type=checked(level_code), help=LEVEL_HELP)
    p.add_argument("--children", type=int, help="expected children")
    p.add_argument("--adults", type=int, help="expected adults")
    p.add_argument("--leader")
    p.add_argument("--phone")
    p.add_argument("--purpose")
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
    p.add_argument("--at", type=checked(past), metavar="TIME")
    p.set_defaults(func=cmd_groups_checkin)

    p = sub.add_parser("purge", parents=[common], help="purge guests' personal data past retention")
    p.set_defaults(func=cmd_purge)


def past(text: str) -> datetime:
    """--at: a visit back-entered from the paper guest book: a past date with its time."""
    return parse_visit_time(text, utcnow())


def _report(args: argparse.Namespace, d: Decision, lang: str) -> int:
    who = d.member_name or d.member or d.visitor_type
    said = str(d.decision) if d.accepted else f"{d.decision} ({gettext(words(d.decision), lang)})"
    text = f"{said}: {who}" + (f" -> {d.room}" if d.room else "")
    if d.detail:
        text += f" ({d.detail})"
    emit(args, d.to_json(), text)
    return 0 if d.accepted else 1


def cmd_checkin(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    source = Source.PAPER if args.at else Source.CLI
    d = svc.check_in(args.text, args.room, at=args.at, source=source)
    return _report(args, d, settings.language)


def cmd_guest(args: argparse.Namespace, settings: Settings) -> int:
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
    return _report(args, svc.guest_check_in(form, args.room, at=args.at), settings.language)


def cmd_groups_add(args: argparse.Namespace, settings: Settings) -> int:
    info = KioskService.open(settings).add_group(
        args.date,
        args.institution,
        args.level,
        args.children,
        args.adults,
        args.leader,
        args.phone,
        args.purpose,
    )
    emit(
        args,
        info.to_json(),
        f"group {info.code} on {info.visit_date:%d-%m-%Y}: {info.institution}; print its letter "
        f"with `kiosk groups letter {info.code} --out rombongan-{info.code}.pdf`",
    )
    return 0


GROUP_HEADINGS = (
    N_("Code"), N_("Date"), N_("Level"), N_("Institution"), N_("Expected"), N_("Arrived"),
    N_("Status"),
)  # fmt: skip


def cmd_groups_list(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    rows = svc.groups_on(args.date)
    svc.log_access("list", f"groups {args.date or 'all'} (leader names)", len(rows))
    lang = settings.language
    cells = [
        (
            r.code,
            f"{r.visit_date:%d-%m-%Y}",
            r.level,
            r.institution,
            f"{r.expected_children}+{r.expected_adults}",
            f"{r.arrived_children}+{r.arrived_adults}" if r.status == GroupStatus.ARRIVED else "-",
            gettext(r.status, lang),
        )
        for r in rows
    ]
    text = (
        table(GROUP_HEADINGS, cells, lang, numeric=(4, 5))
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
    info = KioskService.open(settings).edit_group(
        args.code,
        visit_date=args.date,
        institution=args.institution,
        level=args.level,
        expected_children=args.children,
        expected_adults=args.adults,
        leader_name=args.leader,
        leader_phone=args.phone,
        purpose=args.purpose,
    )
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
    svc = KioskService.open(settings)
    d = svc.group_check_in(
        args.code,
        args.children,
        args.adults,
        room=args.room,
        boys=args.boys,
        girls=args.girls,
        at=args.at,
        source=Source.PAPER if args.at else Source.CLI,
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
