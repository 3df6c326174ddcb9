"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("institution", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("expected_children", sa.Integer(), nullable=False),
        sa.Column("expected_adults", sa.Integer(), nullable=False),
        sa.Column("leader_name", sa.String(length=120), nullable=True),
        sa.Column("leader_phone", sa.String(length=30), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_groups_visit_date"), ["visit_date"], unique=False)

    op.create_table(
        "guests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("origin_code", sa.String(length=8), nullable=True),
        sa.Column("origin_other", sa.String(length=80), nullable=True),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("card_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "refused_scans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("excerpt", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("refused_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_scans_local_day"), ["local_day"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("visitor_type", sa.String(length=6), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("boys", sa.Integer(), nullable=True),
        sa.Column("girls", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("guest_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["guest_id"], ["guests.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_day_room", ["local_day", "room"], unique=False)
        batch_op.create_index("ix_visits_member_at", ["member_id", "at_utc"], unique=False)
        batch_op.create_index("ix_visits_site_day", ["site", "local_day"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_site_day")
        batch_op.drop_index("ix_visits_member_at")
        batch_op.drop_index("ix_visits_day_room")

    op.drop_table("visits")
    with op.batch_alter_table("refused_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_scans_local_day"))

    op.drop_table("refused_scans")
    op.drop_table("members")
    op.drop_table("guests")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_visit_date"))

    op.drop_table("groups")
