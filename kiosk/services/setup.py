"""Setting a kiosk up: the database at the newest schema and the library's card keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.adapters.db.engine import init_db, make_engine
from kiosk.config import Settings
from kiosk.domain.cards import Keyring


@dataclass(frozen=True)
class Ready:
    database: str  # the URL without its password
    schema: str
    key_file: Path
    new_key: bool


def init_kiosk(settings: Settings) -> Ready:
    """Create or upgrade the database (keeping every row) and make the card key if none exists."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        revision = init_db(engine)
    finally:
        engine.dispose()
    key_file = settings.key_file
    new_key = not key_file.exists()
    if new_key:
        Keyring.generate(key_file)
    else:
        Keyring.load(key_file)  # a damaged key file is reported now, not at the first scan
    return Ready(engine.url.render_as_string(hide_password=True), revision, key_file, new_key)
