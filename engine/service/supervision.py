"""Supervision of cases: reassign a step, move a case to another unit, terminate, resume after an error, advance
a drill's clock. Each is one transaction on one locked case; each needs a supervisor of the case's unit or above
(or the starters of the preplan in both units, for a move), checked first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import clock, inputs
from engine.cases import drills
from engine.cases.run import CaseRun
from engine.cases.views import case_now, find_case
from engine.errors import Conflict, NotFound, say
from engine.notify import notices
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.service.base import OPERATOR, SYSTEM_ACTOR, ServiceBase, require_revision
from engine.service.cases import locked_task
from engine.store import audit
from engine.store.models import Case
from engine.store.records import lock_case
from engine.timefmt import iso


class SupervisionOperations(ServiceBase):
    def reassign(self, task_id: int | str, to_user: str, *, user: str, revision: int | None = None) -> dict[str, Any]:
        """A supervisor of the case's unit hands an open task to another of its candidates (``revision``: the
        case's as the supervisor read it)."""
        with self.db.write() as session:
            supervisor = get_user(session, user)
            access.require_supervisor(supervisor)
            row, case, _, org = locked_task(session, task_id, supervisor, self.setup)
            access.require_supervisor_of(supervisor, case.unit_key, org)
            require_revision(case, revision)
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
            return run.summary()

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
            return run.summary()

    # -- terminate ------------------------------------------------------------------------------------------
    def terminate(
        self, case_ref: str | int, reason: str, *, user: str | None = None, revision: int | None = None
    ) -> dict[str, Any]:
        reason = inputs.note(reason, "reason", say("a reason"))
        with self.db.write() as session:
            case, actor = self._supervised_case(session, case_ref, user, SYSTEM_ACTOR)
            require_revision(case, revision)
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
            return run.summary()

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
