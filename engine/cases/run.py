"""One operation on one case, inside one transaction (DESIGN: "one operation = one transaction").

Open (the case row is already locked by the caller) → restore the workflow on its version's cached spec →
attach the restricted script engine and the case's clock → advance (refresh timers + engine steps until nothing
automatic is left) → the caller acts → advance → save state, projections and audit events. Any failure
propagates and the caller's transaction rolls back, leaving the stored case as it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from engine import clock
from engine.cases import duties, search, storage
from engine.cases.live import Live, LiveCases
from engine.cases.projection import TimerRows, is_timer, sync_tasks, sync_timers, timer_due, waiting_timers
from engine.cases.storage import Stored
from engine.cases.views import summary_of
from engine.config import Settings
from engine.errors import DiagramError, PreplanError, Text, say
from engine.notify import notices, webhooks
from engine.people.org import Org
from engine.people.users import holders
from engine.preplans import frontier
from engine.preplans.catalog import VersionCache, VersionInfo
from engine.preplans.manifest import Manifest
from engine.preplans.routing import CASE, route_unit
from engine.scripting.helpers import build_helpers, counts_working_time
from engine.scripting.sandbox import Budget, ScriptRejected, script_engine
from engine.store import audit
from engine.store.db import after_commit
from engine.store.models import Case, Task
from engine.time.calendar import WorkCalendar, package_last_year
from engine.time.calendar_store import load_calendar

#: Automatic steps may make timers due that were created already overdue; bound the catch-up rounds.
_MAX_ROUNDS = 50
#: Kept in a waiting timer's internal data: the instant of the operation that counted its deadline.
ARMED_AT = "preplan_armed_at"


@dataclass(frozen=True)
class RunContext:
    """What running a case needs besides the case: the deployed versions and the settings (and the organisation,
    when the operation has already read it)."""

    versions: VersionCache
    settings: Settings
    live: LiveCases
    org: Org | None = None


class CaseRun:
    def __init__(
        self,
        context: RunContext,
        session: Session,
        case: Case,
        workflow: BpmnWorkflow | None = None,
        *,
        open_rows: Sequence[Task] | None = None,
    ) -> None:
        """``workflow``: a new case's; else the live one at the case's revision, or the one its rows restore.
        ``open_rows``: the case's open task rows, when the operation has read them already."""
        self.settings, self.session, self.case = context.settings, session, case
        versions = context.versions
        self.version = versions.info(session, case.version_id)
        self.manifest: Manifest = self.version.manifest
        self._stack = ExitStack()
        self._stack.enter_context(clock.shifted(timedelta(seconds=case.clock_offset_seconds)))
        self._stack.enter_context(clock.pinned())  # the whole operation happens at one instant of the case's time
        self._live = context.live
        self._timers: TimerRows | None = None  # the timer rows as written, when known
        self.open_rows: list[Task] | None = list(open_rows) if open_rows is not None else None
        self._new = workflow is not None
        if workflow is not None:  # a new case
            self.workflow, self._stored, self._timers = workflow, Stored(), {}
        elif (entry := self._live.take(case.id, case.revision)) is not None:
            self.workflow, self._stored, self._timers = entry.workflow, entry.stored, entry.timers
        else:
            process = self.manifest.duty_process(case.duty)
            parsed = versions.spec(session, case.version_id, process)
            self.workflow, self._stored = storage.load(
                session, case, parsed, lambda: versions.stored_spec(session, case.version_id, process)
            )
        frontier.attach(self.workflow)
        self._calendar: WorkCalendar | None = None
        self._org: Org | None = context.org
        self.workflow.script_engine = script_engine(
            build_helpers(self.calendar, self.settings.timezone, drill=case.is_drill),
            Budget(self.settings.script_steps, self.settings.script_seconds),
        )
        self.fired: list[dict[str, Any]] = []
        self._respecified: frozenset[str] = frozenset()  # open steps given another version's spec
        self._boundary_fires: list[tuple[Any, dict[str, Any]]] = []
        self._cycles = {t.id: _cycle_state(t) for t in waiting_timers(self.workflow) if _is_cycle(t)}

    def __enter__(self) -> CaseRun:
        return self

    def calendar(self) -> WorkCalendar:
        """The working calendar, read once per operation and only if a deadline needs it."""
        if self._calendar is None:
            self._calendar = load_calendar(self.session, self.settings)
        return self._calendar

    @property
    def org(self) -> Org:
        """The organisation, read once per operation and only if a task is routed."""
        if self._org is None:
            self._org = Org.load(self.session)
        return self._org

    def provisional(self, timer: SpiffTask, due: datetime) -> bool:
        """Whether ``timer`` counted working time into a year whose official schedule is not known yet."""
        if not counts_working_time(getattr(timer.task_spec.event_definition, "expression", "") or ""):
            return False
        day = due.astimezone(self.settings.timezone).date()
        return day.year > package_last_year() and self.calendar().is_provisional(day)

    def recount_deadlines(self) -> list[dict[str, Any]]:
        """Count the working-time deadlines of waiting timers again, on the calendar as it is now, from the
        instant each was first counted (e.g. once the official schedule of their year is entered). Returns
        ``{"bpmn_id", "name", "before", "after"}`` for each deadline that moved."""
        moved = []
        for task in waiting_timers(self.workflow):
            expression = getattr(task.task_spec.event_definition, "expression", "") or ""
            before, armed = task.internal_data.get("event_value"), task.internal_data.get(ARMED_AT)
            if _is_cycle(task) or not isinstance(before, str) or not armed or not counts_working_time(expression):
                continue
            with clock.pinned(datetime.fromisoformat(armed)):
                try:
                    after = self.workflow.script_engine.evaluate(task, expression)
                except Exception as exc:
                    raise diagram_error(exc) from exc
            if after != before:
                task.internal_data["event_value"] = after
                moved.append(
                    {
                        "bpmn_id": task.task_spec.bpmn_id,
                        "name": task.task_spec.bpmn_name,
                        "before": before,
                        "after": after,
                    }
                )
        return moved

    def move_to(self, version: VersionInfo) -> None:
        """Run on another version of the preplan from now on, once a migration gave the workflow its specs: every
        task's row is written again, and the open steps' rows take their names, roles and forms from it."""
        self.case.version_id, self.version, self.manifest = version.id, version, version.manifest
        self._stored.rewrite_all()
        frontier.widen(self.workflow)
        ready = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        self._respecified = frozenset(str(task.id) for task in ready)

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    # -- running --------------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Fire what is due and run every automatic step; stops at human tasks and future timers."""
        workflow = self.workflow
        try:
            for _ in range(_MAX_ROUNDS):
                _coalesce_missed_cycles(workflow, clock.now())
                workflow.refresh_timers()
                workflow.do_engine_steps(did_complete_task=self._did_complete)
                if not workflow.get_tasks(state=TaskState.READY, manual=False):
                    break
        except Exception as exc:  # SpiffWorkflow wraps some errors, not all (bad timer values raise plain ones)
            raise diagram_error(exc) from exc
        frontier.attach(workflow)  # what ran is history now: later walks start below it
        self._record_cycle_fires()

    def catch_up(self) -> None:
        """Before acting on a saved workflow: fire what came due since it was saved. A save follows an advance, so
        nothing else can be ready to run, and when no timer is due there is nothing to do."""
        now = clock.now()
        if any((due := timer_due(t)) is not None and due <= now for t in waiting_timers(self.workflow)):
            self.advance()

    def deliver(self, event: BpmnEvent) -> None:
        """Let the workflow catch an event from outside (a message or signal). An event sub-process it starts lies
        under the root task, outside the frontier of unfinished work: walks and the next save start from the root."""
        try:
            self.workflow.send_event(event)
        except Exception as exc:
            raise diagram_error(exc) from exc
        frontier.widen(self.workflow)
        self._stored.frontiers.clear()

    def run_task(self, task: SpiffTask, data: dict[str, Any]) -> None:
        task.data.update(data)
        try:
            task.run()
        except Exception as exc:
            raise diagram_error(exc) from exc

    def _did_complete(self, task: SpiffTask) -> None:
        if is_timer(task) and not _is_cycle(task):
            self._record_fire(task, task.internal_data.get("event_value"))

    def _record_fire(self, task: SpiffTask, due_value: Any) -> None:
        fired = _fired(task, due_value)
        self.fired.append(fired)
        if fired["boundary"]:
            self._boundary_fires.append((task.id, fired))

    # -- saving ---------------------------------------------------------------------------------------------
    def save(self, actor: str) -> list[Task]:
        """Write state, status, list fields, projections and audit events; returns newly opened task rows."""
        case, workflow, now = self.case, self.workflow, clock.now()
        timers = waiting_timers(workflow)
        for timer in timers:  # the instant a deadline was counted from, to count it again on a newer calendar
            timer.internal_data.setdefault(ARMED_AT, now.isoformat())
        case.state = storage.save(self.session, case, workflow, self._stored)
        flag_modified(case, "state")  # the revision rises with every save: it is what tells a live copy is current
        case.updated_at = now
        previous = None if self._new else case.data
        data = case.data = case_data(workflow)
        severity_field = self.manifest.severity_field
        if severity_field and data.get(severity_field) is not None:
            case.severity = str(data[severity_field])
        if data != previous:  # what search finds follows the data (the key and title are set at the start)
            search.index_case(self.session, case, self.manifest.confidential)
        for fired in self.fired:
            audit.record(self.session, case.id, "timer", "timer_fired", **fired)
        completed = workflow.is_completed() and case.status == "running"
        if completed:
            case.status, case.ended_at = "completed", now
            audit.record(self.session, case.id, actor, "completed")
        settings = self.settings
        synced = sync_tasks(
            self.session,
            case,
            workflow,
            self.manifest,
            now,
            settings.reminder_share,
            self.provisional,
            self.unit_of,
            self.open_rows,
            self._respecified,
        )
        new_tasks, moved, self.open_rows = synced.created, synced.moved, synced.open_rows
        timer_rows = self._timers = sync_timers(
            self.session, case, timers if case.status == "running" else [], self.provisional, self._timers
        )
        live, stored = self._live, self._stored
        after_commit(self.session, lambda: live.keep(case.id, Live(case.revision, workflow, stored, timer_rows)))
        self.session.flush()
        for row, before in moved:
            audit.record(
                self.session, case.id, actor, "rerouted", task=row.id, name=row.name, before=before, unit=row.unit_key
            )
        for row in new_tasks:
            self.publish("task.created", row)
        escalated = self._notify_escalations(new_tasks)
        for row in [*new_tasks, *(row for row, _ in moved)]:
            if row.id not in escalated:
                notices.send(self.session, settings, notices.recipients(self.session, row), "assigned", case, row)
        if completed:
            if case.duty is not None:
                duties.file_report(self.session, settings, case, actor, self.manifest.duties[case.duty])
            self.publish("case.completed")
        return new_tasks

    def publish(self, event: str, task: Task | None = None, escalation: dict[str, Any] | None = None) -> None:
        """Write the webhook deliveries of an event of this case (in this operation's transaction)."""
        webhooks.publish(
            self.session,
            self.settings.timezone,
            event,
            self.case,
            task=task,
            preplan=self.version.preplan_key,
            escalation=escalation,
        )

    def summary(self) -> dict[str, Any]:
        """The case and its open steps after :meth:`save` (from the rows it wrote: no query)."""
        assert self.open_rows is not None, "summary() follows save()"
        return summary_of(
            self.case, self.open_rows, self.version.preplan_key, self.version.number, self.settings.timezone
        )

    def unit_of(self, bpmn_id: str) -> str:
        """The unit a flow node's tasks go to: its lane's routing, for the case's unit and current data (the
        organisation is read only for a lane that routes elsewhere than the case's unit)."""
        route = self.manifest.route_of(bpmn_id)
        if route == CASE:
            return self.case.unit_key
        return route_unit(route, self.case.unit_key, self.case.data, self.org)

    def _notify_escalations(self, new_tasks: list[Task]) -> set[int]:
        """Tell the target role of each escalation: the roles of the tasks its path opened; when it opened none,
        the lane's role, but only if the deadline interrupted the work (a non-interrupting tick that leads nowhere,
        such as a weekly report check, tells nobody). Returns the task ids covered (no ``assigned`` notice)."""
        covered: set[int] = set()
        for timer_id, fired in self._boundary_fires:
            targets = [row for row in new_tasks if _descends_from(self.workflow, row.spiff_id, timer_id)]
            reason = fired["name"] or fired["bpmn_id"]
            if targets:
                for row in targets:
                    notices.send(
                        self.session,
                        self.settings,
                        holders(self.session, row.role, row.unit_key),
                        "escalated",
                        self.case,
                        row,
                        reason,
                    )
                    self.publish("case.escalated", row, fired)
                    covered.add(row.id)
                continue
            role = self.manifest.role_of(fired["bpmn_id"])
            if role and fired["interrupting"]:
                self.publish("case.escalated", escalation=fired)
                notices.send(
                    self.session,
                    self.settings,
                    holders(self.session, role, self.unit_of(fired["bpmn_id"])),
                    "escalated",
                    self.case,
                    None,
                    reason,
                )
        return covered

    def _record_cycle_fires(self) -> None:
        """A cycle timer stays waiting when it fires; a changed schedule is the sign that it did."""
        for task in waiting_timers(self.workflow):
            if not _is_cycle(task):
                continue
            before, now = self._cycles.get(task.id), _cycle_state(task)
            if before is not None and now != before:
                self._record_fire(task, before)
            self._cycles[task.id] = now


