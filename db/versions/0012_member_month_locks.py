"""member months kept right under concurrent transactions (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Migration 0011's trigger function decided whether a member still came to a site in a month
from a snapshot that missed other transactions in flight: two transactions each taking out
one of a member's last two visits of a month both kept the month, and a visit of the month
stored while another was deleted lost it (tests/services/test_day_counts_paths.py). The
function now locks the member months it adds to or takes from (0011's text, fixed there for
new databases); this replaces it in databases already at 0011. SQLite has one writer at a
time: nothing changes there.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _day_counts() -> object:
    """Migration 0011's module (its file name is not an importable module name)."""
    path = Path(__file__).with_name("0011_day_counts.py")
    spec = importlib.util.spec_from_file_location("kiosk_migration_0011", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_day_counts()._pg_function())  # type: ignore[attr-defined]


def downgrade() -> None:
    # The locking function is right at 0011 too (0011 creates it since): nothing to undo.
    pass
