"""Case operations: start, claim, unclaim, complete, reassign, comment, move, terminate, resume and advance a
drill. Each is one transaction on one locked case, and checks its access rule (:mod:`engine.people.access`) first.

Only a task that is READY in the workflow can be completed, so a double, stale or concurrent completion is refused
with the reason, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import clock, inputs
from engine.cases import drills
from engine.cases.counts import Counting, count
from engine.cases.keys import DRILL_PREFIX, next_business_key
from engine.cases.run import CaseRun
from engine.cases.sight import Sight
from engine.cases.views import case_now, case_summary, find_case
from engine.errors import AlreadyStarted, Conflict, Forbidden, NotFound, PreplanError, Text, ValidationFailed, say
from engine.notify import notices
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.preplans.conventions import unit_fields
from engine.preplans.forms import FieldProblem, field_errors, normalized, with_defaults
from engine.preplans.manifest import Manifest, Schema
from engine.preplans.spec import new_workflow
from engine.service.base import OPERATOR, SYSTEM_ACTOR, ServiceBase
from engine.store import audit
from engine.store.models import Case, Comment, Task, User
from engine.store.records import lock_case
from engine.timefmt import iso

_KEY_RETRIES = 5


class CaseOperations(ServiceBase):
    # -- start ----------------------------------------------------------------------------------------------
    def start(
        self,
        key: str,
        data: dict[str, Any] | None = None,
        *,
        user: str | None = None,
        drill: bool = False,
        intake_key: str | None = None,
        unit: str | None = None,
        corrections: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Start a case in ``unit`` (default: the starter's own unit, see :meth:`start_units`). ``intake_key`` is
        the one-time token of the form it came from: the same form sent twice (back and submit again, a double
        click) raises :class:`AlreadyStarted` naming the first case."""
        intake_key = inputs.token(intake_key, "intake_key") if intake_key else None
        for attempt in range(_KEY_RETRIES):
            try:
                with self.db.write() as session:
                    return self._start(session, key, data or {}, user, drill, intake_key, unit, corrections or {})
            except IntegrityError as exc:  # a concurrent start took the same business key or form token: retry
                if not any(column in str(exc.orig) for column in ("business_key", "intake_key")):
                    raise
                if attempt == _KEY_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _start(
        self,
        session: Session,
        key: str,
        data: dict[str, Any],
        user: str | None,
        drill: bool,
        intake_key: str | None,
        unit: str | None,
        corrections: Mapping[str, str],
    ) -> dict[str, Any]:
        if intake_key is not None:
            earlier = session.execute(select(Case.id, Case.business_key).where(Case.intake_key == intake_key)).first()
            if earlier is not None:
                raise AlreadyStarted(earlier.id, earlier.business_key)
        version = self.versions.newest(session, key)
        manifest = version.manifest
        org = Org.load(session)
        starter = get_user(session, user) if user is not None else None
        if unit is None:
            unit = access.home_unit(starter, manifest.start_roles, org)
        elif unit not in org:
            raise NotFound(say("no unit %(unit)s", unit=str(unit)[:80]))
        if starter is not None:
            access.require_start(starter, key, manifest.start_roles, unit, org)
        actor = starter.name if starter is not None else SYSTEM_ACTOR
        now = clock.now()
        payload, counted = self._checked_form(
            session,
            manifest,
            manifest.start_schema,
            data,
            org,
            Counting(unit, now, {}),
            corrections,
            say("the start form has errors"),
        )
        prefix = DRILL_PREFIX if drill else manifest.key_prefix
        case = Case(
            version_id=version.id,
            business_key=next_business_key(session, prefix, now, self.tz),
            title=case_title(manifest, payload),
            status="running",
            is_drill=drill,
            clock_offset_seconds=0.0,
            state={},
            data=payload,
            started_by=actor,
            started_at=now,
            updated_at=now,
            intake_key=intake_key,
            unit_key=unit,
        )
        session.add(case)
        session.flush()
        workflow = new_workflow(self.versions.spec(session, version.id))
        workflow.task_tree.data.update(payload)
        audit.record(session, case.id, actor, "started", preplan=key, version=version.number, drill=drill, unit=unit)
        for note in counted:
            audit.record(session, case.id, actor, "counted", **note)
        with CaseRun(self.context_with(org), session, case, workflow) as run:
            run.advance()
            run.save(actor)
        session.flush()
        return case_summary(session, case, self.tz, version.number)

    # -- claim / unclaim ------------------------------------------------------------------------------------
    def claim(self, task_id: int | str, *, user: str) -> dict[str, Any]:
        with self.db.write() as session:
            row, person, _ = self._task_for(session, task_id, user)
            if row.assignee == person.name:
                return {"task": row.id, "assignee": row.assignee}
            if row.assignee:
                raise Conflict(say("task %(task)s is already claimed by %(user)s", task=row.id, user=row.assignee))
            row.assignee, row.claimed_at = person.name, clock.now()
            audit.record(session, row.case_id, person.name, "claimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": row.assignee}

    def unclaim(self, task_id: int | str, *, user: str) -> dict[str, Any]:
        with self.db.write() as session:
            row, person, _ = self._task_for(session, task_id, user)
            if row.assignee != person.name:
                raise Forbidden(say("task %(task)s is not claimed by %(user)s", task=row.id, user=person.name))
            row.assignee, row.claimed_at = None, None
            audit.record(session, row.case_id, person.name, "unclaimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": None}

    def _task_for(self, session: Session, task_id: int | str, user: str) -> tuple[Task, User, Org]:
        """The open task, its case locked, and a candidate of it (holding its role in the unit it went to). A task
        of a case the user may not see is not found."""
        person = get_user(session, user)
        org = Org.load(session)
        row = _locked_task(session, task_id, person, org)
        access.require_candidate(person, row, org)
        return row, person, org

    def reassign(self, task_id: int | str, to_user: str, *, user: str) -> dict[str, Any]:
        """A supervisor of the case's unit hands an open task to another of its candidates."""
        with self.db.write() as session:
            supervisor = get_user(session, user)
            access.require_supervisor(supervisor)
            org = Org.load(session)
            row = _locked_task(session, task_id, supervisor, org)
            case = session.get_one(Case, row.case_id)
            access.require_supervisor_of(supervisor, case.unit_key, org)
            target = get_user(session, to_user)
            access.require_candidate(target, row, org)
            previous = row.assignee
            row.assignee, row.claimed_at = target.name, clock.now()
            audit.record(
                session,
                row.case_id,
                supervisor.name,
                "reassigned",
                task=row.id,
                name=row.name,
                previous=previous,
                to=target.name,
            )
            notices.send(session, self.settings, [target], "assigned", case, row)
            return {"task": row.id, "assignee": row.assignee}

    def comment(self, case_ref: str | int, text: str, *, user: str) -> dict[str, Any]:
        text = inputs.note(text, "text", say("a comment"))
        with self.db.write() as session:
            person = get_user(session, user)
            case = Sight(session, self.versions, person).case(case_ref)
            session.add(Comment(case_id=case.id, at=clock.now(), author=person.name, text=text))
            audit.record(session, case.id, person.name, "commented", text=text[:200])
            return {"case": case.id, "author": person.name}

    # -- complete -------------------------------------------------------------------------------------------
    def complete(
        self,
        task_id: int | str,
        data: dict[str, Any] | None = None,
        *,
        user: str,
        corrections: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Complete a task with its form's data. A counted field left out is filled from the case history; one that
        differs from it needs a reason in ``corrections`` (field -> reason)."""
        refusal: PreplanError | None = None
        try:
            with self.db.write() as session:
                row, person, org = self._task_for(session, task_id, user)
                if row.assignee and row.assignee != person.name:
                    raise Conflict(say("task %(task)s is claimed by %(user)s", task=row.id, user=row.assignee))
                case = session.get_one(Case, row.case_id)
                payload, counted = self._task_form(session, case, row, data or {}, org, corrections or {})
                with CaseRun(self.context_with(org), session, case) as run:
                    run.advance()
                    task = run.workflow.get_task_from_id(UUID(row.spiff_id))
                    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
                        run.save(SYSTEM_ACTOR)  # a deadline passed in the meantime: that escalation stands
                        fired = "、".join(f["name"] or f["bpmn_id"] for f in run.fired)
                        refusal = Conflict(
                            say(
                                "task %(task)s (%(name)s) closed before this completion: %(fired)s fired; your data was "
                                "not applied",
                                task=row.id,
                                name=row.name,
                                fired=fired,
                            )
                            if fired
                            else say(
                                "task %(task)s (%(name)s) closed before this completion; your data was not applied",
                                task=row.id,
                                name=row.name,
                            )
                        )
                    else:
                        run.run_task(task, payload)
                        run.advance()
                        row.status, row.assignee = "completed", person.name
                        row.completed_at, row.completed_by, row.data = clock.now(), person.name, payload
                        audit.record(
                            session,
                            case.id,
                            person.name,
                            "task_completed",
                            task=row.id,
                            name=row.name,
                            bpmn_id=row.bpmn_id,
                            data=payload,
                        )
                        for note in counted:
                            audit.record(session, case.id, person.name, "counted", task=row.id, **note)
                        run.save(person.name)
                session.flush()
                result = case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)
        except StaleDataError:
            raise Conflict(
                say("task %(task)s: the case changed at the same moment; nothing was changed", task=task_id)
            ) from None
        if refusal is not None:
            raise refusal
        return result

    def _task_form(
        self,
        session: Session,
        case: Case,
        row: Task,
        data: dict[str, Any],
        org: Org,
        corrections: Mapping[str, str],
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if row.form is None:
            if data:
                raise ValidationFailed(say("this step has no form"), dict.fromkeys(data, "is not a field of this form"))
            return {}, []
        manifest = self.versions.info(session, case.version_id).manifest
        return self._checked_form(
            session,
            manifest,
            manifest.forms[row.form],
            data,
            org,
            Counting(case.unit_key, case.started_at, case.data, case.id),
            corrections,
            say("the form of task %(task)s (%(name)s) has errors", task=row.id, name=row.name),
        )

    def _checked_form(
        self,
        session: Session,
        manifest: Manifest,
        schema: Schema,
        data: dict[str, Any],
        org: Org,
        counting: Counting,
        corrections: Mapping[str, str],
        refusal: Text,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A form's data, checked and normalized, with its counted fields filled from the case history; returns it
        with what was counted (to audit). A count differs from the history only with a reason
        (``corrections``: field -> reason)."""
        data, counted = dict(data), []
        errors: dict[str, FieldProblem] = {}
        merged = {**counting.data, **data}
        for name, spec in manifest.counts.items():
            if name not in schema.get("properties", {}):
                continue
            found = count(session, name, spec, replace(counting, data=merged), self.tz)
            note = found.as_json()
            given = data.get(name)
            if given is None or given == "" or given == found.value:
                data[name] = found.value
            elif not (corrections.get(name) or "").strip():
                errors[name] = FieldProblem(
                    "counted",
                    found.value,
                    f"is counted from the case history ({found.value}); to enter {given} instead, give the reason",
                )
            else:
                note.update(corrected_to=given, reason=inputs.note(corrections[name], name, say("a reason")))
            counted.append(note)
        payload = with_defaults(schema, data)
        errors.update(field_errors(schema, payload))
        for name in unit_fields(schema):
            if payload.get(name) not in (None, "") and payload[name] not in org:
                errors[name] = FieldProblem("unit", None, f"names no unit ({str(payload[name])[:80]})")
        if errors:
            raise ValidationFailed(refusal, errors)
        return normalized(schema, payload, self.tz), counted

    def _supervised_case(
        self, session: Session, case_ref: str | int, user: str | None, default: str
    ) -> tuple[Case, str]:
        """The case, locked, and who acts on it: a supervisor of its unit or above (``user`` None: ``default``, the
        system or the operator of the command line). A case the user may not see is not found."""
        case = find_case(session, case_ref)
        actor = default
        if user is not None:
            person = get_user(session, user)
            org = Org.load(session)
            access.require_visible(session, person, case, org, case_ref)
            access.require_supervisor_of(person, case.unit_key, org)
            actor = person.name
        lock_case(session, case.id)
        return case, actor

    # -- move -----------------------------------------------------------------------------------------------
    def move(self, case_ref: str | int, unit: str, reason: str, *, user: str | None = None) -> dict[str, Any]:
        """Move a case to another unit (the wrong station was chosen; the complaint concerns another project): its
        open steps go to their candidates there, claimed ones back to the pool. Whoever may start the preplan in
        both units may move it (its starters and supervisors there); the reason is audited."""
        reason = inputs.note(reason, "reason", say("a reason"))
        with self.db.write() as session:
            case = find_case(session, case_ref)
            org = Org.load(session)
            if unit not in org:
                raise NotFound(say("no unit %(unit)s", unit=str(unit)[:80]))
            manifest = self.versions.info(session, case.version_id).manifest
            actor = OPERATOR
            if user is not None:
                person = get_user(session, user)
                access.require_visible(session, person, case, org, case_ref)
                for where in (case.unit_key, unit):
                    access.require_start(person, manifest.process, manifest.start_roles, where, org)
                actor = person.name
            lock_case(session, case.id)
            if case.status not in ("running", "error", "suspended"):
                raise Conflict(say("case %(case)s has ended; it stays where it was", case=case.business_key))
            before, case.unit_key = case.unit_key, unit
            audit.record(session, case.id, actor, "moved", before=before, unit=unit, reason=reason)
            with CaseRun(self.context_with(org), session, case) as run:
                run.save(actor)
            session.flush()
            return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)

    # -- resume ---------------------------------------------------------------------------------------------
    def resume(self, case_ref: str, *, user: str | None = None) -> dict[str, Any]:
        """Run a case that stopped with ``error`` again, once its cause is fixed (e.g. the missing calendar year
        entered). If it fails again it stays in ``error`` and the reason is reported."""
        with self.db.write() as session:
            case, actor = self._supervised_case(session, case_ref, user, SYSTEM_ACTOR)
            if case.status != "error":
                raise Conflict(
                    say("case %(case)s did not stop with an error; there is nothing to resume", case=case.business_key)
                )
            case.status = "running"
            with CaseRun(self.context, session, case) as run:
                run.advance()
                audit.record(session, case.id, actor, "resumed")
                run.save(actor)
            session.flush()
            return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)

    # -- terminate ------------------------------------------------------------------------------------------
    def terminate(self, case_ref: str, reason: str, *, user: str | None = None) -> dict[str, Any]:
        reason = inputs.note(reason, "reason", say("a reason"))
        with self.db.write() as session:
            case, actor = self._supervised_case(session, case_ref, user, SYSTEM_ACTOR)
            if case.status not in ("running", "error", "suspended"):
                raise Conflict(
                    say("case %(case)s is already completed", case=case.business_key)
                    if case.status == "completed"
                    else say("case %(case)s is already terminated", case=case.business_key)
                )
            with CaseRun(self.context, session, case) as run:
                run.workflow.cancel()
                case.status, case.ended_at, case.end_reason = "terminated", clock.now(), reason
                audit.record(session, case.id, actor, "terminated", reason=reason)
                run.save(actor)
            session.flush()
            return case_summary(session, case, self.tz, self.versions.info(session, case.version_id).number)

    # -- drills ---------------------------------------------------------------------------------------------
    def advance_drill(
        self, case_ref: str | int, *, to_next_deadline: bool = False, by: str | None = None, user: str | None = None
    ) -> dict[str, Any]:
        """Move one drill's clock (to just past its next deadline, or by an ISO 8601 duration) and fire what came
        due in it; supervisors only (``user`` None: the operator of the command line)."""
        with self.db.write() as session:
            case, actor = self._supervised_case(session, case_ref, user, OPERATOR)
            if not case.is_drill:
                raise Conflict(say("%(case)s is a real case; only drills have their own clock", case=case.business_key))
            if case.status != "running":
                raise Conflict(say("drill %(case)s has already ended", case=case.business_key))
            moved = drills.step(session, case, to_next_deadline, by)
            case.clock_offset_seconds += moved.total_seconds()
            with CaseRun(self.context, session, case) as run:
                run.advance()
                run.save("drill")
                audit.record(session, case.id, actor, "drill_advanced", by=str(moved), fired=len(run.fired))
            return {"case": case.id, "now": iso(case_now(case), self.tz), "fired": len(run.fired)}


