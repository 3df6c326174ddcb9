"""How the kiosk addresses a member: by first name, without titles."""

from __future__ import annotations


def first_name(full: str | None) -> str:
    """The name a visitor is greeted with: the first word that is not a title, in Title Case."""
    words = [w for w in (full or "").replace(",", " ").split() if not w.endswith(".")]
    if not words:
        return ""
    word = words[0]
    return word.capitalize() if word.isupper() or word.islower() else word
