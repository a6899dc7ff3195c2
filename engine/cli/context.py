"""What a CLI command works with: settings, and a database and engine opened only if the command needs them."""

from __future__ import annotations

import argparse
from datetime import date
from functools import cached_property

from engine.config import Settings, load_settings
from engine.service import Engine
from engine.store.db import Database


class Context:
    def __init__(self, database_url: str | None) -> None:
        self.settings: Settings = load_settings(database_url)

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        return Engine(self.db, self.settings)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


def day(text: str) -> date:
    """A date argument (``YYYY-MM-DD``), refused by argparse with the value it could not read."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
