"""Moving one running case onto a newer version of its preplan (an admin fixed a deadline, added an escalation).

SpiffWorkflow's spec diff aligns each old task spec with the new version's (by BPMN id, then by the shape of the
flow around it); the case's open steps follow their aligned specs. A step whose spec changed is reset, that is
predicted again from the new spec, except a waiting deadline whose only change is its amount: it is counted again
from the instant it was first counted (when its step opened), so the new rule applies as if it had always held.
A case is refused, with nothing changed, when an open step has no counterpart (unless an admin maps it to one),
when an open multi-instance step changed (its instances cannot be re-created faithfully), or when it is inside a
sub-process the new version no longer has.

:func:`migrate` works on the :class:`~engine.cases.run.CaseRun` of the locked case; the caller saves it (or rolls
back, for a preview).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.task import Task as SpiffTask

from engine import clock
from engine.cases.projection import is_timer
from engine.cases.run import ARMED_AT, CaseRun, diagram_error
from engine.errors import Text, say
from engine.preplans.catalog import VersionInfo
from engine.preplans.spec import REGISTRY, ParsedSpec
from engine.timefmt import iso

#: The states of an open step: a human task to do, an event or timer waited for, a sub-process under way.
OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: Reset by the migration when their spec changed (a started task is reset through what it contains).
_RESETTABLE = TaskState.READY | TaskState.WAITING
#: What the spec diff reports of a timer whose deadline alone changed.
_DEADLINE_ONLY = ["event_definition"]


@dataclass
class Plan:
    """What a migration does to one case's open steps (step names), or why it is refused."""

    reason: str | None = None  # a sentence (``say``) where the engine has one
    mapped: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    #: The BPMN ids of open steps the new version has no counterpart for (an admin may map them).
    unmatched: list[str] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return self.reason is None


@dataclass
class _Process:
    """One process of the case (its own or a sub-process) with the new version's spec and their diff."""

    process: BpmnBaseWorkflow
    spec: BpmnProcessSpec
    diff: WorkflowDiff
    changes: dict[Any, list[str]]


def migrate(run: CaseRun, target: VersionInfo, parsed: ParsedSpec, mapping: Mapping[str, str]) -> Plan:
    """Move the case of ``run`` onto ``target`` (``parsed``: its spec) and advance it; ``mapping``: an admin's
    OLD_BPMN_ID -> NEW_BPMN_ID for steps the new version removed. An unsafe case is left untouched."""
    workflow = run.workflow
    processes, refusal = _diffs(run, parsed, mapping, target.number)
    if refusal is not None:
        return Plan(refusal)
    plan = Plan()
    resets: list[SpiffTask] = []
    rearmed: list[SpiffTask] = []
    for item in processes:
        for task in _open(item.process):
            new_spec = item.diff.alignment.get(task)
            changes = item.changes.get(task.task_spec, [])
            if new_spec is None:
                return Plan(
                    say(
                        "the open step %(step)s is not in version %(to)s: map it to a step of the new version",
                        step=_name(task),
                        to=target.number,
                    ),
                    unmatched=[task.task_spec.bpmn_id or task.task_spec.name],
                )
            if changes and _multi_instance(task):
                return Plan(
                    say(
                        "the open multi-instance step %(step)s changed in version %(to)s; its instances cannot be "
                        "carried over",
                        step=_name(task),
                        to=target.number,
                    )
                )
            if task.parent is not None and not _fits(item, task, new_spec):
                return Plan(
                    say(
                        "the open step %(step)s sits elsewhere in the flow of version %(to)s; it cannot be carried "
                        "over",
                        step=_name(task),
                        to=target.number,
                    )
                )
            if changes and task.state & _RESETTABLE:
                rearmable = changes == _DEADLINE_ONLY and _date_or_duration(task) and _date_or_duration_spec(new_spec)
                (rearmed if rearmable else resets).append(task)
            elif _step(task):
                plan.mapped.append(_name(task))
    before = {task.id: task for item in processes for task in _open(item.process) if _step(task)}
    try:
        for item in processes:
            # The library would reset every ready and waiting task: here only those whose spec changed are
            # (below), so an unchanged step keeps its claim and a deadline the instant it was counted from.
            migrate_workflow(item.diff, item.process, item.spec, reset_mask=TaskState.ERROR)
        for task in resets:
            if task.id in task.workflow.tasks:  # not dropped already by the reset of an ancestor
                task.reset_branch(None)
                plan.reset.append(_name(task))
        for task in rearmed:
            plan.deadlines.append(_rearm(run, task))
            plan.mapped.append(_name(task))
    except Exception as exc:  # a spec the new version evaluates differently (e.g. a bad deadline expression)
        raise diagram_error(exc) from exc
    run.move_to(target)
    run.advance()
    plan.cancelled = [
        _name(task)
        for task_id, task in before.items()
        if (now := workflow.get_task_from_id(task_id)) is None or now.state == TaskState.CANCELLED
    ]
    return plan


