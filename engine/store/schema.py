"""Create or upgrade the database schema through Alembic (``preplan db init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from engine.store.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
