"""Append-only audit trail: every state change, with its actor, in the transaction that made it.

Events are queued on the session and written together, in one statement, when the write transaction commits
(:meth:`engine.store.db.Database.write`); nothing reads the trail inside the transaction that adds to it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from engine import clock
from engine.store.models import Event

_QUEUE = "preplan_audit"


def record(session: Session, case_id: int | None, actor: str, kind: str, **details: Any) -> None:
    session.info.setdefault(_QUEUE, []).append(
        {"case_id": case_id, "at": clock.now(), "actor": actor, "kind": kind, "details": details}
    )


def write_queued(session: Session) -> None:
    """Write the events recorded in this transaction (the last statement before its commit)."""
    events = session.info.pop(_QUEUE, None)
    if events:
        session.execute(insert(cast(Table, Event.__table__)), events)


def forget_queued(session: Session) -> None:
    """A rolled back transaction records nothing."""
    session.info.pop(_QUEUE, None)
