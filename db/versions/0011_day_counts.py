"""visit counts: room visits per day and per month, members per month, kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

The dashboard's Trends page compares ten years of visits with the ten before; counted from
`visits` that is 1.5 million rows read per page. The database keeps small tables instead,
filled here from the visits already stored and then kept by triggers, so that every way a
visit is written (a check-in, a sync batch by COPY, an erasure that unlinks a member, a row
deleted or corrected by hand) changes them in the same transaction:

- visit_day_counts and visit_month_counts: room visits, visits, boys, girls and erased
  members' visits per local day (month), site, room, visitor type, category and gender;
- visit_member_months: which members came to which site in which month.

PostgreSQL runs one statement per insert, update or delete statement (transition tables), so a
sync batch of a thousand visits costs a few statements more, not thousands; SQLite, in
process, runs its triggers per row.

A member's month goes when a statement takes out the member's last visit of it: on
PostgreSQL two transactions at once must not each see the other's visit (both keep the
month) nor miss a visit of the month being stored (the month goes), so member months are
locked by the statements that add or take out their visits.

SQLite drops a table's triggers when a migration rebuilds it (`batch_alter_table("visits")`):
such a migration must create them again (`create_triggers`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "site, room, visitor_type, category, gender"
SUMS = "heads, records, boys, girls, unnamed"
# table -> its date column; the month's is its first day
COUNTS = {"visit_day_counts": "local_day", "visit_month_counts": "month"}
MONTH = {
    "postgresql": "date_trunc('month', {day})::date",
    "sqlite": "date({day}, 'start of month')",
}


def _when(table: str, day: str, dialect: str) -> str:
    """The value of `table`'s date column for a visit whose local day is `day`."""
    return day if COUNTS[table] == "local_day" else MONTH[dialect].format(day=day)


def _add(table: str) -> str:
    sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS.split(", "))
    return f"ON CONFLICT ({COUNTS[table]}, {KEY}) DO UPDATE SET {sums}"


def _grouped(table: str, rows: str, sign: str, dialect: str) -> str:
    """INSERT the counts of the visits in `rows` (a table), each signed by `sign`, into `table`."""
    return f"""
        INSERT INTO {table} ({COUNTS[table]}, {KEY}, {SUMS})
        SELECT * FROM (
            SELECT {_when(table, "local_day", dialect)}, site, room, visitor_type,
                   COALESCE(category, ''), COALESCE(gender, ''),
                   {sign} * SUM(headcount), {sign} * COUNT(*), {sign} * SUM(COALESCE(boys, 0)),
                   {sign} * SUM(COALESCE(girls, 0)),
                   {sign} * SUM(CASE WHEN visitor_type = 'member' AND member_id IS NULL
                                     THEN 1 ELSE 0 END)
            FROM {rows} GROUP BY 1, 2, 3, 4, 5, 6) AS counted
        WHERE true ORDER BY 1, 2, 3, 4, 5, 6 {_add(table)}"""


def _members(rows: str, dialect: str) -> str:
    return f"""
        SELECT DISTINCT {MONTH[dialect].format(day="local_day")} AS month, site, member_id
        FROM {rows} WHERE member_id IS NOT NULL"""


# --- PostgreSQL: one function for the three statement triggers -----------------------------
def _pg_function() -> str:
    add_new = "".join(_grouped(t, "new_rows", "1", "postgresql") + ";" for t in COUNTS)
    take_old = "".join(_grouped(t, "old_rows", "-1", "postgresql") + ";" for t in COUNTS)
    empty = "".join(
        f"""
        DELETE FROM {t} c USING (SELECT DISTINCT {_when(t, "local_day", "postgresql")} AS at,
                                        site, room, visitor_type, category, gender FROM old_rows) o
        WHERE c.records = 0 AND c.{COUNTS[t]} = o.at AND c.site = o.site AND c.room = o.room
          AND c.visitor_type = o.visitor_type AND c.category = COALESCE(o.category, '')
          AND c.gender = COALESCE(o.gender, '');"""
        for t in COUNTS
    )
    return f"""
CREATE OR REPLACE FUNCTION kiosk_count_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN {take_old}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN {add_new}
        -- an existing member month is locked (not changed) until this transaction ends, so
        -- that one taking a visit of the same month out waits and then sees this one
        INSERT INTO visit_member_months (month, site, member_id)
        SELECT * FROM ({_members("new_rows", "postgresql")}) m
        ORDER BY 1, 2, 3 ON CONFLICT (month, site, member_id)
        DO UPDATE SET member_id = excluded.member_id WHERE false;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN {empty}
        -- lock the member months first; the DELETE's own snapshot, taken after, then sees
        -- the visits that other transactions committed meanwhile (a visit of the month
        -- stored, or another visit of the month taken out at the same time)
        PERFORM 1 FROM visit_member_months mm
        JOIN ({_members("old_rows", "postgresql")}) o
          ON mm.month = o.month AND mm.site = o.site AND mm.member_id = o.member_id
        ORDER BY mm.month, mm.site, mm.member_id FOR UPDATE OF mm;
        DELETE FROM visit_member_months mm USING ({_members("old_rows", "postgresql")}) o
        WHERE mm.month = o.month AND mm.site = o.site AND mm.member_id = o.member_id
          AND NOT EXISTS (
              SELECT 1 FROM visits v
              WHERE v.member_id = o.member_id AND v.site = o.site
                AND v.local_day >= o.month AND v.local_day < o.month + interval '1 month');
    END IF;
    RETURN NULL;
END $$
"""


