"""Shared fixtures: real databases (a SQLite file per test, a PostgreSQL schema per run) and a fixed clock.

Under CI=true a missing PostgreSQL server or chromium fails the run; elsewhere those tests are skipped with the
reason. The integration suite runs on both backends through the parametrized ``engine`` fixture.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine import clock
from engine.config import load_settings
from engine.people.users import ensure_builtins
from engine.service import Engine
from engine.store import schema
from engine.store.db import Database
from engine.store.models import Base
from tests import webhook_receiver
from tests.flow import Flow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("PREPLAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require(reason: str) -> None:
    """A missing real part fails under CI and skips (with the reason) on a developer machine."""
    if CI:
        pytest.fail(f"CI=true requires it: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _real_clock_after_test():
    yield
    clock.fix(None)


@pytest.fixture(autouse=True)
def _instance_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PREPLAN_INSTANCE", str(tmp_path / "instance"))


# -- SQLite ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """Migrate once; each test copies the file (a migration per test would dominate the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    schema.upgrade(db)
    db.dispose()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "preplan.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


# -- PostgreSQL -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_url() -> str:
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means the same thing here
        require(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc.__class__.__name__}")
    name = f"preplan_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{name}"
    db = Database(url)
    schema.upgrade(db)
    with db.engine.begin() as connection:  # autovacuum's locks would deadlock with the TRUNCATE between tests
        for (table,) in connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"), {"schema": name}
        ):
            connection.execute(text(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)'))
    db.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres_clean_url(postgres_url) -> str:
    db = Database(postgres_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    for attempt in range(3):
        try:
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except OperationalError as exc:  # autovacuum on a table a migration test made again: once more
            if "deadlock" not in str(exc) or attempt == 2:
                raise
    with db.write() as session:  # what the migration put there: the root unit
        ensure_builtins(session)
    db.dispose()
    return postgres_url


# -- engines --------------------------------------------------------------------------------------------------
def _engine(url: str):
    settings = load_settings(url)
    engine = Engine(Database(url), settings)
    yield engine
    engine.db.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url):
    yield from _engine(sqlite_url)


@pytest.fixture
def pg_engine(postgres_clean_url):
    yield from _engine(postgres_clean_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    """The integration suite's engine: every test using it runs on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_clean_url")
    yield from _engine(url)


@pytest.fixture
def flow(engine) -> Flow:
    return Flow(engine)


@pytest.fixture
def sqlite_flow(sqlite_engine) -> Flow:
    return Flow(sqlite_engine)


# -- webhooks -------------------------------------------------------------------------------------------------
@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 that records the webhooks it is sent (tests/webhook_receiver.py)."""
    yield from webhook_receiver.serving()
