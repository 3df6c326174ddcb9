"""staff tasks: a group's purpose and cancellation, a guest's institution

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02

All three columns are optional: existing groups stay planned without a purpose, existing
guests without an institution. Levels stay codes in a String(10) (PT, university, is new).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("guests") as batch_op:
        batch_op.add_column(sa.Column("institution", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guests") as batch_op:
        batch_op.drop_column("institution")
    with op.batch_alter_table("groups") as batch_op:
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("purpose")
