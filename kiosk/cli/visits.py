"""Visit commands: checkin, guest, groups, purge."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta

from kiosk.cli import checked, common_options, emit
from kiosk.config import Settings
from kiosk.domain.checkin import Decision
from kiosk.domain.clock import local_day, parse_at, utcnow
from kiosk.domain.groups import LEVELS
from kiosk.domain.guests import CATEGORIES, GENDERS, OTHER_ORIGIN, PURPOSES
from kiosk.domain.vocab import Source, words
from kiosk.i18n import gettext
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    p = sub.add_parser("checkin", parents=[common], help="check in a card text or member number")
    p.add_argument("text", help="what the card's QR holds, or a member number typed by hand")
    p.add_argument("--room", help="room code (needed at an entrance kiosk)")
    p.add_argument(
        "--at", type=checked(past), metavar="TIME", help="back-enter: ISO 8601, WIB if no zone"
    )
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser("guest", parents=[common], help="check in a guest (non-member)")
    p.add_argument("--category", required=True, choices=CATEGORIES)
    p.add_argument("--gender", required=True, choices=GENDERS)
    p.add_argument("--origin", required=True, help=f"kabupaten/kota code, or '{OTHER_ORIGIN}'")
    p.add_argument("--origin-other", help="the place, when --origin other")
    p.add_argument("--purpose", required=True, choices=PURPOSES)
    p.add_argument("--name", help="optional")
    p.add_argument("--room")
    p.add_argument("--at", type=checked(past), metavar="TIME")
    p.set_defaults(func=cmd_guest)

    groups = sub.add_parser("groups", help="school and kindergarten group visits")
    gsub = groups.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = gsub.add_parser("add", parents=[common], help="register a group visit")
    p.add_argument("--date", type=checked(date.fromisoformat), required=True, metavar="YYYY-MM-DD")
    p.add_argument("--institution", required=True)
    p.add_argument("--level", required=True, type=str.upper, choices=LEVELS)
    p.add_argument("--children", type=int, required=True, help="expected children")
    p.add_argument("--adults", type=int, required=True, help="expected teachers and parents")
    p.add_argument("--leader", help="leader's name")
    p.add_argument("--phone", help="leader's phone")
    p.set_defaults(func=cmd_groups_add)
    p = gsub.add_parser("list", parents=[common], help="list group visits")
    p.add_argument("--date", type=checked(date.fromisoformat), metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_groups_list)
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
    """--at: a visit back-entered from the paper guest book, so never in the future."""
    at = parse_at(text)
    if at > utcnow() + timedelta(minutes=5):
        raise ValueError(f"{text} is in the future: only past visits can be entered")
    return at


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
    )
    emit(args, info.to_json(), f"group {info.code} on {info.visit_date}: {info.institution}")
    return 0


def cmd_groups_list(args: argparse.Namespace, settings: Settings) -> int:
    svc = KioskService.open(settings)
    rows = svc.groups_on(args.date)
    svc.log_access("list", f"groups {args.date or 'all'} (leader names)", len(rows))
    lines = [
        f"{r.code}  {r.visit_date}  {r.level:<7} {r.institution:<36} "
        f"{r.expected_children} children, {r.expected_adults} adults"
        for r in rows
    ]
    emit(args, [r.to_json() for r in rows], "\n".join(lines) or "no groups")
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