PG_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


# --- SQLite: row triggers -------------------------------------------------------------------
def _sqlite_row(row: str, sign: str) -> str:
    """The statements adding (sign 1) or taking out (sign -1) one visit, NEW or OLD."""
    out = ""
    for table in COUNTS:
        at = _when(table, f"{row}.local_day", "sqlite")
        out += f"""
        INSERT INTO {table} ({COUNTS[table]}, {KEY}, {SUMS})
        SELECT {at}, {row}.site, {row}.room, {row}.visitor_type,
               COALESCE({row}.category, ''), COALESCE({row}.gender, ''),
               {sign} * {row}.headcount, {sign}, {sign} * COALESCE({row}.boys, 0),
               {sign} * COALESCE({row}.girls, 0),
               {sign} * ({row}.visitor_type = 'member' AND {row}.member_id IS NULL)
        WHERE true {_add(table)};"""
        if sign == "-1":
            out += f"""
        DELETE FROM {table}
        WHERE records = 0 AND {COUNTS[table]} = {at} AND site = {row}.site
          AND room = {row}.room AND visitor_type = {row}.visitor_type
          AND category = COALESCE({row}.category, '') AND gender = COALESCE({row}.gender, '');"""
    month = MONTH["sqlite"].format(day=f"{row}.local_day")
    if sign == "1":
        return (
            out
            + f"""
        INSERT OR IGNORE INTO visit_member_months (month, site, member_id)
        SELECT {month}, {row}.site, {row}.member_id WHERE {row}.member_id IS NOT NULL;"""
        )
    return (
        out
        + f"""
        DELETE FROM visit_member_months
        WHERE month = {month} AND site = {row}.site AND member_id = {row}.member_id
          AND NOT EXISTS (
              SELECT 1 FROM visits v
              WHERE v.member_id = {row}.member_id AND v.site = {row}.site
                AND v.local_day >= {month} AND v.local_day < date({month}, '+1 month'));"""
    )


SQLITE_TRIGGERS = {
    "INSERT": _sqlite_row("NEW", "1"),
    "UPDATE": _sqlite_row("OLD", "-1") + _sqlite_row("NEW", "1"),
    "DELETE": _sqlite_row("OLD", "-1"),
}


def create_triggers() -> None:
    """The triggers that keep the tables (also for a later migration that rebuilds visits)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function())
        for event, referencing in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER visits_counted_{event.lower()} AFTER {event} ON visits "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION kiosk_count_visits()"
            )
    else:
        for event, body in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER visits_counted_{event.lower()} AFTER {event} ON visits "
                f"FOR EACH ROW BEGIN {body} END"
            )


def drop_triggers() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for event in PG_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS visits_counted_{event.lower()}" + " ON visits" * pg)
    if pg:
        op.execute("DROP FUNCTION IF EXISTS kiosk_count_visits()")


def _count_table(table: str) -> None:
    op.create_table(
        table,
        sa.Column(COUNTS[table], sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("visitor_type", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in SUMS.split(", ")),
        sa.PrimaryKeyConstraint(COUNTS[table], *KEY.split(", ")),
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in COUNTS:
        _count_table(table)
        op.execute(_grouped(table, "visits", "1", dialect))
    op.create_table(
        "visit_member_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("month", "site", "member_id"),
    )
    op.execute(
        f"INSERT INTO visit_member_months (month, site, member_id) {_members('visits', dialect)}"
    )
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.drop_table("visit_member_months")
    for table in reversed(list(COUNTS)):
        op.drop_table(table)
