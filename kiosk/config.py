"""Settings: a TOML file, then `KIOSK_*` environment variables, then command-line flags.

A bad value stops the program with a message naming the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.domain.categories import CategoryMap, category_map
from kiosk.resources import asset

DEFAULT_LAYOUT = asset("layouts", "lubuklinggau.toml")


class ConfigError(ValueError):
    """A configuration problem, worded for the administrator who has to fix it."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


@dataclass(frozen=True)
class Settings:
    library_code: str = "LLG"
    library_name: str = "Dinas Perpustakaan Kota Lubuklinggau"
    # the letterhead and signature block of reports the library signs (kiosk report year)
    library_logo: Path | None = None
    library_city: str = ""
    library_head: str = ""
    library_head_id: str = ""  # NIP
    # The year the library's records start (its paper guest books): a visit back-entered from
    # before it is a typing mistake. Kota Lubuklinggau, and so its library, exists since 2001.
    library_opened: int = 2001
    site: str = "PUSAT"
    kiosk_id: str = "kiosk-1"
    location: str = "entrance"  # "entrance" or a room code of the site
    language: str = "id"
    repeat_window_minutes: int = 30
    idle_seconds: int = 20
    legacy_barcodes: bool = False
    camera: str = "0"  # webcam index, video file, image folder or stream URL
    decoder: str = "zxing"
    guest_retention_days: int = 365
    member_visit_retention_days: int = 730  # then a visit keeps no link to the member
    refusal_retention_days: int = 90  # then a refused scan keeps no excerpt
    survey_retention_days: int = 90  # then a closed survey-queue row goes
    data_dir: Path = Path(platformdirs.user_data_dir("kiosk", appauthor=False))
    db_url: str = ""  # empty: a SQLite file in data_dir
    card_key_file: Path | None = None  # None: data_dir/card-keys.toml
    layout_file: Path = DEFAULT_LAYOUT
    staff_pin_hash: str = ""
    survey_chance: float = 0.3  # share of accepted member visits that queue a mini-survey
    survey_min_days: int = 30  # at most one survey per member in this many days
    survey_elements: int = 2  # questions per mini-survey (1-3)
    survey_expire_days: int = 14  # a queued survey not shown by then is dropped
    survey_standard: str = "2017"  # PermenPANRB 14/2017, or 2004 (Kepmenpan 25/2004)
    # member type (as the member file spells it) -> visitor category; adds to the defaults
    member_types: dict[str, str] = field(default_factory=dict)
    # the dashboard's cookies are Secure (https only) unless this allows plain http (a test on
    # this machine); behind a TLS proxy keep it false
    web_allow_http: bool = False
    source: str = "defaults"  # where the settings came from, for messages

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'kiosk.sqlite3'}"

    @property
    def categories(self) -> CategoryMap:
        """The one category list reports count in, with this library's member types."""
        return category_map(self.member_types)

    @property
    def key_file(self) -> Path:
        return self.card_key_file or self.data_dir / "card-keys.toml"


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip()


