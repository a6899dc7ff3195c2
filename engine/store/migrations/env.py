"""Alembic environment: the connection comes from engine.schema.upgrade (or alembic.ini's URL)."""

from alembic import context
from sqlalchemy import create_engine

from engine.store.models import Base

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as connection:
        _migrate(connection)
        connection.commit()


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
