"""sync gaps: peer visits apart, the time of the last sync error, failed enrolment codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Peer visits (other kiosks' recent visits, pulled for *welcome back* and *moved*) used to be
stored in `visits`, where a kiosk's own counts and exports could take them for its own. They
move to `peer_visits`: on an enrolled kiosk, the rows of `visits` made by another kiosk of its
site that were never queued to be sent are such copies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PEER_COPIES = """
    FROM visits
    WHERE kiosk_id <> (SELECT kiosk_id FROM sync_state WHERE id = 1 AND role = 'kiosk')
      AND site = (SELECT site FROM sync_state WHERE id = 1 AND role = 'kiosk')
      AND id NOT IN (SELECT record_id FROM sync_outbox)
"""


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_error_at", sa.DateTime(), nullable=True))
    op.create_table(
        "peer_visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("peer_visits", schema=None) as batch_op:
        batch_op.create_index("ix_peer_visits_at_utc", ["at_utc"], unique=False)
    op.create_table(
        "sync_enrol_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_enrol_failures", schema=None) as batch_op:
        batch_op.create_index("ix_sync_enrol_failures_at_utc", ["at_utc"], unique=False)
        batch_op.create_index(
            "ix_sync_enrol_failures_client_at", ["client", "at_utc"], unique=False
        )
    op.execute(
        "INSERT INTO peer_visits (id, at_utc, site, kiosk_id, room, member_id, group_id) "
        "SELECT id, at_utc, site, kiosk_id, room, member_id, group_id" + PEER_COPIES
    )
    op.execute("DELETE" + PEER_COPIES)


def downgrade() -> None:
    # Peer copies are disposable (pulled again within the peer window): they are dropped.
    with op.batch_alter_table("sync_enrol_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_enrol_failures_client_at")
        batch_op.drop_index("ix_sync_enrol_failures_at_utc")
    op.drop_table("sync_enrol_failures")
    with op.batch_alter_table("peer_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_visits_at_utc")
    op.drop_table("peer_visits")
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("last_error_at")
