"""Alembic environment: migrations run on the engine the kiosk hands over (`kiosk init`)."""

from alembic import context
from sqlalchemy import create_engine

from kiosk.adapters.db.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
