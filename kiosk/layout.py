"""Sites, floors and rooms, from a TOML layout file (rooms are configuration, not code)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")
SITE_KINDS = ("central", "branch", "mobile", "corner")
MAX_STAY_MINUTES = 12 * 60  # a longer "typical stay" is a typo, not a visit


@dataclass(frozen=True)
class Room:
    code: str
    name: str  # Bahasa Indonesia
    name_en: str
    floor: int
    picture: str | None = None
    # Optional, together: how many people the room holds and how long a visitor typically
    # stays; with no exit scans the dashboard estimates who is inside from these.
    capacity: int | None = None
    stay_minutes: int | None = None


@dataclass(frozen=True)
class Floor:
    number: int
    name: str
    rooms: tuple[Room, ...]


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    kind: str
    floors: tuple[Floor, ...]

    @property
    def rooms(self) -> tuple[Room, ...]:
        return tuple(r for f in self.floors for r in f.rooms)

    def room(self, code: str) -> Room | None:
        return next((r for r in self.rooms if r.code == code), None)


@dataclass(frozen=True)
class Layout:
    sites: tuple[Site, ...]
    source: str

    def site(self, code: str) -> Site:
        for s in self.sites:
            if s.code == code:
                return s
        known = ", ".join(s.code for s in self.sites)
        raise ConfigError(self.source, "site", f"no site {code!r} in the layout (sites: {known})")


def load_layout(path: Path | str) -> Layout:
    path = Path(path)
    src = str(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(src, "(file)", "layout file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(src, "(file)", f"not valid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(src, "(file)", f"cannot be read: {e}") from None
    return parse_layout(data, src)


def _table(value: Any, where: str, src: str, known: set[str]) -> dict[str, Any]:
    """A [[...]] entry: a table with only the keys the layout knows (a typo is an error)."""
    if not isinstance(value, dict):
        raise ConfigError(src, where, f"must be a table ([[...]] entry), got {value!r}")
    unknown = sorted(set(value) - known)
    if unknown:
        known_keys = ", ".join(sorted(known))
        raise ConfigError(src, f"{where}.{unknown[0]}", f"unknown key (known: {known_keys})")
    return value


def _name(table: dict[str, Any], key: str, where: str, src: str, default: Any = ...) -> str:
    value = _get(table, key, where, src, str, default)
    if not value.strip():
        raise ConfigError(src, f"{where}.{key}", "must not be empty")
    return value


def _get(
    table: dict[str, Any], key: str, where: str, src: str, kind: type, default: Any = ...
) -> Any:
    if key not in table:
        if default is ...:
            raise ConfigError(src, f"{where}.{key}", "missing")
        return default
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ConfigError(src, f"{where}.{key}", f"must be {kind.__name__}, got {value!r}")
    return value


def _positive(table: dict[str, Any], key: str, where: str, src: str, most: int) -> int | None:
    value = _get(table, key, where, src, int, None)
    if value is not None and not 0 < value <= most:
        raise ConfigError(src, f"{where}.{key}", f"must be from 1 to {most}, got {value}")
    return value


def _occupancy_keys(room: dict[str, Any], where: str, src: str) -> dict[str, int | None]:
    """capacity and stay_minutes: both or neither (an estimate needs the stay, a bar the
    capacity)."""
    capacity = _positive(room, "capacity", where, src, 100_000)
    stay = _positive(room, "stay_minutes", where, src, MAX_STAY_MINUTES)
    if (capacity is None) != (stay is None):
        missing = "stay_minutes" if stay is None else "capacity"
        raise ConfigError(
            src, f"{where}.{missing}", "missing: capacity and stay_minutes go together"
        )
    return {"capacity": capacity, "stay_minutes": stay}


def parse_layout(data: dict[str, Any], src: str = "layout") -> Layout:
    sites_raw = data.get("site")
    if not isinstance(sites_raw, list) or not sites_raw:
        raise ConfigError(src, "site", "the layout needs at least one [[site]]")
    sites: list[Site] = []
    room_codes: set[tuple[str, str]] = set()
    for i, s in enumerate(sites_raw):
        where = f"site[{i}]"
        s = _table(s, where, src, {"code", "name", "kind", "floor"})
        code = _get(s, "code", where, src, str)
        if not CODE.match(code):
            raise ConfigError(src, f"{where}.code", f"{code!r}: use A-Z, 0-9, - or _ (max 16)")
        if any(x.code == code for x in sites):
            raise ConfigError(src, f"{where}.code", f"site {code!r} appears twice")
        name = _name(s, "name", where, src)
        kind = _get(s, "kind", where, src, str, "central")
        if kind not in SITE_KINDS:
            raise ConfigError(src, f"{where}.kind", f"must be one of {', '.join(SITE_KINDS)}")
        floors: list[Floor] = []
        for j, fl in enumerate(_get(s, "floor", where, src, list)):
            fwhere = f"{where}.floor[{j}]"
            fl = _table(fl, fwhere, src, {"number", "name", "room"})
            number = _get(fl, "number", fwhere, src, int)
            if any(f.number == number for f in floors):
                raise ConfigError(src, f"{fwhere}.number", f"floor {number} appears twice")
            rooms: list[Room] = []
            for k, r in enumerate(_get(fl, "room", fwhere, src, list)):
                rwhere = f"{fwhere}.room[{k}]"
                r = _table(
                    r,
                    rwhere,
                    src,
                    {"code", "name", "name_en", "picture", "capacity", "stay_minutes"},
                )
                rcode = _get(r, "code", rwhere, src, str)
                if not CODE.match(rcode) or rcode == "ENTRANCE":
                    raise ConfigError(src, f"{rwhere}.code", f"{rcode!r}: use A-Z, 0-9, - or _")
                if (code, rcode) in room_codes:
                    raise ConfigError(src, f"{rwhere}.code", f"room {rcode!r} appears twice")
                room_codes.add((code, rcode))
                rname = _name(r, "name", rwhere, src)
                rooms.append(
                    Room(
                        code=rcode,
                        name=rname,
                        name_en=_name(r, "name_en", rwhere, src, rname),
                        floor=number,
                        picture=_get(r, "picture", rwhere, src, str, None),
                        **_occupancy_keys(r, rwhere, src),
                    )
                )
            if not rooms:
                raise ConfigError(src, f"{fwhere}.room", "a floor needs at least one room")
            floors.append(
                Floor(number, _get(fl, "name", fwhere, src, str, f"Lantai {number}"), tuple(rooms))
            )
        if not floors:
            raise ConfigError(src, f"{where}.floor", "a site needs at least one floor")
        sites.append(Site(code, name, kind, tuple(floors)))
    return Layout(tuple(sites), src)
