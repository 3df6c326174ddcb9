"""Where the kiosk's shipped files are: `assets/` and the migrations in `db/`.

The wheel installs them as the packages `kiosk.assets` and `kiosk.migrations` (see setup.py);
an editable install maps the same names onto the checkout's folders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    # Wheels install as plain folders; Kivy, Alembic and the sound loader need real paths.
    return Path(str(files(package)))


ASSETS = _folder("kiosk.assets")
MIGRATIONS = _folder("kiosk.migrations")


def asset(*parts: str) -> Path:
    """A shipped file, e.g. asset("layouts", "lubuklinggau.toml")."""
    return ASSETS.joinpath(*parts)
