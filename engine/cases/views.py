"""Read models: what the CLI prints and the web shows. Plain queries on projections; no workflow is loaded."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound, say
from engine.inputs import record_id
from engine.preplans.forms import schema_file
from engine.store.models import (
    Case,
    Comment,
    Event,
    Notification,
    Preplan,
    PreplanVersion,
    Role,
    Task,
    Timer,
    User,
    UserRole,
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
    if user is not None:
        statement = statement.where(
            or_(Task.assignee == user.name, (Task.assignee.is_(None) & Task.role.in_(user.role_keys)))
        )
    statement = statement.order_by(Task.due_at.is_(None), Task.due_at, Task.id)
    return [task_view(row, case, key, tz) for row, case, key in session.execute(statement)]


def case_summary(session: Session, case: Case, tz: tzinfo, version_number: int | None = None) -> dict[str, Any]:
    return {
        "case": case.id,
        "business_key": case.business_key,
        "version": version_number if version_number is not None else case.version.number,
        "status": case.status,
        "tasks": list_tasks(session, tz, case_id=case.id),
    }


def case_view(session: Session, case: Case, tz: tzinfo) -> dict[str, Any]:
    timers = session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at))
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))
    return {
        **case_summary(session, case, tz),
        "preplan": case.version.preplan.key,
        "title": case.title,
        "severity": case.severity,
        "is_drill": case.is_drill,
        "started_by": case.started_by,
        "started_at": iso(case.started_at, tz),
        "ended_at": iso(case.ended_at, tz),
        "end_reason": case.end_reason,
        "data": case.data,
        "timers": [
            {"id": t.id, "bpmn_id": t.bpmn_id, "due_at": iso(t.due_at, tz), "provisional": t.provisional}
            for t in timers
        ],
        "events": [{"at": iso(e.at, tz), "actor": e.actor, "kind": e.kind, "details": e.details} for e in events],
        "comments": case_comments(session, case, tz),
    }


def case_comments(session: Session, case: Case, tz: tzinfo) -> list[dict[str, Any]]:
    rows = session.scalars(select(Comment).where(Comment.case_id == case.id).order_by(Comment.at, Comment.id))
    return [{"at": iso(c.at, tz), "author": c.author, "text": c.text} for c in rows]


def recorded_steps(session: Session, case: Case, tz: tzinfo) -> list[dict[str, Any]]:
    """The completed steps of a case in the order they were done, each with what its form recorded."""
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
            "data": r.data or {},
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


def list_preplans(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Preplan, PreplanVersion)
        .join(PreplanVersion)
        .where(PreplanVersion.status == "active")
        .order_by(Preplan.key, PreplanVersion.number.desc())
    )
    newest: dict[str, dict[str, Any]] = {}
    for preplan, version in rows:
        if preplan.key in newest:
            continue
        manifest = version.manifest
        newest[preplan.key] = {
            "key": preplan.key,
            "title": manifest["title"],
            "version": version.number,
            "start_form": manifest["forms"][schema_file(manifest["start_form"])],
        }
    return list(newest.values())


def role_titles(session: Session) -> dict[str, dict[str, str]]:
    return {r.key: {"zh": r.title_zh, "en": r.title_en} for r in session.scalars(select(Role))}


def users_with_role(session: Session, role: str) -> list[str]:
    return list(
        session.scalars(
            select(User.name).join(UserRole).where(UserRole.role_key == role, User.active.is_(True)).order_by(User.name)
        )
    )


def list_notifications(
    session: Session,
    tz: tzinfo,
    *,
    user: str | None = None,
    channel: str | None = None,
    pending: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    statement = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if user:
        statement = statement.where(Notification.user == user)
    if channel:
        statement = statement.where(Notification.channel == channel)
    if pending:
        statement = statement.where(Notification.sent_at.is_(None))
    return [
        {
            "id": n.id,
            "to": n.address or n.user,
            "user": n.user,
            "channel": n.channel,
            "kind": n.kind,
            "case": n.case_id,
            "task": n.task_id,
            "subject": n.subject,
            "created_at": iso(n.created_at, tz),
            "sent_at": iso(n.sent_at, tz),
            "read_at": iso(n.read_at, tz),
            "attempts": n.attempts,
            "last_error": n.last_error,
            "params": n.params,
        }
        for n in session.scalars(statement)
    ]


def preplan_catalogue(session: Session) -> list[dict[str, Any]]:
    """Every deployed preplan (newest active version) with what a process owner compares templates by."""
    roles = role_titles(session)
    result = []
    for item in list_preplans(session):
        version = session.scalar(
            select(PreplanVersion)
            .join(Preplan)
            .where(Preplan.key == item["key"], PreplanVersion.number == item["version"])
        )
        manifest = version.manifest
        result.append(
            {
                "key": item["key"],
                "title": manifest["title"],
                "version": version.number,
                "category": manifest.get("category"),
                "source": manifest.get("source", {}),
                "about": manifest.get("about"),
                "roles": [{"key": key, **roles.get(key, {"zh": key, "en": key})} for key in manifest.get("roles", {})],
                "deadlines": manifest.get("deadlines", []),
                "steps": len(manifest.get("task_forms", {})),
            }
        )
    return result


def preplan_versions(session: Session, key: str, tz: tzinfo) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PreplanVersion).join(Preplan).where(Preplan.key == key).order_by(PreplanVersion.number.desc())
    )
    return [
        {
            "number": v.number,
            "status": v.status,
            "deployed_at": iso(v.deployed_at, tz),
            "deployed_by": v.deployed_by,
            "note": v.note,
            "sha256": v.sha256,
        }
        for v in rows
    ]
