"""Append-only audit trail: every state change, with its actor, in the transaction that made it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import clock
from engine.store.models import Event


def record(session: Session, case_id: int | None, actor: str, kind: str, **details: Any) -> Event:
    event = Event(case_id=case_id, at=clock.now(), actor=actor, kind=kind, details=details)
    session.add(event)
    return event
