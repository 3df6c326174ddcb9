"""closed word lists: CHECK constraints on the vocabulary columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

The words are written out here, not imported from kiosk.domain.vocab: this revision must
mean the same thing after the vocabulary grows (a new word is a new revision).
Survey queue rows from before surveys were closed as one neutral status ("answered",
"skipped", "expired") are closed first, as the survey service closes them. Any other word
outside a list stops the upgrade with the column, the words and how many rows; nothing is
changed then (the upgrade is one transaction).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("visits", "visitor_type"): ("member", "guest", "group"),
    ("visits", "decision"): ("welcome", "welcome_back", "moved"),
    ("visits", "source"): ("scan", "barcode", "keypad", "form", "cli", "paper"),
    ("refused_scans", "reason"): (
        "unknown_card",
        "bad_payload",
        "revoked_card",
        "expired",
        "suspended",
        "unknown_group",
        "wrong_day",
    ),
    ("survey_queue", "status"): ("pending", "shown", "closed"),
    ("survey_respondents", "channel"): ("mini", "rating", "paper"),
    ("survey_answers", "channel"): ("mini", "rating", "paper"),
}


def _in(column: str, words: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(w) for w in words)})"


def _tables() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table, column in WORDS:
        tables.setdefault(table, []).append(column)
    return tables


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE survey_queue SET status = 'closed', elements = '' "
            "WHERE status NOT IN ('pending', 'shown', 'closed')"
        )
    )
    strays = []
    for (table, column), words in WORDS.items():
        rows = bind.execute(
            sa.text(
                f"SELECT {column}, count(*) FROM {table} WHERE NOT ({_in(column, words)}) "
                f"GROUP BY {column}"
            )
        ).all()
        strays += [f"{table}.{column} = {word!r} ({n} rows)" for word, n in rows]
    if strays:
        raise CommandError(
            "words outside the kiosk's vocabulary, fix or delete these rows and run "
            "`kiosk init` again: " + "; ".join(strays)
        )
    for table, columns in _tables().items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.create_check_constraint(
                    op.f(f"ck_{table}_{column}"), _in(column, WORDS[(table, column)])
                )


def downgrade() -> None:
    for table, columns in _tables().items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
