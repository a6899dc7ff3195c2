"""Engine, sessions and the transaction discipline: every write is one transaction holding the write lock.

SQLite (the embedded default) runs in WAL mode with ``synchronous=NORMAL``: a commit is durable against a crash of
the process or the machine's software, and only the last commits may be lost on a power cut (the database stays
consistent); FULL would wait for the disk at every commit. A write transaction starts with ``BEGIN IMMEDIATE`` so
two writers queue instead of failing half-way. PostgreSQL takes row locks (``SELECT … FOR UPDATE``) where the
operation says so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.store import audit

_WRITE = "preplan_write"
_AFTER_COMMIT = "preplan_after_commit"
#: Statements each SQLite connection keeps prepared (the default is 128; an operation's statements recur).
_PREPARED = 512


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the write transaction of ``session`` has committed (never if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = _make_engine(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_rollback", audit.forget_queued)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back (and re-raised) on any error."""
        with self._sessions() as session:
            session.connection(execution_options={_WRITE: True})
            try:
                yield session
                audit.write_queued(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                actions = session.info.pop(_AFTER_COMMIT, [])
            for action in actions:
                action()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, echo: bool) -> Engine:
    if not url.startswith("sqlite"):
        return _postgres_engine(url, echo)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False, "cached_statements": _PREPARED}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: str, echo: bool) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    timeout = os.environ.get("PREPLAN_LOCK_EXPIRY", "60s")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # A process that hangs inside a transaction loses its locks (and its transaction) after this long.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET idle_in_transaction_session_timeout = '{_duration(timeout)}'")
        dbapi_connection.commit()

    return engine


def _duration(text: str) -> str:
    if not re.fullmatch(r"\d+(ms|s|min)", text):
        raise ValueError(f"PREPLAN_LOCK_EXPIRY={text!r}: expected e.g. 60s")
    return text
