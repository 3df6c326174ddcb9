"""visit gender, guests' origin and purpose on the visit row; a covering index for counting

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Counting people, genders, guests' origins and purposes joined every visit to its member and
guest; these now travel with the visit (set at check-in, guest registration and sync ingest)
and the index ix_visits_counting covers every counting query. Existing visits get the gender
their member or guest has now, and their guest's origin and purpose; visits of members erased
before this revision stay "not given".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTING = [
    "local_day",
    "site",
    "room",
    "visitor_type",
    "category",
    "gender",
    "headcount",
    "boys",
    "girls",
    "at_utc",
    "member_id",
    "origin_code",
    "purpose",
]
OLD_REPORT = ["local_day", "visitor_type", "headcount", "at_utc", "site", "room", "category"]


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("origin_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=30), nullable=True))
    # Correlated subqueries by primary key: the same statement on SQLite and PostgreSQL.
    op.execute(
        "UPDATE visits SET gender = "
        "(SELECT members.gender FROM members WHERE members.id = visits.member_id) "
        "WHERE member_id IS NOT NULL"
    )
    for column in ("gender", "origin_code", "purpose"):
        op.execute(
            f"UPDATE visits SET {column} = "
            f"(SELECT guests.{column} FROM guests WHERE guests.id = visits.guest_id) "
            "WHERE guest_id IS NOT NULL"
        )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_report")  # its columns are all in the new one
        batch_op.create_index("ix_visits_counting", COUNTING, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_counting")
        batch_op.create_index("ix_visits_report", OLD_REPORT, unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("purpose")
        batch_op.drop_column("origin_code")
        batch_op.drop_column("gender")
