"""Result: green welcome, amber "already recorded", red refusal with what to do next.

Colour, a symbol, words and a sound say the same thing, so nobody depends on one sense.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ColorProperty, StringProperty

from kiosk.services.checkin import Decision
from kiosk.ui import widgets as W
from kiosk.ui.i18n import N_, tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("result")

SYMBOLS = {"accepted": "\u2714", "repeat": "\u2714", "refused": "\u2716"}


def kind_of(decision: Decision | None) -> str:
    if decision is None or not decision.accepted:
        return "refused"
    return "repeat" if decision.decision == "welcome_back" else "accepted"


class ResultScreen(KioskScreen):
    accepts = "member"  # the next visitor need not wait for the greeting to go away
    kind = StringProperty("accepted")
    title = StringProperty("")
    message = StringProperty("")
    symbol = StringProperty("")
    bg_color = ColorProperty(W.OK)
    fg_color = ColorProperty((1, 1, 1, 1))
    invitation = StringProperty("")  # a member asked for their mini-survey (empty: none)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Decision | None, Any, str] | None = None
        self._invited: str | None = None

    def present(self, decision: Decision | None, pending: Any = None, error: str = "") -> str:
        """Fill the screen for a decision; returns its kind (accepted, repeat, refused)."""
        self._shown = (decision, pending, error)
        self._invited: str | None = None
        self.invitation = ""
        self.kind = kind_of(decision)
        self.symbol = SYMBOLS[self.kind]
        self.bg_color = {"accepted": W.OK, "repeat": W.AMBER, "refused": W.RED}[self.kind]
        self.fg_color = W.INK if self.kind == "repeat" else (1, 1, 1, 1)
        self.title, self.message = self.words(decision, pending, error)
        return self.kind

    def reset(self) -> None:
        self._invited = None
        self.invitation = ""

    def invite(self, name: str) -> None:
        """Ask the member on screen, by name, for their mini-survey (yes, or no thanks)."""
        self._invited = name
        self.invitation = self._invitation_text()

    def _invitation_text(self) -> str:
        if self._invited is None:
            return ""
        if self._invited:
            question = tr._("{name}, would you answer a short survey?")
            return question.format(name=self._invited)
        return tr._("Would you answer a short survey?")

    def on_language(self) -> None:
        if self._shown is not None:
            self.title, self.message = self.words(*self._shown)
        self.invitation = self._invitation_text()

    def words(self, d: Decision | None, pending: Any, error: str) -> tuple[str, str]:
        _ = tr._
        if d is None:
            return (
                _("Something went wrong"),
                _("Your visit was not recorded. Please ask at the service desk."),
            )
        from kiosk.ui.app import first_name

        name = first_name(d.member_name) or (pending.name if pending else "")
        room = self.app.room_name(d.room)
        if d.accepted and d.visitor_type == "guest":
            return (
                _("Welcome, and thank you!"),
                _("Your guest visit to {room} is recorded.").format(room=room),
            )
        if d.accepted and d.visitor_type == "group":
            group = pending.name if pending else ""
            return (
                _("Welcome, {group}!").format(group=group) if group else _("Welcome!"),
                _("{count} visitors recorded in {room}. Have a fun visit!").format(
                    count=d.headcount, room=room
                ),
            )
        if d.decision == "welcome_back":
            return (
                _("Already recorded"),
                _("{name}, you are already checked in to {room}. Please go in.").format(
                    name=name or _("Hello"), room=room
                ),
            )
        if d.accepted:
            return (
                _("Welcome, {name}!").format(name=name) if name else _("Welcome!"),
                _("Your visit to {room} is recorded.").format(room=room),
            )
        return REFUSALS.get(d.decision, REFUSALS["bad_payload"])()


def _refusal(title: str, message: str) -> Any:
    return lambda: (tr._(title), tr._(message))


# What happened, in plain words, and what to do next.
REFUSALS = {
    "revoked_card": _refusal(
        N_("This card has been replaced"),
        N_(
            "A newer card was made for this membership, so this one no longer works. "
            "Please ask the service desk for your new card."
        ),
    ),
    "expired": _refusal(
        N_("Your membership has ended"),
        N_("Please renew your membership at the service desk. You can come in today as a guest."),
    ),
    "unknown_card": _refusal(
        N_("Card not recognised"),
        N_(
            "This card is not registered at this library. Please ask at the service desk, "
            "or come in as a guest."
        ),
    ),
    "bad_payload": _refusal(
        N_("This card cannot be used"),
        N_(
            "The code on this card is not a valid library card. Please show it at the service desk."
        ),
    ),
    "suspended": _refusal(
        N_("Your membership is on hold"),
        N_("Please speak to the staff at the service desk."),
    ),
    "unknown_group": _refusal(
        N_("Group not found"),
        N_("This group code is not registered. Please ask the staff at the service desk."),
    ),
    "wrong_day": _refusal(
        N_("This group is booked for another day"),
        N_("Please ask the staff at the service desk."),
    ),
}