def _descends_from(workflow: BpmnWorkflow, spiff_id: str, ancestor_id: UUID) -> bool:
    """Whether a task lies on the path that started at ``ancestor_id`` (crossing subprocess boundaries)."""
    task = workflow.get_task_from_id(UUID(spiff_id))
    while task is not None:
        if task.id == ancestor_id:
            return True
        parent = task.parent
        if parent is None and task.workflow is not workflow:
            parent = workflow.get_task_from_id(task.workflow.parent_task_id)
        task = parent
    return False


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's current data: the workflow's at the end, else the merged data of its live tokens; process
    data objects (state shared across branches, e.g. a severity raised by an escalation) win."""
    if workflow.is_completed():
        merged = {k: v for k, v in workflow.data.items() if k != "data_objects"}
    else:
        merged = {}
        live = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        for task in sorted(live, key=lambda t: t.last_state_change):
            merged.update(task.data)
        if not merged and workflow.last_task is not None:
            merged.update(workflow.last_task.data)
    merged.update(workflow.data_objects)
    return merged


def diagram_error(exc: Exception) -> DiagramError:
    """Name the element and the root cause (SpiffWorkflow's wrappers hide it, e.g. a missing calendar year)."""
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    element = getattr(spec, "bpmn_id", None)
    message: str = str(exc).rstrip(". ")
    cause, seen = exc.__cause__ or exc.__context__, 0
    while cause is not None and seen < 10:
        text = getattr(cause, "message", None) or str(cause)
        if isinstance(cause, (PreplanError, ScriptRejected)) and isinstance(cause.args[0], Text):
            message = cause.args[0]  # our own refusal says it best, in every language
            break
        if text and text not in message:
            message += f": {text}"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    if element:
        return DiagramError(
            say(
                "the diagram failed at %(step)s (%(element)s): %(cause)s",
                step=getattr(spec, "bpmn_name", None) or element,
                element=element,
                cause=message,
            ),
            element=element,
        )
    return DiagramError(say("the diagram failed: %(cause)s", cause=message), element=element)


def _is_cycle(task: SpiffTask) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition)


