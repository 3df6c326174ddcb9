"""sync: outbox and state on kiosks; enrolled kiosks, receipts and pull sequence centrally

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("server_url", sa.String(length=300), nullable=True),
        sa.Column("kiosk_id", sa.String(length=40), nullable=True),
        sa.Column("site", sa.String(length=16), nullable=True),
        sa.Column("location", sa.String(length=16), nullable=True),
        sa.Column("pull_cursor", sa.Integer(), nullable=False),
        sa.Column("peer_cursor", sa.DateTime(), nullable=True),
        sa.Column("keys_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("layout_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("last_push", sa.DateTime(), nullable=True),
        sa.Column("last_pull", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("meta", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("quarantined", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_sync_outbox_queue", ["quarantined", "id"], unique=False)
    op.create_table(
        "sync_kiosks",
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires", sa.DateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_contact", sa.DateTime(), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("queued", sa.Integer(), nullable=True),
        sa.Column("quarantined", sa.Integer(), nullable=True),
        sa.Column("camera", sa.String(length=40), nullable=True),
        sa.Column("free_disk_mb", sa.Integer(), nullable=True),
        sa.Column("clock_offset_s", sa.Integer(), nullable=True),
        sa.Column("clock_flag", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id"),
        sa.UniqueConstraint("code_hash"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "sync_receipts",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=40), nullable=False),
        sa.Column("kiosk_time", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("flags", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("record_id"),
    )
    with op.batch_alter_table("sync_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_receipts_site_received", ["site", "received_at"], unique=False
        )
    op.create_table(
        "sync_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("sync_changes")
    with op.batch_alter_table("sync_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_receipts_site_received")
    op.drop_table("sync_receipts")
    op.drop_table("sync_kiosks")
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_outbox_queue")
    op.drop_table("sync_outbox")
    op.drop_table("sync_state")
