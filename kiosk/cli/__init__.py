"""The `kiosk` command, for staff, administrators and scripts.

Every command takes --json for machine-readable output. Bad input exits 2 with a one-line
reason on stderr; a refused card exits 1 (the command worked, the card did not).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from kiosk.config import ConfigError, Settings, load_settings
from kiosk.domain.fields import FieldError
from kiosk.logs import RepeatFilter

Handler = Callable[[argparse.Namespace, Settings], int]


_USAGE_FIELD = re.compile(r"argument (?:-\w/)?--?([\w-]+)")
_json_errors = False  # set by main() when --json is anywhere on the command line


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes get one line with the reason, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        m = _USAGE_FIELD.search(message)
        _json_error(message, m.group(1).replace("-", "_") if m else "")
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def checked(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type whose ValueError message reaches the user."""

    def wrapper(text: str) -> Any:
        try:
            return convert(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    wrapper.__name__ = convert.__name__
    return wrapper


GLOBAL_DEFAULTS = {"config": None, "db": None, "json": False}


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the command's own arguments.

    Defaults are suppressed so that `kiosk --db URL members list` is not overwritten by the
    subcommand's unset copy; `main` fills in what was never given.
    """
    p = OneLineParser(add_help=False)
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="settings file")
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL (overrides settings)"
    )
    p.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    return p


def emit(args: argparse.Namespace, data: Any, text: str | None = None) -> None:
    """Print `data` as one JSON line with --json, else the human-readable `text`."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str))
    elif text is not None:
        print(text)


def build_parser() -> argparse.ArgumentParser:
    from kiosk.cli import admin, visits

    parser = OneLineParser(
        prog="kiosk",
        description="Visitor check-in kiosk for the library (buku tamu digital).",
        parents=[common_options()],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    admin.register(sub)
    visits.register(sub)
    for name in ("scan", "reports", "app", "ops", "sync", "users"):
        try:
            module = __import__(f"kiosk.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as e:
            if e.name != f"kiosk.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    debug = os.environ.get("KIOSK_DEBUG") == "1"
    handler = logging.StreamHandler()
    handler.addFilter(RepeatFilter())  # a camera gone for a few seconds: a few lines, not 500
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="kiosk: %(levelname)s: %(message)s",
        handlers=[handler],
    )
    global _json_errors
    argv = list(sys.argv[1:] if argv is None else argv)
    _json_errors = "--json" in argv
    for i, arg in enumerate(argv, 1):  # bytes the terminal did not send as UTF-8
        if any("\udc80" <= c <= "\udcff" for c in arg):
            shown = arg.encode("utf-8", "backslashreplace").decode()
            return _fail(
                f"argument {i} ({shown}) is not UTF-8 text: set the terminal to UTF-8 "
                "(e.g. LANG=id_ID.UTF-8) and type it again"
            )
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # usage errors and --help
        return int(e.code or 0)
    for name, default in GLOBAL_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    from kiosk.services.errors import (
        DatabaseError,
        NotReady,
        SchemaError,
        StorageError,
        database_problem,
    )

    try:
        settings = load_settings(args.config, overrides={"db_url": args.db})
        code = args.func(args, settings)
        sys.stdout.flush()  # a reader gone away is met here, not at exit with a traceback
        return code
    except FieldError as e:
        return _fail(str(e), e.field)
    except BrokenPipeError:  # `kiosk ... | head`: the reader has had enough, nothing is wrong
        _quiet_stdout()
        return 141  # as a shell reports a pipe closed under a command (128 + SIGPIPE)
    except OSError as e:
        return _fail(file_problem(e))
    except (ConfigError, NotReady, ValueError, LookupError, StorageError) as e:
        return _fail(str(e))
    except DatabaseError as e:
        return _fail(f"database: {database_problem(e)}")
    except SchemaError as e:  # e.g. a database made by a newer kiosk version
        return _fail(f"database schema: {e}")
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: still one line for scripts, the details in the log
        logging.getLogger("kiosk").debug("unexpected error", exc_info=True)
        return _fail(f"unexpected {type(e).__name__}: {e} (run with KIOSK_DEBUG=1 for details)")


def _quiet_stdout() -> None:
    """Send what is left of stdout to /dev/null, so that flushing it at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (tests capture it)
        pass


def file_problem(e: OSError) -> str:
    """A file system failure in staff words, naming the file."""
    where = e.filename or ""
    words = {
        errno.ENOENT: "does not exist: check the name and the folder",
        errno.EACCES: "cannot be opened: the kiosk's user has no permission",
        errno.ENOSPC: "cannot be written: the disk or stick is full",
        errno.EROFS: "cannot be written: the disk or stick is read-only",
        errno.EISDIR: "is a folder, not a file",
        errno.ENOTDIR: "is not in a folder (a part of the path is a file)",
        errno.EIO: "could not be read or written: was the stick pulled out?",
    }
    what = words.get(e.errno or 0, e.strerror or str(e))
    return f"{where} {what}" if where else what


def _json_error(message: str, field: str = "") -> None:
    if _json_errors:
        print(json.dumps({"error": message, "field": field or None}, ensure_ascii=False))
        sys.stdout.flush()  # before the stderr line


def _fail(message: str, field: str = "") -> int:
    """One line on stderr (drivers' multi-line messages are folded), exit code 2; with --json
    the same as {"error": ..., "field": ...} on stdout."""
    message = " ".join(message.split())
    _json_error(message, field)
    print(f"kiosk: error: {message}", file=sys.stderr)
    return 2
