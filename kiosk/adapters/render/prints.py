"""What a member card and a group letter show, from the member and group values the services
return (read by their fields: renderers take plain values): `kiosk cards`, `kiosk groups
letter` and the dashboard print the same."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from kiosk.adapters.render.cards import CardFace
from kiosk.adapters.render.letters import GroupLetter
from kiosk.domain.fields import FieldError
from kiosk.domain.groups import LEVELS
from kiosk.i18n import gettext


def card_faces(cards: Iterable[tuple[Any, str]]) -> list[CardFace]:
    """(member, QR payload of their current card) -> what each card shows."""
    return [CardFace(i.number, i.name, p, i.category, i.expires, i.card_seq) for i, p in cards]


def group_letter(info: Any, written: date) -> GroupLetter:
    """A group's confirmation letter (Bahasa Indonesia); a cancelled visit has none."""
    if info.cancelled:
        raise FieldError(f"group {info.code} is cancelled: no letter to print", "code")
    level = gettext(LEVELS[info.level], "id") if info.level in LEVELS else info.level
    return GroupLetter(
        info.code,
        info.qr_text,
        info.visit_date,
        info.institution,
        level,
        info.expected_children,
        info.expected_adults,
        info.leader_name,
        info.purpose,
        written,
    )
