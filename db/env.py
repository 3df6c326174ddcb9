"""Alembic environment: migrations run on the engine the kiosk hands over (`kiosk init`)."""

from alembic import context
from alembic.util import CommandError
from sqlalchemy import create_engine, text

from kiosk.adapters.db.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if sqlite:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
        # that drop would cascade to the rows that point at it (survey answers, visits).
        # The switch only works outside a transaction, so it comes first; the keys are
        # checked before the migration commits.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).all()
            if broken:
                raise CommandError(f"migration left rows without their parent: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
