"""Accounts of the central dashboard: `kiosk users add|list|remove|passwd`."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli import common_options, emit
from kiosk.config import Settings
from kiosk.layout import load_layout
from kiosk.services import web_accounts
from kiosk.services.reports import report_sessions


def register(sub: argparse._SubParsersAction) -> None:
    common = common_options()
    users = sub.add_parser("users", help="accounts of the central dashboard")
    usub = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = usub.add_parser("add", parents=[common], help="a new account (asks for its password)")
    p.add_argument("name", help="login name: lower-case letters, digits, . _ -")
    p.add_argument("--role", required=True, choices=web_accounts.ROLES)
    p.add_argument("--site", help="staff only: the one site they see")
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    p.set_defaults(func=cmd_users_add)
    p = usub.add_parser("list", parents=[common], help="every account with its role and site")
    p.set_defaults(func=cmd_users_list)
    p = usub.add_parser("remove", parents=[common], help="remove an account (logs it out)")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_remove)
    p = usub.add_parser(
        "passwd", parents=[common], help="a new password (logs out, lifts a lock-out)"
    )
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_users_passwd)


def _password(args: argparse.Namespace) -> str:
    """From stdin (one line) for scripts, else asked twice without echo."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Kata sandi (password): ")
        if getpass.getpass("Ulangi kata sandi (again): ") != password:
            raise ValueError("kedua kata sandi tidak sama (the two passwords differ)")
    web_accounts.check_password(password)
    return password


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    sites = tuple(s.code for s in load_layout(settings.layout_file).sites)
    web_accounts.check_user(args.name, args.role, args.site, sites)  # before asking
    password = _password(args)
    with report_sessions(settings.database_url) as sessions, sessions.begin() as s:
        account = web_accounts.add_user(s, args.name, args.role, args.site, password, sites)
    where = f" ({account.site})" if account.site else ""
    emit(args, account.to_json(), f"{account.name}: {account.role}{where} added")
    return 0


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    with report_sessions(settings.database_url) as sessions, sessions() as s:
        rows = web_accounts.list_users(s)
    lines = [
        f"{r['name']:<20} {r['role']:<8} {r['site'] or '-':<10}"
        + (f" locked until {r['locked_until']}" if r["locked_until"] else "")
        for r in rows
    ]
    emit(args, rows, "\n".join(lines) or "no accounts yet: kiosk users add NAME --role admin")
    return 0


def cmd_users_remove(args: argparse.Namespace, settings: Settings) -> int:
    with report_sessions(settings.database_url) as sessions, sessions.begin() as s:
        web_accounts.remove_user(s, args.name)
    emit(args, {"name": args.name, "removed": True}, f"{args.name}: removed")
    return 0


def cmd_users_passwd(args: argparse.Namespace, settings: Settings) -> int:
    password = _password(args)
    with report_sessions(settings.database_url) as sessions, sessions.begin() as s:
        web_accounts.set_password(s, args.name, password)
    emit(args, {"name": args.name, "password_changed": True}, f"{args.name}: password changed")
    return 0