def _cycle_state(task: SpiffTask) -> Any:
    value = task.internal_data.get("event_value")
    return dict(value) if isinstance(value, dict) else value


def _fired(task: SpiffTask, due_value: Any) -> dict[str, Any]:
    spec = task.task_spec
    due = due_value["next"] if isinstance(due_value, dict) else due_value
    return {
        "bpmn_id": spec.bpmn_id,
        "name": spec.bpmn_name,
        "due_at": due,
        "interrupting": bool(getattr(spec, "cancel_activity", False)),
        "boundary": type(spec).__name__ == "BoundaryEvent",
    }


def _coalesce_missed_cycles(workflow: BpmnWorkflow, now: datetime) -> None:
    """After downtime a cycle timer fires once, not once per missed cycle (SpiffWorkflow replays them all).

    Every missed slot but the latest is skipped (and counted against a bounded repetition), so the next
    refresh fires exactly once and schedules the following slot after ``now``.
    """
    for task in waiting_timers(workflow):
        value = task.internal_data.get("event_value")
        if not _is_cycle(task) or not isinstance(value, dict) or value.get("cycles") == 0:
            continue
        due = timer_due(task)
        period = value["duration"]
        if due is None or period <= 0 or due > now:
            continue
        skipped = math.floor((now - due).total_seconds() / period)
        if skipped < 1:
            continue
        if value["cycles"] > 0:
            skipped = min(skipped, value["cycles"] - 1)
            value["cycles"] -= skipped
        value["next"] = (due + timedelta(seconds=period * skipped)).isoformat()
