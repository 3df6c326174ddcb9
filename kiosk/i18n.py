"""The words of both languages: gettext .po catalogues with English msgids, read without msgfmt.

One place for every text people read (screens, reports, the command line); no Kivy here.
`kiosk.ui.i18n` wraps it for screens that re-render when the language changes.
"""

from __future__ import annotations

import ast
from datetime import date, time
from functools import cache
from pathlib import Path

from kiosk.domain.vocab import N_
from kiosk.resources import asset

LOCALE_DIR = asset("locale")
LANGUAGES = ("id", "en")
DOMAIN = "kiosk"


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (no plurals, no contexts); untranslated entries are left out.

    Fuzzy entries are skipped, like msgfmt does.
    """
    catalog: dict[str, str] = {}
    if not path.exists():
        return catalog
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                catalog[key] = value

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            msgid = msgstr = current = None
            fuzzy = False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            if msgstr is not None:  # entries not separated by a blank line
                flush()
                fuzzy = False
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    return catalog


@cache
def catalog(lang: str) -> dict[str, str]:
    """The shipped catalogue of a language (read once)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return read_po(po_path(lang))


def gettext(msgid: str, lang: str) -> str:
    """`msgid` in `lang`; the English msgid itself where no translation exists."""
    return catalog(lang).get(msgid, msgid)


# Monday first, as date.weekday() counts.
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def long_date(day: date, lang: str) -> str:
    """'Rabu, 25 November 2026' / 'Wednesday, 25 November 2026'."""
    return gettext("{weekday}, {day} {month} {year}", lang).format(
        weekday=gettext(WEEKDAYS[day.weekday()], lang),
        day=day.day,
        month=gettext(MONTHS[day.month - 1], lang),
        year=day.year,
    )


def clock_time(at: time, lang: str) -> str:
    """Hours and minutes as people write them: '09.35' in Indonesian, '09:35' in English."""
    return gettext("{hour}:{minute}", lang).format(hour=f"{at.hour:02d}", minute=f"{at.minute:02d}")


def weekday_name(weekday: int, lang: str) -> str:
    """0 is Monday, as date.weekday()."""
    return gettext(WEEKDAYS[weekday], lang)


def month_name(month: int, lang: str) -> str:
    """1 is January."""
    return gettext(MONTHS[month - 1], lang)
