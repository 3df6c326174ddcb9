"""Guests (non-members): the minimum the library needs, and nothing pre-answered.

Answers are codes; the kiosk shows their words in Bahasa Indonesia or English. A name is
optional.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

from kiosk.domain.vocab import N_, Gender

# code -> English msgid; the Bahasa Indonesia words are in the .po catalogues (kiosk.i18n).
CATEGORIES = {
    "umum": N_("General public"),
    "pelajar": N_("School student"),
    "mahasiswa": N_("University student"),
    "guru": N_("Teacher / lecturer"),
    "pegawai": N_("Civil servant / employee"),
    "peneliti": N_("Researcher"),
}
GENDERS = {Gender.L.value: N_("Male"), Gender.P.value: N_("Female")}
PURPOSES = {
    "membaca": N_("Reading"),
    "informasi": N_("Looking for information"),
    "belajar": N_("Study / homework"),
    "internet": N_("Internet / computers"),
    "kegiatan": N_("Attending an event"),
    "menemani": N_("Accompanying a child"),
    "lainnya": N_("Other"),
}
OTHER_ORIGIN = "other"
# Lubuklinggau itself, then its neighbours: the most frequent answers, shown first.
NEAR_FIRST = ("16.73", "16.05", "16.13", "16.11", "17.02", "17.07", "17.08")
MAX_NAME = 120
MAX_ORIGIN_OTHER = 80


@dataclass(frozen=True)
class Origin:
    code: str
    name: str
    province: str


def near_first(places: Iterable[Origin]) -> tuple[Origin, ...]:
    """The library's neighbours first, then by name (without "Kabupaten"/"Kota")."""
    rows = list(places)
    near = sorted((o for o in rows if o.code in NEAR_FIRST), key=lambda o: NEAR_FIRST.index(o.code))
    rest = sorted((o for o in rows if o.code not in NEAR_FIRST), key=lambda o: _plain(o.name))
    return tuple(near + rest)


def _plain(name: str) -> str:
    return name.removeprefix("Kabupaten ").removeprefix("Kota ").lower()


def check_guest_answers(
    category: str,
    gender: str,
    origin: str,
    purpose: str,
    origin_other: str | None,
    name: str | None,
    known_origins: Container[str],
) -> None:
    """ValueError naming the first answer that is missing or not one of the choices."""
    for value, choices, what in (
        (category, CATEGORIES, "category"),
        (gender, GENDERS, "gender"),
        (purpose, PURPOSES, "purpose"),
    ):
        if value not in choices:
            raise ValueError(f"guest {what} must be one of {', '.join(choices)}")
    if origin == OTHER_ORIGIN:
        if not (origin_other or "").strip():
            raise ValueError("guest origin 'other' needs the place written in origin_other")
    elif origin not in known_origins:
        raise ValueError(f"unknown origin code {origin!r} (a kabupaten/kota code)")
    if name is not None and len(name) > MAX_NAME:
        raise ValueError(f"guest name is too long ({MAX_NAME} characters at most)")
