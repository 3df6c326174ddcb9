"""One list of visitor categories for every report: guest categories, group levels and the
member types of the library's member file mapped onto them.

Member types come from SLiMS or INLISLite as the library named them ("Pelajar", "PNS/TNI/Polri",
"Dosen"); guests pick a category on the screen ("pelajar") and groups give a school level
("SD"). Reports count them in one row per category, whatever the spelling. Matching ignores
case and surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kiosk.domain.groups import LEVELS
from kiosk.domain.guests import CATEGORIES as GUEST_CATEGORIES
from kiosk.domain.vocab import N_

# Categories only member types reach: children who are members (SLiMS' "Anak-anak") and a
# catch-all. Guests cannot pick them on the screen; groups have their own LAINNYA level.
EXTRA = {"anak": N_("Children"), "lainnya": N_("Other")}

# The member types SLiMS and INLISLite ship with, and the category each one counts in. A
# library's own [categories.member_types] settings add to these and win where they differ.
DEFAULT_MEMBER_TYPES = {
    "umum": "umum",
    "masyarakat umum": "umum",
    "pelajar": "pelajar",
    "siswa": "pelajar",
    "mahasiswa": "mahasiswa",
    "guru": "guru",
    "dosen": "guru",
    "guru/dosen": "guru",
    "pns": "pegawai",
    "pns/tni/polri": "pegawai",
    "tni/polri": "pegawai",
    "karyawan": "pegawai",
    "pegawai": "pegawai",
    "swasta": "pegawai",
    "peneliti": "peneliti",
    "anak": "anak",
    "anak-anak": "anak",
    "lainnya": "lainnya",
}


def fold(name: str) -> str:
    """How names are compared: case and surrounding spaces do not count."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Category:
    code: str  # as stored for guests ("pelajar") and groups ("SD")
    words: str  # English msgid; both languages in the .po catalogues
    kind: str  # "guest", "group" or "member" (reached by member types only)


def all_categories() -> list[Category]:
    """Guest categories, then group levels, then the member-only ones, each code once."""
    out = [Category(c, w, "guest") for c, w in GUEST_CATEGORIES.items()]
    out += [Category(c, w, "group") for c, w in LEVELS.items()]
    taken = {fold(c.code) for c in out}
    out += [Category(c, w, "member") for c, w in EXTRA.items() if fold(c) not in taken]
    return out


@dataclass(frozen=True)
class CategoryMap:
    """The library's categories and which member types count in each."""

    categories: tuple[Category, ...] = field(default_factory=lambda: tuple(all_categories()))
    member_types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MEMBER_TYPES))

    def __post_init__(self) -> None:
        codes = {fold(c.code): c.code for c in self.categories}
        for name, target in self.member_types.items():
            if fold(target) not in codes:
                known = ", ".join(c.code for c in self.categories)
                raise ValueError(
                    f"member type {name!r} maps to unknown category {target!r} (known: {known})"
                )

    def __hash__(self) -> int:  # a filter carries its map; the map is never a key
        return id(self)

    @property
    def _codes(self) -> dict[str, str]:
        return {fold(c.code): c.code for c in self.categories}

    def resolve(self, name: str | None) -> str | None:
        """The category a stored or typed name counts in, or None for an unknown name."""
        if not name or not name.strip():
            return None
        key = fold(name)
        codes = self._codes
        if key in codes:
            return codes[key]
        target = {fold(k): v for k, v in self.member_types.items()}.get(key)
        return codes[fold(target)] if target else None

    def same(self, a: str | None, b: str | None) -> bool:
        """Whether two names count in one category ("Siswa" and "pelajar"); a name outside
        the list only matches itself, whatever its case."""
        if not a or not b:
            return False
        code = self.resolve(a)
        return (code is not None and code == self.resolve(b)) or fold(a) == fold(b)

    def spellings(self, code: str, seen: Iterable[str] = ()) -> set[str]:
        """Every folded name that counts in `code`: the code, its member types, and any of
        the `seen` names (stored on visits) that resolve to it."""
        out = {fold(code)}
        out |= {fold(k) for k, v in self.member_types.items() if fold(v) == fold(code)}
        out |= {fold(n) for n in seen if self.resolve(n) == code}
        return out

    def members_of(self, code: str) -> list[str]:
        """The member types that count in `code`, as the settings spell them."""
        return sorted(
            (
                k
                for k, v in self.member_types.items()
                if fold(v) == fold(code) and fold(k) != fold(code)
            ),
            key=fold,
        )

    def to_json(self) -> list[dict[str, object]]:
        return [
            {
                "code": c.code,
                "words": c.words,
                "kind": c.kind,
                "member_types": self.members_of(c.code),
            }
            for c in self.categories
        ]


def category_map(member_types: Mapping[str, str] | None = None) -> CategoryMap:
    """The default map with the library's own member types added (theirs win)."""
    merged = {fold(k): v for k, v in DEFAULT_MEMBER_TYPES.items()}
    merged.update({fold(k): v.strip() for k, v in (member_types or {}).items()})
    return CategoryMap(member_types=merged)


DEFAULT = category_map()
