"""Preplan scenarios exercise the diagrams, their forms, decisions and deadlines, not the storage: they run on
SQLite. Storage, locking, timers and migrations run on SQLite and PostgreSQL in tests/engine."""

import pytest


@pytest.fixture
def engine(sqlite_engine):
    return sqlite_engine
