"""Setting a kiosk up (`kiosk init`): the database at the newest schema (every row kept) and
the library's card keys.

It never destroys what a running library depends on: a damaged database is refused with the
way out (restore a backup), and an existing card key is never replaced unless the
administrator asks for a new one; a missing key on a kiosk that already has members is not
quietly re-made (every printed card would then be refused as forged).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from kiosk.adapters.db.engine import (
    DatabaseUnavailable,
    init_db,
    integrity_problems,
    make_engine,
)
from kiosk.adapters.db.models import Member
from kiosk.config import Settings
from kiosk.domain.cards import Keyring
from kiosk.services.kiosk import NotReady


class SetupRefused(NotReady):
    """`init` would lose data or break cards; the message says what to do instead."""


@dataclass(frozen=True)
class Ready:
    database: str  # the URL without its password
    schema: str
    key_file: Path
    key_action: str  # kept | created | added (a new current key beside the old ones)
    key_id: str
    warning: str = ""

    @property
    def new_key(self) -> bool:
        return self.key_action != "kept"


def _key_present(path: Path) -> bool:
    # A 0-byte file (left by a full disk before key files were written atomically) holds no
    # key: it is treated as missing, so `init` can recover without hand work.
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def init_kiosk(settings: Settings, new_key: bool = False) -> Ready:
    """Check, create or upgrade the database, then keep, create or add a card key."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        engine = make_engine(settings.database_url)
    except DatabaseUnavailable as e:
        raise SetupRefused(str(e)) from None
    try:
        problems = integrity_problems(engine)
        if problems:
            raise SetupRefused(
                f"the database {engine.url.render_as_string(hide_password=True)} is damaged "
                f"({problems[0]}): restore the newest backup with `kiosk restore FILE` "
                "(`kiosk backup --list` shows them); nothing was changed"
            )
        had_members = _member_count(engine)
        revision = init_db(engine)
        database = engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()
    key_file = settings.key_file
    warning = ""
    if _key_present(key_file):
        ring = Keyring.load(key_file)  # a damaged key file is reported now, not at a scan
        action = "kept"
        if new_key:
            ring = ring.with_new_key(_next_id(ring))
            ring.save(key_file)
            action = "added"
            warning = (
                f"new card key {ring.current} added: cards printed from now on use it, older "
                f"cards keep working while their key stays in {key_file.name}; copy the file to "
                "every kiosk of the library"
            )
    else:
        if had_members and not new_key:
            raise SetupRefused(
                f"{key_file}: card key file not found, and the database has {had_members} "
                "member(s) whose cards were signed with it: restore the key from a backup "
                f"(`kiosk restore FILE` puts back {key_file.name}) or copy it from another "
                "kiosk of the library. Only if the key is lost for good: `kiosk init "
                "--new-key` makes a new one and every printed card must be reprinted"
            )
        ring = Keyring.generate(key_file)
        action = "created"
        if had_members:
            warning = (
                f"a NEW card key was made: the {had_members} member card(s) printed before "
                "no longer work; reprint them with `kiosk cards`"
            )
    return Ready(database, revision, key_file, action, ring.current, warning)


def _member_count(engine: Engine) -> int:
    if not inspect(engine).has_table(Member.__tablename__):
        return 0
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Member)) or 0


def _next_id(ring: Keyring) -> str:
    n = len(ring.keys) + 1
    while f"K{n}" in ring.keys:
        n += 1
    return f"K{n}"
