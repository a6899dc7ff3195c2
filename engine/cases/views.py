"""Read models: what the CLI prints and the web shows. Plain queries on projections; no workflow is loaded."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound, say
from engine.inputs import record_id
from engine.people import access
from engine.preplans.conventions import HIDDEN
from engine.store.models import (
    Case,
    Comment,
    Event,
    Preplan,
    PreplanVersion,
    Task,
    Timer,
    User,
)
from engine.timefmt import iso


def case_now(case: Case) -> datetime:
    """Now in the case's time (a drill runs ahead of the real clock by its offset)."""
    return clock.real_now() + timedelta(seconds=case.clock_offset_seconds)


def find_case(session: Session, ref: str | int) -> Case:
    """A case by id or business key."""
    text = str(ref).strip()[:80]
    case = (
        session.get(Case, record_id(text, "case"))
        if text.isdigit()
        else session.scalar(select(Case).where(Case.business_key == text))
    )
    if case is None:
        raise NotFound(say("no case %(value)s", value=text))
    return case


def hide(value: Any, hidden: Collection[str]) -> Any:
    """``value`` with each field named in ``hidden`` (at any depth) shown as :data:`HIDDEN`: the reader sees that
    the field exists, not what it holds."""
    if not hidden:
        return value
    if isinstance(value, dict):
        return {k: (HIDDEN if k in hidden and v not in (None, "") else hide(v, hidden)) for k, v in value.items()}
    if isinstance(value, list):
        return [hide(item, hidden) for item in value]
    return value


def task_view(row: Task, case: Case, preplan_key: str, tz: tzinfo) -> dict[str, Any]:
    overdue = row.status == "open" and row.due_at is not None and row.due_at < case_now(case)
    status = row.status if row.status != "open" else ("claimed" if row.assignee else "ready")
    return {
        "id": row.id,
        "case": case.id,
        "business_key": case.business_key,
        "preplan": preplan_key,
        "name": row.name,
        "bpmn_id": row.bpmn_id,
        "role": row.role,
        "unit": row.unit_key,
        "assignee": row.assignee,
        "status": status,
        "created_at": iso(row.created_at, tz),
        "due_at": iso(row.due_at, tz),
        "due_provisional": row.due_provisional,
        "overdue": overdue,
        "form": row.form,
        "is_drill": case.is_drill,
        "completed_at": iso(row.completed_at, tz),
        "completed_by": row.completed_by,
    }


def list_tasks(
    session: Session, tz: tzinfo, *, user: User | None = None, case_id: int | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    statement = (
        select(Task, Case, Preplan.key)
        .join(Case, Task.case_id == Case.id)
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan)
    )
    if not include_closed:
        statement = statement.where(Task.status == "open")
    if case_id is not None:
        statement = statement.where(Task.case_id == case_id)
    if user is not None:  # their open work; with the closed tasks, every step they did or could have done
        statement = statement.where(
            or_(Task.assignee == user.name, access.candidate_clause(user))
            if include_closed
            else access.work_list_clause(user)
        )
    statement = statement.order_by(Task.due_at.is_(None), Task.due_at, Task.id)
    return [task_view(row, case, key, tz) for row, case, key in session.execute(statement)]


def summary_of(
    case: Case, open_rows: Collection[Task], preplan_key: str, version_number: int, tz: tzinfo
) -> dict[str, Any]:
    """A case and its open steps, from its open task rows."""
    ordered = sorted(open_rows, key=lambda row: (row.due_at is None, row.due_at or clock.real_now(), row.id))
    return {
        "case": case.id,
        "business_key": case.business_key,
        "unit": case.unit_key,
        "version": version_number,
        "status": case.status,
        "tasks": [task_view(row, case, preplan_key, tz) for row in ordered],
    }


def case_view(session: Session, case: Case, tz: tzinfo, hidden: Collection[str] = ()) -> dict[str, Any]:
    """Everything about a case; the confidential fields in ``hidden`` show that they exist, not their values."""
    timers = session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at))
    open_rows = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")).all()
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))
    return {
        **summary_of(case, open_rows, case.version.preplan.key, case.version.number, tz),
        "preplan": case.version.preplan.key,
        "title": case.title,
        "severity": case.severity,
        "is_drill": case.is_drill,
        "started_by": case.started_by,
        "started_at": iso(case.started_at, tz),
        "ended_at": iso(case.ended_at, tz),
        "end_reason": case.end_reason,
        "data": hide(case.data, hidden),
        "timers": [
            {"id": t.id, "bpmn_id": t.bpmn_id, "due_at": iso(t.due_at, tz), "provisional": t.provisional}
            for t in timers
        ],
        "events": [
            {"at": iso(e.at, tz), "actor": e.actor, "kind": e.kind, "details": hide(e.details, hidden)} for e in events
        ],
        "comments": case_comments(session, case, tz),
    }


def case_comments(session: Session, case: Case, tz: tzinfo) -> list[dict[str, Any]]:
    rows = session.scalars(select(Comment).where(Comment.case_id == case.id).order_by(Comment.at, Comment.id))
    return [{"at": iso(c.at, tz), "author": c.author, "text": c.text} for c in rows]


def recorded_steps(session: Session, case: Case, tz: tzinfo, hidden: Collection[str] = ()) -> list[dict[str, Any]]:
    """The completed steps of a case in the order they were done, each with what its form recorded (confidential
    fields in ``hidden`` shown as such)."""
    rows = session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == "completed").order_by(Task.completed_at, Task.id)
    )
    return [
        {
            "task": r.id,
            "name": r.name,
            "bpmn_id": r.bpmn_id,
            "role": r.role,
            "by": r.completed_by,
            "at": iso(r.completed_at, tz),
            "data": hide(r.data or {}, hidden),
        }
        for r in rows
    ]


def data_by_step(data: dict[str, Any], steps: list[dict[str, Any]], start_fields: set[str]) -> list[dict[str, Any]]:
    """A case's current data grouped by where each value came from, each value once: the start form, the step
    that last recorded it, or the diagram itself (decisions, scripts). Empty groups are left out."""
    owner = {name: index for index, step in enumerate(steps) for name in step["data"]}
    start: list[tuple[str, Any]] = []
    recorded: dict[int, list[tuple[str, Any]]] = {}
    computed: list[tuple[str, Any]] = []
    for name, value in data.items():
        if name in owner:
            recorded.setdefault(owner[name], []).append((name, value))
        elif name in start_fields:
            start.append((name, value))
        else:
            computed.append((name, value))
    groups = [{"kind": "start", "fields": start}] if start else []
    groups += [{"kind": "step", **steps[i], "fields": recorded[i]} for i in sorted(recorded)]
    return groups + ([{"kind": "computed", "fields": computed}] if computed else [])
