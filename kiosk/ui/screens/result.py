"""Result: green welcome, amber "already recorded", red refusal with what to do next.

Colour, a symbol, words and a sound say the same thing, so nobody depends on one sense.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ColorProperty, StringProperty

from kiosk.domain.vocab import Refusal
from kiosk.services.checkin import Decision
from kiosk.ui import widgets as W
from kiosk.ui.i18n import N_, tr
from kiosk.ui.names import first_name
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("result")

SYMBOLS = {"accepted": "\u2714", "repeat": "\u2714", "refused": "\u2716"}
SOUNDS = {"accepted": "welcome", "repeat": "repeat", "refused": "refused"}
# How long each result stays before the kiosk goes home by itself (seconds); "invite" is a
# welcome that also asks the member for their mini-survey (time to read it and decide).
RESULT_SECONDS = {"accepted": 4.0, "repeat": 4.0, "refused": 9.0, "invite": 10.0}


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
        self.prompt: Any = None  # the mini-survey the member on screen is invited to
        self._card = ""  # the card that brought it (seen again on the survey: not a new visitor)

    def enter(self, decision: Decision | None = None, pending: Any = None, error: str = "") -> None:
        """Say the decision with colour, symbol, words and sound; then home by itself."""
        kind = self.present(decision, pending, error)
        self.app.play(SOUNDS[kind])
        self.app.after(RESULT_SECONDS[kind], self.app.home)
        if (
            decision is not None
            and decision.accepted
            and decision.visitor_type == "member"
            and decision.member
        ):
            card = pending.text if pending is not None and pending.kind == "member" else ""
            self.app.call(
                self.service.survey_for,
                decision.member,
                then=lambda prompt: self._survey_ready(decision, card, prompt),
            )

    def present(self, decision: Decision | None, pending: Any = None, error: str = "") -> str:
        """Fill the screen for a decision; returns its kind (accepted, repeat, refused)."""
        self._shown = (decision, pending, error)
        self.reset()
        self.kind = kind_of(decision)
        self.symbol = SYMBOLS[self.kind]
        self.bg_color = {"accepted": W.OK, "repeat": W.AMBER, "refused": W.RED}[self.kind]
        self.fg_color = W.INK if self.kind == "repeat" else (1, 1, 1, 1)
        self.title, self.message = self.words(decision, pending, error)
        return self.kind

    def reset(self) -> None:
        self._invited = None
        self.invitation = ""
        self.prompt = None
        self._card = ""

    # The member whose survey is due is invited by name on their welcome; the survey opens only
    # when they tap "yes", so it can never land in front of the next visitor. Ignored (the
    # welcome times out, or the next card comes first), it was never shown and waits for the
    # member's next visit; "no, thanks" closes it as skipped.
    def _survey_ready(self, decision: Decision, card: str, prompt: Any) -> None:
        shown = self._shown[0] if self._shown is not None else None
        if not prompt or self.app.current != "result" or shown is not decision:
            return  # someone else is on screen by now
        self.prompt = prompt
        self._card = card
        self.invite(first_name(decision.member_name))
        self.app.after(RESULT_SECONDS["invite"], self.app.home)

    def invite(self, name: str) -> None:
        """Ask the member on screen, by name, for their mini-survey (yes, or no thanks)."""
        self._invited = name
        self.invitation = self._invitation_text()

    def accept_survey(self) -> None:
        """The member said yes: the survey appears now, and only now counts as shown."""
        if self.prompt is None:
            self.app.home()
            return
        self.app.go("survey", prompt=self.prompt, card=self._card)

    def decline_survey(self) -> None:
        """ "No, thanks" on the invitation: one tap, closed as skipped, and home."""
        if self.prompt is not None:
            self.app.call(self.service.skip_survey, self.prompt.id)
            self.prompt = None
        self.app.home()

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
        title, advice = REFUSALS.get(d.decision, REFUSALS[Refusal.BAD_PAYLOAD])
        return _(title), _(advice)


# What happened, in plain words, and what to do next (English msgids; words in the .po).
REFUSALS: dict[Refusal, tuple[str, str]] = {
    Refusal.REVOKED_CARD: (
        N_("This card has been replaced"),
        N_(
            "A newer card was made for this membership, so this one no longer works. "
            "Please ask the service desk for your new card."
        ),
    ),
    Refusal.EXPIRED: (
        N_("Your membership has ended"),
        N_("Please renew your membership at the service desk. You can come in today as a guest."),
    ),
    Refusal.UNKNOWN_CARD: (
        N_("Card not recognised"),
        N_(
            "This card is not registered at this library. Please ask at the service desk, "
            "or come in as a guest."
        ),
    ),
    Refusal.BAD_PAYLOAD: (
        N_("This card cannot be used"),
        N_(
            "The code on this card is not a valid library card. Please show it at the service desk."
        ),
    ),
    Refusal.SUSPENDED: (
        N_("Your membership is on hold"),
        N_("Please speak to the staff at the service desk."),
    ),
    Refusal.UNKNOWN_GROUP: (
        N_("Group not found"),
        N_("This group code is not registered. Please ask the staff at the service desk."),
    ),
    Refusal.WRONG_DAY: (
        N_("This group is booked for another day"),
        N_("Please ask the staff at the service desk."),
    ),
}
