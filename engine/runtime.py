"""Case operations: start, claim, unclaim, complete, terminate. Each is one transaction on one locked case.

Who may do what: a task belongs to the role of its lane; only a user holding that role may claim or complete it,
and a claimed task only by its assignee. Only a task that is READY in the workflow can be completed, so a double,
stale or concurrent completion is refused with the reason, and nothing is written.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from . import audit, clock, notices
from .access import may_start, may_view_case, start_roles, supervises
from .case_run import CaseRun
from .config import Settings
from .db import Database
from .errors import Conflict, Forbidden, NotFound, PreplanError, ValidationFailed
from .forms import field_errors, schema_file, with_defaults
from .keys import DRILL_PREFIX, next_business_key
from .models import Case, Comment, Preplan, PreplanVersion, Task, User
from .spec import new_workflow
from .users import get_user
from .versions import VersionCache
from .views import case_summary, find_case

SYSTEM_ACTOR = "system"
_KEY_RETRIES = 5


class Engine:
    """The configured runtime: database, settings and the in-process cache of deployed versions."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings, self.versions = db, settings, VersionCache()

    @property
    def tz(self):
        return self.settings.timezone

    # -- start ----------------------------------------------------------------------------------------------
    def start(self, key: str, data: dict[str, Any] | None = None, *, user: str | None = None,
              drill: bool = False) -> dict[str, Any]:
        for attempt in range(_KEY_RETRIES):
            try:
                with self.db.write() as session:
                    return self._start(session, key, data or {}, user, drill)
            except IntegrityError as exc:
                if "business_key" not in str(exc.orig) or attempt == _KEY_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _start(self, session: Session, key: str, data: dict[str, Any], user: str | None, drill: bool) -> dict:
        version = newest_active_version(session, key)
        manifest = version.manifest
        actor = SYSTEM_ACTOR
        if user is not None:
            person = get_user(session, user)
            if not may_start(person, manifest):
                raise Forbidden(f"{user} may not start {key}: it needs one of the roles "
                                f"{', '.join(sorted(start_roles(manifest)))}")
            actor = person.name
        schema = manifest["forms"][schema_file(manifest["start_form"])]
        payload = with_defaults(schema, data)
        errors = field_errors(schema, payload)
        if errors:
            raise ValidationFailed("the start form has errors", errors)
        now = clock.now()
        prefix = DRILL_PREFIX if drill else manifest.get("key_prefix", "TS")
        case = Case(
            version=version, version_id=version.id, business_key=next_business_key(session, prefix, now, self.tz),
            title=case_title(manifest, payload), status="running", is_drill=drill, clock_offset_seconds=0.0,
            state={}, data=payload, started_by=actor, started_at=now, updated_at=now,
        )
        session.add(case)
        session.flush()
        workflow = new_workflow(self.versions.spec(session, version.id))
        workflow.task_tree.data.update(payload)
        audit.record(session, case.id, actor, "started", preplan=key, version=version.number, drill=drill)
        with CaseRun(self, session, case, workflow) as run:
            run.advance()
            run.save(actor)
        session.flush()
        return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)

    # -- claim / unclaim ------------------------------------------------------------------------------------
    def claim(self, task_id: int, *, user: str) -> dict[str, Any]:
        with self.db.write() as session:
            row, person = self._task_for(session, task_id, user)
            if row.assignee == person.name:
                return {"task": row.id, "assignee": row.assignee}
            if row.assignee:
                raise Conflict(f"task {row.id} is already claimed by {row.assignee}")
            row.assignee, row.claimed_at = person.name, clock.now()
            audit.record(session, row.case_id, person.name, "claimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": row.assignee}

    def unclaim(self, task_id: int, *, user: str) -> dict[str, Any]:
        with self.db.write() as session:
            row, person = self._task_for(session, task_id, user)
            if row.assignee != person.name:
                raise Forbidden(f"task {row.id} is not claimed by {person.name}")
            row.assignee, row.claimed_at = None, None
            audit.record(session, row.case_id, person.name, "unclaimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": None}

    def _task_for(self, session: Session, task_id: int, user: str) -> tuple[Task, User]:
        """The task, read after its case's row lock is held, and a user allowed to act on it.

        The task is read after the lock on purpose: PostgreSQL re-checks a locked row after waiting, but hands back
        the old version of any other row joined in the same statement."""
        case_id = session.scalar(select(Task.case_id).where(Task.id == task_id))
        if case_id is None:
            raise NotFound(f"no task {task_id}")
        lock_case(session, case_id)
        row = session.scalar(select(Task).where(Task.id == task_id).execution_options(populate_existing=True))
        person = get_user(session, user)
        if row.status != "open":
            by = f" by {row.completed_by}" if row.completed_by else ""
            raise Conflict(f"task {row.id} ({row.name}) is already {row.status}{by}; nothing was changed")
        if row.role not in person.role_keys:
            raise Forbidden(f"task {row.id} belongs to role {row.role!r}, which {person.name} does not have")
        return row, person

    def reassign(self, task_id: int, to_user: str, *, user: str) -> dict[str, Any]:
        """A supervisor hands an open task to another user who holds its role."""
        with self.db.write() as session:
            supervisor = get_user(session, user)
            if not supervises(supervisor):
                raise Forbidden(f"{supervisor.name} may not reassign tasks (needs admin or supervisor)")
            case_id = session.scalar(select(Task.case_id).where(Task.id == task_id))
            if case_id is None:
                raise NotFound(f"no task {task_id}")
            lock_case(session, case_id)
            row = session.get(Task, task_id)
            if row.status != "open":
                raise Conflict(f"task {row.id} ({row.name}) is already {row.status}")
            target = get_user(session, to_user)
            if row.role not in target.role_keys:
                raise Forbidden(f"{target.name} does not hold role {row.role!r} of task {row.id}")
            previous = row.assignee
            row.assignee, row.claimed_at = target.name, clock.now()
            audit.record(session, row.case_id, supervisor.name, "reassigned", task=row.id, name=row.name,
                         previous=previous, to=target.name)
            notices.send(session, self.settings, [target], "assigned", session.get(Case, row.case_id), row)
            return {"task": row.id, "assignee": row.assignee}

    def comment(self, case_ref: str | int, text: str, *, user: str) -> dict[str, Any]:
        if not text or not text.strip():
            raise ValidationFailed("a comment needs text", {"text": "is required"})
        with self.db.write() as session:
            case = find_case(session, case_ref)
            person = get_user(session, user)
            if not may_view_case(person, self.versions.info(session, case.version_id).manifest):
                raise Forbidden(f"{person.name} may not see case {case.business_key}")
            session.add(Comment(case_id=case.id, at=clock.now(), author=person.name, text=text.strip()))
            audit.record(session, case.id, person.name, "commented", text=text.strip()[:200])
            return {"case": case.id, "author": person.name}

    # -- complete -------------------------------------------------------------------------------------------
    def complete(self, task_id: int, data: dict[str, Any] | None = None, *, user: str) -> dict[str, Any]:
        refusal: PreplanError | None = None
        try:
            with self.db.write() as session:
                row, person = self._task_for(session, task_id, user)
                if row.assignee and row.assignee != person.name:
                    raise Conflict(f"task {row.id} is claimed by {row.assignee}")
                case = session.get(Case, row.case_id)
                payload = self._form_payload(session, case, row, data or {})
                with CaseRun(self, session, case) as run:
                    run.advance()
                    task = run.workflow.get_task_from_id(UUID(row.spiff_id))
                    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
                        run.save(SYSTEM_ACTOR)  # a deadline passed in the meantime: that escalation stands
                        refusal = Conflict(
                            f"task {row.id} ({row.name}) closed before this completion"
                            + (f": {', '.join(f['name'] or f['bpmn_id'] for f in run.fired)} fired" if run.fired else "")
                            + "; your data was not applied"
                        )
                    else:
                        run.run_task(task, payload)
                        run.advance()
                        row.status, row.assignee = "completed", person.name
                        row.completed_at, row.completed_by, row.data = clock.now(), person.name, payload
                        audit.record(session, case.id, person.name, "task_completed", task=row.id, name=row.name,
                                     bpmn_id=row.bpmn_id, data=payload)
                        run.save(person.name)
                session.flush()
                result = case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)
        except StaleDataError:
            raise Conflict(f"task {task_id}: the case changed concurrently; nothing was changed") from None
        if refusal is not None:
            raise refusal
        return result

    def _form_payload(self, session: Session, case: Case, row: Task, data: dict[str, Any]) -> dict[str, Any]:
        if row.form is None:
            if data:
                raise ValidationFailed("this step has no form", {k: "is not a field of this form" for k in data})
            return {}
        schema = self.versions.info(session, case.version_id).manifest["forms"][row.form]
        payload = with_defaults(schema, data)
        errors = field_errors(schema, payload)
        if errors:
            raise ValidationFailed(f"the form of task {row.id} ({row.name}) has errors", errors)
        return payload

    # -- resume ---------------------------------------------------------------------------------------------
    def resume(self, case_ref: str, *, user: str | None = None) -> dict[str, Any]:
        """Run a case that stopped with ``error`` again, once its cause is fixed (e.g. the missing calendar year
        entered). If it fails again it stays in ``error`` and the reason is reported."""
        with self.db.write() as session:
            case = find_case(session, case_ref)
            lock_case(session, case.id)
            actor = self._supervisor(session, user, "resume cases")
            if case.status != "error":
                raise Conflict(f"case {case.business_key} is {case.status}, not error")
            case.status = "running"
            with CaseRun(self, session, case) as run:
                run.advance()
                audit.record(session, case.id, actor, "resumed")
                run.save(actor)
            session.flush()
            return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)

    def _supervisor(self, session: Session, user: str | None, what: str) -> str:
        if user is None:
            return SYSTEM_ACTOR
        person = get_user(session, user)
        if not supervises(person):
            raise Forbidden(f"{person.name} may not {what} (needs admin or supervisor)")
        return person.name

    # -- terminate ------------------------------------------------------------------------------------------
    def terminate(self, case_ref: str, reason: str, *, user: str | None = None) -> dict[str, Any]:
        if not reason or not reason.strip():
            raise ValidationFailed("a reason is required", {"reason": "is required"})
        with self.db.write() as session:
            case = find_case(session, case_ref)
            lock_case(session, case.id)
            actor = self._supervisor(session, user, "terminate cases")
            if case.status not in ("running", "error", "suspended"):
                raise Conflict(f"case {case.business_key} is already {case.status}")
            with CaseRun(self, session, case) as run:
                run.workflow.cancel()
                case.status, case.ended_at, case.end_reason = "terminated", clock.now(), reason.strip()
                audit.record(session, case.id, actor, "terminated", reason=reason.strip())
                run.save(actor)
            session.flush()
            return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)


def lock_case(session: Session, case_id: int, *, skip_locked: bool = False) -> Case | None:
    """Row lock on PostgreSQL; on SQLite the write transaction (BEGIN IMMEDIATE) already excludes writers."""
    statement = (select(Case).where(Case.id == case_id).options(undefer(Case.state))
                 .execution_options(populate_existing=True))
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(skip_locked=skip_locked)
    return session.scalar(statement)


def newest_active_version(session: Session, key: str, *, active: bool = True) -> PreplanVersion:
    """The version new cases use (``active=False``: the newest whatever its status, for pages about it)."""
    statement = select(PreplanVersion).join(Preplan).where(Preplan.key == key)
    if active:
        statement = statement.where(PreplanVersion.status == "active")
    version = session.scalar(statement.order_by(PreplanVersion.number.desc()).limit(1))
    if version is None:
        raise NotFound(f"no deployed, {'active ' if active else ''}preplan {key!r}")
    return version


def case_title(manifest: dict[str, Any], data: dict[str, Any]) -> str:
    template = manifest.get("case", {}).get("title", "")
    values = {k: ("" if v is None else v) for k, v in data.items()}
    try:
        return template.format_map(_Blank(values))[:300]
    except (ValueError, IndexError):
        return ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""