def _locked_task(session: Session, task_id: int | str, person: User, org: Org) -> Task:
    """An open task of a case ``person`` may see, read after its case's row lock is held.

    The task is read after the lock on purpose: PostgreSQL re-checks a locked row after waiting, but hands back
    the old version of any other row joined in the same statement."""
    task_id = inputs.record_id(task_id, "task")
    case_id = session.scalar(select(Task.case_id).where(Task.id == task_id))
    if case_id is None:
        raise NotFound(say("no task %(value)s", value=task_id))
    case = lock_case(session, case_id)
    row = session.scalar(select(Task).where(Task.id == task_id).execution_options(populate_existing=True))
    if row is None or case is None or not access.may_see_case(session, person, case, org):
        raise NotFound(say("no task %(value)s", value=task_id))
    if row.status != "open":
        raise Conflict(_closed(row))
    return row


def _closed(row: Task) -> str:
    """Why a task can no longer be acted on."""
    if row.status == "completed" and row.completed_by:
        return say(
            "task %(task)s (%(name)s) is already completed by %(user)s; nothing was changed",
            task=row.id,
            name=row.name,
            user=row.completed_by,
        )
    if row.status == "completed":
        return say("task %(task)s (%(name)s) is already completed; nothing was changed", task=row.id, name=row.name)
    return say(
        "task %(task)s (%(name)s) was cancelled when its case moved on; nothing was changed", task=row.id, name=row.name
    )


def case_title(manifest: Manifest, data: dict[str, Any]) -> str:
    """The case's title from its data (``[case] title`` of the manifest; missing fields read as empty)."""
    template = manifest.case_title
    values = {k: ("" if v is None else v) for k, v in data.items()}
    try:
        return template.format_map(_Blank(values))[:300]
    except (ValueError, IndexError):
        return ""


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
