"""paper survey imports (content hash) and suggestions

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("standard", sa.String(length=24), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_imports", schema=None) as batch_op:
        batch_op.create_index("ix_survey_imports_digest", ["digest"], unique=False)
    op.create_table(
        "survey_suggestions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("standard", sa.String(length=24), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_suggestions_std_day", ["standard", "local_day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_suggestions_std_day")
    op.drop_table("survey_suggestions")
    with op.batch_alter_table("survey_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_imports_digest")
    op.drop_table("survey_imports")
