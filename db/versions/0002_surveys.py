"""surveys and report index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_respondents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("standard", sa.String(length=24), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("education", sa.String(length=40), nullable=True),
        sa.Column("occupation", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_respondents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_respondents_std_day", ["standard", "local_day"], unique=False
        )

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("respondent_id", sa.Uuid(), nullable=False),
        sa.Column("standard", sa.String(length=24), nullable=False),
        sa.Column("element", sa.String(length=4), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(["respondent_id"], ["survey_respondents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answers_std_day", ["standard", "local_day", "element"], unique=False
        )

    op.create_table(
        "survey_queue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("standard", sa.String(length=24), nullable=False),
        sa.Column("elements", sa.String(length=40), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("queued_day", sa.Date(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_queue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_queue_member_day", ["member_id", "queued_day"], unique=False
        )

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_report",
            ["local_day", "visitor_type", "headcount", "at_utc", "site", "room", "category"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_report")

    with op.batch_alter_table("survey_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_queue_member_day")

    op.drop_table("survey_queue")
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answers_std_day")

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_respondents", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_respondents_std_day")

    op.drop_table("survey_respondents")