def _short(limit: int) -> Callable[[Any], str]:
    """Text that fits its database column (kiosk ids and site codes are on every visit)."""

    def check(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise ValueError(f"must be {limit} characters at most")
        return text

    return check


def _db_url(value: Any) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = _text(value)
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError(
            "is not a database URL (sqlite:///path or postgresql+psycopg://...)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("the kiosk runs on sqlite or postgresql")
    return text


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return check


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {
        "1",
        "true",
        "yes",
        "on",
        "0",
        "false",
        "no",
        "off",
    }:
        return value.lower() in {"1", "true", "yes", "on"}
    raise ValueError("must be true or false")


def _fraction(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number from 0 to 1") from None
    if isinstance(value, bool) or not 0 <= number <= 1:
        raise ValueError("must be a number from 0 to 1")
    return number


def _choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return check


def _member_types(value: Any) -> dict[str, str]:
    """A TOML table {"Dosen" = "guru"} or, from the environment, "Dosen=guru;PNS=pegawai"."""
    if isinstance(value, str):
        pairs = [p.partition("=") for p in value.split(";") if p.strip()]
        if any(not sep for _k, sep, _v in pairs):
            raise ValueError("must be pairs like Dosen=guru;PNS=pegawai")
        value = {k.strip(): v.strip() for k, _sep, v in pairs}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in value.items()
    ):
        raise ValueError("must be a table of member type = category")
    category_map(value)  # an unknown category is an error here, not zeros in a report
    return {k.strip(): v.strip() for k, v in value.items()}


def _path(value: Any) -> Path:
    return Path(_text(str(value) if isinstance(value, Path) else value)).expanduser()


# (setting, TOML section.key, environment variable, check)
_FIELDS: list[tuple[str, str, str, Callable[[Any], Any]]] = [
    ("library_code", "library.code", "KIOSK_LIBRARY_CODE", _text),
    ("library_name", "library.name", "KIOSK_LIBRARY_NAME", _text),
    ("library_logo", "library.logo", "KIOSK_LIBRARY_LOGO", _path),
    ("library_city", "library.city", "KIOSK_LIBRARY_CITY", _text),
    ("library_head", "library.head_name", "KIOSK_LIBRARY_HEAD", _text),
    ("library_head_id", "library.head_id", "KIOSK_LIBRARY_HEAD_ID", _text),
    ("library_opened", "library.opened", "KIOSK_LIBRARY_OPENED", _int_range(1900, 2100)),
    ("site", "kiosk.site", "KIOSK_SITE", _short(16)),
    ("kiosk_id", "kiosk.id", "KIOSK_ID", _short(40)),
    ("location", "kiosk.location", "KIOSK_LOCATION", _text),
    ("language", "kiosk.language", "KIOSK_LANGUAGE", _choice("id", "en")),
    (
        "repeat_window_minutes",
        "kiosk.repeat_window_minutes",
        "KIOSK_REPEAT_WINDOW",
        _int_range(0, 1440),
    ),
    ("idle_seconds", "kiosk.idle_seconds", "KIOSK_IDLE_SECONDS", _int_range(5, 3600)),
    ("legacy_barcodes", "kiosk.legacy_barcodes", "KIOSK_LEGACY_BARCODES", _bool),
    ("camera", "kiosk.camera", "KIOSK_CAMERA", lambda v: _text(str(v))),
    ("decoder", "kiosk.decoder", "KIOSK_DECODER", _choice("zxing", "pyzbar")),
    (
        "guest_retention_days",
        "privacy.guest_retention_days",
        "KIOSK_GUEST_RETENTION_DAYS",
        _int_range(1, 3650),
    ),
    (
        "member_visit_retention_days",
        "privacy.member_visit_days",
        "KIOSK_MEMBER_VISIT_DAYS",
        _int_range(1, 3650),
    ),
    ("refusal_retention_days", "privacy.refusal_days", "KIOSK_REFUSAL_DAYS", _int_range(1, 3650)),
    (
        "survey_retention_days",
        "privacy.closed_survey_days",
        "KIOSK_CLOSED_SURVEY_DAYS",
        _int_range(1, 3650),
    ),
    ("data_dir", "storage.data_dir", "KIOSK_DATA_DIR", _path),
    ("db_url", "database.url", "KIOSK_DB_URL", _db_url),
    ("card_key_file", "cards.key_file", "KIOSK_CARD_KEY_FILE", _path),
    ("layout_file", "layout.file", "KIOSK_LAYOUT", _path),
    ("staff_pin_hash", "staff.pin_hash", "KIOSK_STAFF_PIN_HASH", _text),
    ("survey_chance", "survey.chance", "KIOSK_SURVEY_CHANCE", _fraction),
    ("survey_min_days", "survey.min_days_between", "KIOSK_SURVEY_MIN_DAYS", _int_range(0, 3650)),
    ("survey_elements", "survey.elements_per_visit", "KIOSK_SURVEY_ELEMENTS", _int_range(1, 3)),
    ("survey_expire_days", "survey.expire_days", "KIOSK_SURVEY_EXPIRE_DAYS", _int_range(1, 365)),
    ("survey_standard", "survey.standard", "KIOSK_SURVEY_STANDARD", _choice("2017", "2004")),
    ("member_types", "categories.member_types", "KIOSK_MEMBER_TYPES", _member_types),
    ("web_allow_http", "web.allow_http", "KIOSK_WEB_ALLOW_HTTP", _bool),
]
_BY_KEY = {key: (name, check) for name, key, _env, check in _FIELDS}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("kiosk", appauthor=False)) / "kiosk.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), "(file)", f"not valid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), "(file)", f"cannot be read: {e}") from None


def _flatten(table: Mapping[str, Any], source: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section, body in table.items():
        if not isinstance(body, Mapping):
            raise ConfigError(source, section, "expected a [section] table")
        for key, value in body.items():
            flat[f"{section}.{key}"] = value
    return flat


def load_settings(
    config_path: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults, then the config file, then KIOSK_* variables, then `overrides` (field names)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: list[str] = []

    path = config_path or env.get("KIOSK_CONFIG")
    if path is None and default_config_path().exists():
        path = default_config_path()
    if path is not None:
        path = Path(path).expanduser()
        flat = _flatten(_read_toml(path), str(path))
        for key, raw in flat.items():
            if key not in _BY_KEY:
                known = ", ".join(sorted(_BY_KEY))
                raise ConfigError(str(path), key, f"unknown setting (known: {known})")
            name, check = _BY_KEY[key]
            values[name] = _checked(check, raw, str(path), key)
        sources.append(str(path))
        # Relative paths in a config file are relative to that file, not the working directory.
        for name in ("data_dir", "card_key_file", "layout_file", "library_logo"):
            if name in values and not values[name].is_absolute():
                values[name] = path.parent / values[name]

    for name, _key, var, check in _FIELDS:
        if var in env and env[var] != "":
            values[name] = _checked(check, env[var], "environment", var)
            sources.append(var)

    valid = {f.name for f in fields(Settings)}
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in valid:
            raise ConfigError("command line", name, "unknown setting")
        check = next((c for n, _k, _e, c in _FIELDS if n == name), lambda v: v)
        values[name] = _checked(check, raw, "command line", name)

    return replace(Settings(), **values, source=", ".join(sources) or "defaults")


def _checked(check: Callable[[Any], Any], raw: Any, source: str, key: str) -> Any:
    try:
        return check(raw)
    except ValueError as e:
        raise ConfigError(source, key, f"{e} (got {raw!r})") from None
