"""Trying a draft in the studio: a trial case runs on the draft's hidden version (:mod:`engine.preplans.trials`)
and on its own clock like a drill; whoever may edit the preplan walks its steps whatever their lanes, jumps to its
next deadline, and throws it away, with its rows, tasks, timers, audit trail and hidden version.

A trial is kept apart from everything real: its steps carry a role no one holds (no work list, pool or notice
reaches them; :data:`engine.cases.projection.TRIAL_ROLE`), its case is left out of every list, search, figure,
ledger and count by ``is_trial``, and it sends no notice, mail or webhook."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.cases import drills, instructions
from engine.cases.run import CaseRun
from engine.cases.views import case_now, case_view, recorded_steps
from engine.errors import Conflict, NotFound, say
from engine.preplans.examples import example_submission
from engine.preplans.package import package_from_files
from engine.preplans.trials import hidden_version
from engine.service.base import editing
from engine.service.cases import CaseOperations
from engine.store import audit
from engine.store.models import (
    Attachment,
    Case,
    CaseSearch,
    Comment,
    Event,
    Notification,
    PreplanDraft,
    PreplanVersion,
    Task,
    Timer,
    WebhookDelivery,
    WorkflowTask,
)
from engine.store.records import lock_case, newest_active_version
from engine.timefmt import iso


class TrialOperations(CaseOperations):
    def start_trial(self, key: str, *, user: str | None = None) -> dict[str, Any]:
        """A trial case of the draft (the newest version's files while there is no draft), started with an example
        of its start form: ``{"case", "business_key", …}``. A draft with errors cannot be tried."""
        with self.db.write() as session:
            actor = editing(self, session, key, user)
            row = session.get(PreplanDraft, key)
            files = row.files if row is not None else newest_active_version(session, key, active=False).files
            package = package_from_files(key, {name: text.encode("utf-8") for name, text in files.items()})
            version = hidden_version(session, package, actor, row.revision if row is not None else 0)
            info = self.versions.info(session, version.id)
            data = example_submission(info.manifest.start_schema, leave_out=info.manifest.counts)
            started = self._start(session, key, data, user, False, None, None, {}, None, {}, trial=info)
            audit.record(session, None, actor, "trial_started", preplan=key, business_key=started["business_key"])
            return started

    def trial(self, key: str, business_key: str, *, user: str | None = None) -> dict[str, Any]:
        """A trial case as its page shows it: the case (its timeline among it), its steps done, its clock, and per
        open step its lane's role and its form (``{"schema", "ui", "instructions"}``)."""
        with self.db.read() as session:
            editing(self, session, key, user)
            case = self._trial_case(session, key, business_key)
            view = case_view(session, case, self.tz)
            manifest = self.versions.info(session, case.version_id).manifest
            return {
                **view,
                "now": iso(case_now(case), self.tz),
                "steps": recorded_steps(session, case, self.tz),
                "roles": {t["id"]: manifest.role_of(t["bpmn_id"]) for t in view["tasks"]},
                "forms": {
                    t["id"]: {
                        "schema": manifest.form(t["form"]),
                        "ui": manifest.ui_of(t["bpmn_id"]),
                        "instructions": instructions.render(
                            manifest.instructions.get(t["bpmn_id"]), case.data, self.settings
                        ),
                    }
                    for t in view["tasks"]
                },
            }

    def complete_trial_step(
        self, key: str, business_key: str, task_id: int | str, data: dict[str, Any] | None, *, user: str
    ) -> dict[str, Any]:
        """Complete an open step of a trial case as whoever may edit the preplan, whatever the step's lane."""
        with self.db.read() as session:
            case = self._trial_case(session, key, business_key)
            if session.scalar(select(Task.case_id).where(Task.id == task_id)) != case.id:
                raise NotFound(say("no task %(value)s", value=task_id))
        return self._complete(task_id, data, user, {}, None, key)

    def advance_trial(self, key: str, business_key: str, *, user: str | None = None) -> dict[str, Any]:
        """Move the trial's clock just past its next deadline and fire what came due in it."""
        with self.db.write() as session:
            actor = editing(self, session, key, user)
            case = self._trial_case(session, key, business_key, lock=True)
            if case.status != "running":
                raise Conflict(say("trial %(case)s has already ended", case=case.business_key))
            moved = drills.step(session, case, True, None)
            case.clock_offset_seconds += moved.total_seconds()
            with CaseRun(self.context, session, case) as run:
                run.advance()
                run.save(actor)
                audit.record(session, case.id, actor, "trial_advanced", by=str(moved), fired=len(run.fired))
            return {"case": case.id, "now": iso(case_now(case), self.tz), "fired": len(run.fired)}

    def discard_trial(self, key: str, business_key: str, *, user: str | None = None) -> dict[str, Any]:
        """Throw a trial away: its case with every row it wrote, and its hidden version once no trial uses it."""
        with self.db.write() as session:
            actor = editing(self, session, key, user)
            case = self._trial_case(session, key, business_key, lock=True)
            tasks = select(Task.id).where(Task.case_id == case.id)
            for table in (Notification, Attachment):
                session.execute(delete(table).where(table.case_id == case.id))
                session.execute(delete(table).where(table.task_id.in_(tasks)))
            for model in (WebhookDelivery, CaseSearch, Comment, Event, Timer, WorkflowTask, Task):
                session.execute(delete(model).where(model.case_id == case.id))
            version_id = case.version_id
            session.execute(delete(Case).where(Case.id == case.id))
            if not session.scalar(select(func.count()).select_from(Case).where(Case.version_id == version_id)):
                session.execute(delete(PreplanVersion).where(PreplanVersion.id == version_id))
            audit.record(session, None, actor, "trial_discarded", preplan=key, business_key=case.business_key)
            return {"preplan": key, "business_key": case.business_key, "discarded": True}

    def _trial_case(self, session: Session, key: str, business_key: str, *, lock: bool = False) -> Case:
        """A trial case of ``key`` (locked for a change); any other case is not found."""
        case_id = session.scalar(select(Case.id).where(Case.business_key == str(business_key)[:40], Case.is_trial))
        case = (lock_case(session, case_id) if lock else session.get(Case, case_id)) if case_id is not None else None
        if case is None or self.versions.info(session, case.version_id).preplan_key != key:
            raise NotFound(say("no trial %(case)s of %(preplan)s", case=str(business_key)[:40], preplan=key))
        return case
