"""Drills (演练): cases that rehearse a preplan on their own virtual clock.

A drill case runs on the real clock plus its own offset. Advancing a drill (an operation of the service layer)
moves only that case's clock by :func:`step` (to its next deadline, or by a duration) and fires what came due in
that case; real cases and other drills are untouched. The report lists every step with its opening, deadline and
completion, and whether it was done on time.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.views import case_now
from engine.errors import Conflict, ValidationFailed, say
from engine.store.models import Case, Task, Timer
from engine.timefmt import iso

_PAST_DUE = timedelta(seconds=1)  # timers fire strictly after their due time


def step(session: Session, case: Case, to_next_deadline: bool, by: str | None) -> timedelta:
    """How far a drill's clock moves: just past its next deadline, or by an ISO 8601 duration."""
    now = case_now(case)
    if to_next_deadline:
        due = session.scalar(select(func.min(Timer.due_at)).where(Timer.case_id == case.id))
        if due is None:
            raise Conflict(say("drill %(case)s has no deadline waiting: nothing to advance to", case=case.business_key))
        return max(due - now, timedelta(0)) + _PAST_DUE
    try:
        parsed = TimerEventDefinition.parse_iso_duration(by or "")
        step: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
    except Exception:
        raise ValidationFailed(
            say("%(by)s is not an ISO 8601 duration (e.g. PT4H, P1D)", by=repr(by or "")),
            {"by": "not an ISO 8601 duration"},
        ) from None
    if step <= timedelta(0):
        raise ValidationFailed(say("a drill clock only moves forward"), {"by": "must be positive"})
    return step


def report(session: Session, case: Case, tz: tzinfo) -> dict[str, Any]:
    now = case_now(case)
    steps = []
    for task in session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.created_at, Task.id)):
        done = task.status == "completed"
        late = task.due_at is not None and ((task.completed_at or now) > task.due_at)
        steps.append(
            {
                "name": task.name,
                "role": task.role,
                "assignee": task.completed_by or task.assignee,
                "status": task.status,
                "opened_at": iso(task.created_at, tz),
                "due_at": iso(task.due_at, tz),
                "due_provisional": task.due_provisional,
                "completed_at": iso(task.completed_at, tz) if done else None,
                "on_time": (not late) if done or late else None,
            }
        )
    return {
        "case": case.id,
        "business_key": case.business_key,
        "title": case.title,
        "is_drill": case.is_drill,
        "status": case.status,
        "now": iso(now, tz),
        "steps": steps,
        "summary": {
            "steps": len(steps),
            "on_time": sum(1 for s in steps if s["on_time"] is True),
            "late": sum(1 for s in steps if s["on_time"] is False),
            "open": sum(1 for s in steps if s["status"] == "open"),
        },
    }
