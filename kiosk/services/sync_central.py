"""The central database as the sync server uses it: one transaction per request.

Stateless: every call reads what it needs from the database, so several server processes can
run on one PostgreSQL. Enrolment, ingest and pull live in sync_enrolment, sync_ingest and
sync_deltas.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from kiosk.adapters.db.engine import make_engine, make_sessionmaker, schema_status
from kiosk.config import Settings
from kiosk.domain.cards import Keyring
from kiosk.services.sync_deltas import pull
from kiosk.services.sync_enrolment import (
    Enrolment,
    SyncAuthError,
    TooManyAttempts,
    add_kiosk,
    authenticate,
    check_enrol_limit,
    digest,
    enroll,
    list_kiosks,
    make_central,
    note_enrol_failure,
    note_status,
    revoke_kiosk,
    utcnow,
)
from kiosk.services.sync_ingest import StoreRefused, prepare_connection, push

__all__ = [
    "CentralDatabase",
    "Enrolment",
    "StoreRefused",
    "SyncAuthError",
    "TooManyAttempts",
    "add_kiosk",
    "digest",
    "list_kiosks",
    "make_central",
    "revoke_kiosk",
]


class CentralDatabase:
    """One transaction per request; nothing is kept between requests but the engine."""

    def __init__(self, engine: Engine, key_file: Path, layout_file: Path | None = None) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.key_file = key_file
        self.layout_file = layout_file

    @classmethod
    def open(cls, settings: Settings) -> CentralDatabase:
        engine = make_engine(settings.database_url)
        current, head = schema_status(engine)
        if current != head:
            engine.dispose()
            raise ValueError(f"the central database is not at schema {head}: run `kiosk init`")
        Keyring.load(settings.key_file)  # no keys, no enrolment: say so at start
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", prepare_connection)
        db = cls(engine, settings.key_file, settings.layout_file)
        with db.sessions() as s, s.begin():
            make_central(s)
        return db

    def close(self) -> None:
        self.engine.dispose()

    def enroll(self, code: str, client: str) -> dict[str, Any]:
        """Exchange a code for a token, unless `client` (an address) or everyone together
        sent too many wrong codes lately; a wrong code is counted in its own transaction."""
        now = utcnow()
        with self.sessions() as s, s.begin():
            check_enrol_limit(s, client, now)
        try:
            with self.sessions() as s, s.begin():
                return enroll(s, code, self.key_file)
        except SyncAuthError:
            with self.sessions() as s, s.begin():
                note_enrol_failure(s, client, now)
            raise

    def status(self, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            kiosk = authenticate(s, token)
            now = utcnow()
            note_status(kiosk, body, now)
            return {
                "server_time": now.isoformat(),
                "clock_offset_s": kiosk.clock_offset_s,
                "clock_flag": kiosk.clock_flag,
            }

    def push(self, token: str | None, body: Any) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            return push(s, authenticate(s, token), body)

    def pull(
        self,
        token: str | None,
        since: int,
        peers_since: datetime | None,
        keys_fingerprint: str | None,
        layout_fingerprint: str | None = None,
    ) -> dict[str, Any]:
        with self.sessions() as s, s.begin():
            kiosk = authenticate(s, token)
            return pull(
                s,
                kiosk,
                since,
                peers_since,
                keys_fingerprint,
                self.key_file,
                layout_fingerprint,
                self.layout_file,
            )
