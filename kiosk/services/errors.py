"""The failures an entry point (the command line, the screens, the server) may meet when it calls
a service, under names that do not tie it to the database library."""

from __future__ import annotations

from alembic.util import CommandError as SchemaError
from sqlalchemy.exc import SQLAlchemyError as DatabaseError

from kiosk.services.checkin import StorageError
from kiosk.services.kiosk import NotReady

__all__ = ["DatabaseError", "NotReady", "SchemaError", "StorageError", "database_problem"]


def database_problem(e: DatabaseError) -> str:
    """The driver's own words where there are some (they name the table or the constraint)."""
    return str(getattr(e, "orig", None) or e)
