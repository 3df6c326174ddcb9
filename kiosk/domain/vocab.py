"""The closed word lists that the database, the screens, the reports and the CLI share.

Each value is what is stored in the database; the words people read are in the .po catalogues
(`kiosk.i18n`), looked up by the English msgid that `words()` gives for each value.
"""

from __future__ import annotations

from enum import StrEnum


class Admitted(StrEnum):
    """An accepted check-in. Only WELCOME and MOVED store a visit."""

    WELCOME = "welcome"  # a new arrival (also the same room again after the repeat window)
    WELCOME_BACK = "welcome_back"  # the same room within the repeat window: nothing counted
    MOVED = "moved"  # the same day and site, from another room: a new room visit


class Refusal(StrEnum):
    """Why a scan or a typed number was refused; logged in refused_scans.reason."""

    UNKNOWN_CARD = "unknown_card"
    BAD_PAYLOAD = "bad_payload"
    REVOKED_CARD = "revoked_card"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    UNKNOWN_GROUP = "unknown_group"
    WRONG_DAY = "wrong_day"


Outcome = Admitted | Refusal


class VisitorType(StrEnum):
    MEMBER = "member"
    GUEST = "guest"
    GROUP = "group"


class Source(StrEnum):
    """How a visit reached the kiosk."""

    SCAN = "scan"  # a QR card at the camera
    BARCODE = "barcode"  # an older card's Code 128 member-number barcode
    KEYPAD = "keypad"  # a member number typed on the screen
    FORM = "form"  # the guest form on the screen
    CLI = "cli"  # typed by staff at the command line
    PAPER = "paper"  # back-entered from the paper guest book

    @property
    def typed(self) -> bool:
        """A member number typed by hand (damaged card, camera down): no card signature."""
        return self in (Source.KEYPAD, Source.CLI, Source.PAPER)


class Channel(StrEnum):
    """Where survey answers came from."""

    MINI = "mini"  # a mini-survey queued after a member's visit
    RATING = "rating"  # "rate your visit" on the home screen
    PAPER = "paper"  # paper forms imported by staff


class SurveyStatus(StrEnum):
    PENDING = "pending"  # queued, not yet on screen
    SHOWN = "shown"  # on screen now; never offered again
    CLOSED = "closed"  # answered, skipped or overdue


class Gender(StrEnum):
    """Recorded for members, guests and survey respondents, only when given."""

    L = "L"  # laki-laki
    P = "P"  # perempuan


def N_(msgid: str) -> str:
    """Marks an English msgid for the .po catalogues; the words are looked up where shown."""
    return msgid


# The words of each refusal reason (English msgids; both languages in the .po catalogues).
REFUSAL_WORDS: dict[Refusal, str] = {
    Refusal.UNKNOWN_CARD: N_("unknown card"),
    Refusal.BAD_PAYLOAD: N_("invalid code"),
    Refusal.REVOKED_CARD: N_("replaced card"),
    Refusal.EXPIRED: N_("membership ended"),
    Refusal.SUSPENDED: N_("membership on hold"),
    Refusal.UNKNOWN_GROUP: N_("unknown group"),
    Refusal.WRONG_DAY: N_("group on another day"),
}


def words(value: StrEnum) -> str:
    """The English msgid for a value of this vocabulary (the value itself where none)."""
    if isinstance(value, Refusal):
        return REFUSAL_WORDS[value]
    return str(value)
