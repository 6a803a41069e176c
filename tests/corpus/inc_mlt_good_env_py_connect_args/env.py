# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
from alembic import context
from sqlalchemy import create_engine

from myapp.config import settings
from myapp.db import metadata

target_metadata = metadata


def run_migrations_online():
    engine = create_engine(settings.DATABASE_URL, connect_args={"options": "-c lock_timeout=5000"})
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
