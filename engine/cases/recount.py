"""Provisional deadlines of one case counted again on the calendar as it is now (its year's official schedule
entered, or a newer chinesecalendar): each deadline that moved is audited (``deadline_moved``) and the people of
its task are told; one that moved into the past fires at once. The caller holds the case's row lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.run import CaseRun, RunContext
from engine.notify import notices
from engine.store import audit
from engine.store.models import Case, Task
from engine.timefmt import iso


def recount_case(context: RunContext, session: Session, case: Case, actor: str, reason: str) -> list[dict[str, Any]]:
    """Recount one running case's provisional deadlines; returns ``{"bpmn_id", "name", "before", "after"}`` for
    each deadline that moved."""
    tz = context.settings.timezone
    before = {
        row.id: row.due_at
        for row in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
    }
    with CaseRun(context, session, case) as run:
        changes = run.recount_deadlines()
        run.advance()  # a deadline that moved into the past fires now
        run.save(actor)
    for change in changes:
        audit.record(session, case.id, actor, "deadline_moved", reason=reason, **change)
    for row in session.scalars(select(Task).where(Task.id.in_(before), Task.status == "open")):
        if row.due_at != before[row.id]:
            moved = f"{_short(iso(before[row.id], tz))} → {_short(iso(row.due_at, tz))}"
            notices.send(
                session, context.settings, notices.recipients(session, row), "deadline_moved", case, row, moved
            )
    return changes


def _short(text: str | None) -> str:
    return (text or "—").replace("T", " ")[:16]