def _diffs(run: CaseRun, parsed: ParsedSpec, mapping: Mapping[str, str], to: int) -> tuple[list[_Process], Text | None]:
    """The diff of the case's process and of each running sub-process against the new version, with the admin's
    mapping applied; or why the case cannot be moved."""
    workflow = run.workflow
    processes = []
    for process in (workflow, *workflow.subprocesses.values()):
        spec = parsed.spec if process is workflow else parsed.subprocess_specs.get(process.spec.name)
        if spec is None:
            holder = workflow.get_task_from_id(process.parent_task_id)
            return [], say(
                "the case is inside %(step)s, which version %(to)s no longer has",
                step=_name(holder) if holder is not None else process.spec.name,
                to=to,
            )
        diff = SpecDiff(REGISTRY, process.spec, spec)
        changes = dict(diff.comparisons)
        new_ids = {s.bpmn_id: s for s in spec.task_specs.values() if s.bpmn_id}
        for old in list(diff.alignment):
            target = mapping.get(old.bpmn_id or "")
            if target is None:
                continue
            if target not in new_ids:
                return [], say(
                    "step %(old)s can only be mapped to a step of the same process; %(new)s is not one",
                    old=old.bpmn_id,
                    new=target,
                )
            diff.alignment[old] = new_ids[target]
            changes[old] = ["mapped"]
        processes.append(_Process(process, spec, _workflow_diff(process, diff), changes))
    return processes, None


def _workflow_diff(process: BpmnBaseWorkflow, diff: SpecDiff) -> WorkflowDiff:
    """The library's diff of the process's tasks, completed with the tasks deeper than its walks reach (it stops
    1,000 levels down, which a long case's loops pass)."""
    found = WorkflowDiff(process, diff)
    for task in process.tasks.values():
        if task not in found.alignment and (new := diff.alignment.get(task.task_spec)) is not None:
            found.alignment[task] = new
    return found


def unknown_steps(parsed: ParsedSpec, ids: set[str]) -> set[str]:
    """The ids among ``ids`` that name no step of a version."""
    specs = [parsed.spec, *parsed.subprocess_specs.values()]
    known = {s.bpmn_id for spec in specs for s in spec.task_specs.values() if s.bpmn_id}
    return ids - known


def mappable_steps(parsed: ParsedSpec) -> list[dict[str, str]]:
    """The steps of a version an open step may be mapped to (human tasks and events waited for), by name."""
    specs = [parsed.spec, *parsed.subprocess_specs.values()]
    steps = {
        s.bpmn_id: str(s.bpmn_name or s.bpmn_id)
        for spec in specs
        for s in spec.task_specs.values()
        if s.bpmn_id and (s.manual or getattr(s, "event_definition", None) is not None)
    }
    return [{"bpmn_id": bpmn_id, "name": name} for bpmn_id, name in sorted(steps.items(), key=lambda item: item[1])]


def _open(process: BpmnBaseWorkflow) -> list[SpiffTask]:
    return [task for task in process.tasks.values() if task.state & OPEN]


def _step(task: SpiffTask) -> bool:
    """A step people see: a human task to do, or an event or deadline waited for."""
    if task.state == TaskState.READY:
        return bool(task.task_spec.manual)
    return task.state == TaskState.WAITING and task.task_spec.bpmn_id is not None and _is_event(task)


def _is_event(task: SpiffTask) -> bool:
    return getattr(task.task_spec, "event_definition", None) is not None


def _name(task: SpiffTask) -> str:
    spec = task.task_spec
    return str(spec.bpmn_name or spec.bpmn_id or spec.name)


def _multi_instance(task: SpiffTask) -> bool:
    return isinstance(task.task_spec, LoopTask) or (
        task.parent is not None and isinstance(task.parent.task_spec, LoopTask)
    )


def _fits(item: _Process, task: SpiffTask, new_spec: Any) -> bool:
    """Whether the task's place in the tree holds in the new version: its parent's new spec leads to it (a
    multi-instance's instances hang from the step itself, the start of a process from its root)."""
    parent = item.diff.alignment.get(task.parent)
    if parent is None or isinstance(parent, LoopTask) or not new_spec.inputs:
        return True
    return new_spec in parent.outputs


def _date_or_duration(task: SpiffTask) -> bool:
    return is_timer(task) and isinstance(task.internal_data.get("event_value"), str)


def _date_or_duration_spec(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    return definition is not None and not isinstance(definition, CycleTimerEventDefinition)


def _rearm(run: CaseRun, task: SpiffTask) -> dict[str, Any]:
    """Count a waiting deadline again with its new rule, from the instant it was first counted."""
    before = task.internal_data.pop("event_value", None)
    armed = task.internal_data.get(ARMED_AT)
    instant = datetime.fromisoformat(armed) if armed else datetime.fromtimestamp(task.last_state_change, UTC)
    with clock.pinned(instant):
        task.task_spec.event_definition.has_fired(task)  # evaluates the expression and keeps its value
    after = task.internal_data.get("event_value")
    tz = run.settings.timezone
    return {"step": _name(task), "before": _instant(before, tz), "after": _instant(after, tz)}


def _instant(value: Any, tz: Any) -> str | None:
    try:
        return iso(datetime.fromisoformat(str(value)), tz)
    except ValueError:
        return None
