"""Case operations of the people who do the work: start, claim, unclaim, complete and comment (supervision is in
:mod:`engine.service.supervision`). Each is one transaction on one locked case, and checks its access rule
(:mod:`engine.people.access`) first.

Only a task that is READY in the workflow can be completed, so a double, stale or concurrent completion is refused
with the reason, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from SpiffWorkflow import TaskState
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import clock, inputs
from engine.cases import attachments, intake, search
from engine.cases.counts import Counting
from engine.cases.keys import DRILL_PREFIX, TRIAL_PREFIX, next_business_key
from engine.cases.run import CaseRun
from engine.cases.sight import Sight
from engine.cases.submission import Accepted, accept
from engine.cases.views import summary_of
from engine.errors import AlreadyStarted, Conflict, Forbidden, NotFound, PreplanError, ValidationFailed, say
from engine.notify import webhooks
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.preplans.catalog import VersionInfo
from engine.preplans.manifest import Manifest
from engine.service.base import SYSTEM_ACTOR, ServiceBase, SetupCache, require_revision
from engine.store import audit
from engine.store.models import Case, Comment, Task, User
from engine.store.records import lock_case_of_task, trial_id

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
        idempotency_key: str | None = None,
        uploads: Mapping[str, Sequence[tuple[str, bytes]]] | None = None,
    ) -> dict[str, Any]:
        """Start a case in ``unit`` (default: the starter's own unit, see :meth:`start_units`). ``intake_key`` is
        the one-time token of the form it came from: the same form sent twice (back and submit again, a double
        click) raises :class:`AlreadyStarted` naming the first case. ``idempotency_key`` is an integration's: the
        same request sent again with it answers with the case it started (see :mod:`engine.cases.intake`).
        ``uploads``: the files sent with the form, as (name, bytes) per file field; they become the case's
        attachments and the field holds their ids."""
        intake_key = inputs.token(intake_key, "intake_key") if intake_key else None
        retry = (
            Retry(intake.checked_key(idempotency_key), intake.request_digest(key, data or {}, unit, drill))
            if (idempotency_key is not None)
            else None
        )
        for attempt in range(_KEY_RETRIES):
            try:
                with self.db.write() as session:
                    return self._start(
                        session, key, data or {}, user, drill, intake_key, unit, corrections or {}, retry, uploads or {}
                    )
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
        retry: Retry | None,
        uploads: Mapping[str, Sequence[tuple[str, bytes]]],
        trial: VersionInfo | None = None,
    ) -> dict[str, Any]:
        """``trial``: the hidden version of a draft tried in the studio (whoever may edit the preplan starts it, at
        the root, on its own clock; see :mod:`engine.service.trials`)."""
        if intake_key is not None:
            earlier = session.execute(select(Case.id, Case.business_key).where(Case.intake_key == intake_key)).first()
            if earlier is not None:
                raise AlreadyStarted(earlier.id, earlier.business_key)
        version = trial or self.versions.newest(session, key)
        manifest = version.manifest
        org = Org.load(session)
        starter = get_user(session, user) if user is not None else None
        if unit is None:
            unit = access.home_unit(starter, manifest.start_roles, org)
        elif unit not in org:
            raise NotFound(say("no unit %(unit)s", unit=str(unit)[:80]))
        if starter is not None and trial is None:
            access.require_start(starter, key, manifest.start_roles, unit, org)
        actor = starter.name if starter is not None else SYSTEM_ACTOR
        if retry is not None:
            replayed = intake.earlier_case(session, actor, retry.key, retry.digest)
            if replayed is not None:
                return self._summary(session, replayed)
        now = clock.now()
        staged = attachments.stage(session, self.files, uploads, actor, self.settings.attachment_bytes)
        data = {**data, **{field: [row.id for row in rows] for field, rows in staged.items()}}
        accepted = accept(
            session,
            manifest,
            manifest.start_schema,
            data,
            org=org,
            counting=Counting(unit, now, {}),
            corrections=corrections,
            refusal=say("the start form has errors"),
            tz=self.tz,
            staged=[row.id for rows in staged.values() for row in rows],
        )
        payload = accepted.data
        prefix = TRIAL_PREFIX if trial else DRILL_PREFIX if drill else manifest.key_prefix
        case = Case(
            id=trial_id() if trial else None,
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
        attachments.bind(session, staged, case.id)
        if retry is not None:
            intake.remember(session, actor, retry.key, retry.digest, case.id)
        audit.record(session, case.id, actor, "started", preplan=key, version=version.number, drill=drill, unit=unit)
        webhooks.publish(session, self.tz, "case.started", case, preplan=key)
        for note in accepted.counted:
            audit.record(session, case.id, actor, "counted", **note)
        return self.first_run(session, case, None, org, actor).summary()

    def _summary(self, session: Session, case_id: int) -> dict[str, Any]:
        """A case and its open steps, as a start answers."""
        case = session.get_one(Case, case_id)
        info = self.versions.info(session, case.version_id)
        open_rows = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")).all()
        return summary_of(case, open_rows, info.preplan_key, info.number, self.tz)

    # -- claim / unclaim ------------------------------------------------------------------------------------
    def claim(self, task_id: int | str, *, user: str, revision: int | None = None) -> dict[str, Any]:
        with self.db.write() as session:
            locked, person, _ = self._task_for(session, task_id, user, revision)
            row = locked.row
            if row.assignee == person.name:
                return {"task": row.id, "assignee": row.assignee}
            if row.assignee:
                raise Conflict(say("task %(task)s is already claimed by %(user)s", task=row.id, user=row.assignee))
            row.assignee, row.claimed_at = person.name, clock.now()
            audit.record(session, row.case_id, person.name, "claimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": row.assignee}

    def unclaim(self, task_id: int | str, *, user: str, revision: int | None = None) -> dict[str, Any]:
        with self.db.write() as session:
            locked, person, _ = self._task_for(session, task_id, user, revision)
            row = locked.row
            if row.assignee != person.name:
                raise Forbidden(say("task %(task)s is not claimed by %(user)s", task=row.id, user=person.name))
            row.assignee, row.claimed_at = None, None
            audit.record(session, row.case_id, person.name, "unclaimed", task=row.id, name=row.name)
            return {"task": row.id, "assignee": None}

    def _task_for(
        self, session: Session, task_id: int | str, user: str, revision: int | None, trial: str | None = None
    ) -> tuple[LockedTask, User, Org]:
        """The open task, its case locked (at ``revision`` when one is expected), and a candidate of it (holding its
        role in the unit it went to). A task of a case the user may not see is not found. ``trial``: a step of a
        trial case of that preplan, which whoever may edit the preplan completes whatever its lane."""
        person = get_user(session, user)
        locked = locked_task(session, task_id, person, self.setup, trial=trial is not None)
        if trial is None:
            access.require_candidate(person, locked.row, locked.org)
        elif self.versions.info(session, locked.case.version_id).preplan_key != trial:
            raise NotFound(say("no task %(value)s", value=task_id))
        else:
            access.require_edit_preplan(session, person, trial)
        require_revision(locked.case, revision)
        return locked, person, locked.org

    def comment(self, case_ref: str | int, text: str, *, user: str) -> dict[str, Any]:
        text = inputs.note(text, "text", say("a comment"))
        with self.db.write() as session:
            person = get_user(session, user)
            case = Sight(session, self.versions, person).case(case_ref)
            session.add(Comment(case_id=case.id, at=clock.now(), author=person.name, text=text))
            audit.record(session, case.id, person.name, "commented", text=text[:200])
            search.index_comment(session, case.id, text)
            return {"case": case.id, "author": person.name}

    # -- complete -------------------------------------------------------------------------------------------
    def complete(
        self,
        task_id: int | str,
        data: dict[str, Any] | None = None,
        *,
        user: str,
        corrections: Mapping[str, str] | None = None,
        revision: int | None = None,
    ) -> dict[str, Any]:
        """Complete a task with its form's data. A counted field left out is filled from the case history; one that
        differs from it needs a reason in ``corrections`` (field -> reason). ``revision``: the case's as the caller
        read it (refused when it changed since)."""
        return self._complete(task_id, data, user, corrections or {}, revision, None)

    def _complete(
        self,
        task_id: int | str,
        data: dict[str, Any] | None,
        user: str,
        corrections: Mapping[str, str],
        revision: int | None,
        trial: str | None,
    ) -> dict[str, Any]:
        """:meth:`complete`, or (``trial``: the preplan key) a step of a trial case by whoever may edit it."""
        refusal: PreplanError | None = None
        try:
            with self.db.write() as session:
                locked, person, org = self._task_for(session, task_id, user, revision, trial)
                row, case = locked.row, locked.case
                if row.assignee and row.assignee != person.name:
                    raise Conflict(say("task %(task)s is claimed by %(user)s", task=row.id, user=row.assignee))
                accepted = self._task_form(session, case, row, data or {}, org, corrections)
                payload = accepted.data
                with CaseRun(self.context_with(org), session, case, open_rows=locked.open_rows) as run:
                    run.catch_up()
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
                        # a trial's step names no assignee: its case stays out of the lists of steps one did
                        row.status, row.assignee = "completed", None if case.is_trial else person.name
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
                        for note in accepted.counted:
                            audit.record(session, case.id, person.name, "counted", task=row.id, **note)
                        run.publish("task.completed", row)
                        run.save(person.name)
                result = run.summary()
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
    ) -> Accepted:
        if row.form is None:
            if data:
                raise ValidationFailed(say("this step has no form"), dict.fromkeys(data, "is not a field of this form"))
            return Accepted({}, [])
        manifest = self.versions.info(session, case.version_id).manifest
        return accept(
            session,
            manifest,
            manifest.forms[row.form],
            data,
            org=org,
            counting=Counting(case.unit_key, case.started_at, case.data, case.id),
            corrections=corrections,
            refusal=say("the form of task %(task)s (%(name)s) has errors", task=row.id, name=row.name),
            tz=self.tz,
        )


class Retry(NamedTuple):
    """An integration's ``Idempotency-Key`` and the digest of the request it came with."""

    key: str
    digest: str


class LockedTask(NamedTuple):
    row: Task
    case: Case
    #: The case's open tasks (``row`` among them), read in the same statement: a step's projection starts here.
    open_rows: list[Task]
    #: The organisation as of the lock (held by the process unless it changed since).
    org: Org


def locked_task(
    session: Session, task_id: int | str, person: User, setup: SetupCache, *, trial: bool = False
) -> LockedTask:
    """An open task of a case ``person`` may see, read after its case's row lock is held.

    The tasks are read after the lock on purpose: PostgreSQL re-checks a locked row after waiting, but hands back
    the old version of any other row joined in the same statement. A candidate or the assignee of the task sees
    its case (the visibility rule says so), so only someone else costs the rule's query. ``trial``: a step of a
    trial case (which no one sees in lists; the caller checks who may try the preplan)."""
    task_id = inputs.record_id(task_id, "task")
    locked = lock_case_of_task(session, task_id)
    if locked is None:
        raise NotFound(say("no task %(value)s", value=task_id))
    case, revision = locked
    org = setup.at(session, revision)
    rows = session.scalars(
        select(Task)
        .where(Task.case_id == case.id, or_(Task.status == "open", Task.id == task_id))
        .execution_options(populate_existing=True)
    ).all()
    row = next((r for r in rows if r.id == task_id), None)
    if row is None or not (
        (trial and case.is_trial)
        or access.is_candidate(person, row)
        or row.assignee == person.name
        or access.may_see_case(session, person, case, org)
    ):
        raise NotFound(say("no task %(value)s", value=task_id))
    if row.status != "open":
        raise Conflict(_closed(row))
    return LockedTask(row, case, [r for r in rows if r.status == "open"], org)


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
