"""Rewrite a case's task and timer rows from its workflow, in the transaction that saves the workflow.

Reading the workflow once here is what lets every list (my tasks, due timers, overdue work) be a plain indexed
query that never deserializes a case.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.preplans.conventions import FORM_PROPERTY
from engine.preplans.manifest import Manifest
from engine.store.models import Case, Task, Timer

#: The role of a trial case's steps (a draft tried in the studio): held by no one, so no work list, pool or notice
#: reaches them; the trial's owner completes them from the trial page whatever their lane.
TRIAL_ROLE = "~trial"


def remind_at(task: Task, offset_seconds: float, share: float) -> datetime | None:
    """Real time at which ``share`` of the task's time (opening to deadline) is used: when its reminder goes out
    and the task lists start showing it as due soon (``PREPLAN_REMINDER_SHARE``)."""
    if task.due_at is None:
        return None
    return task.created_at + (task.due_at - task.created_at) * share - timedelta(seconds=offset_seconds)


def timer_due(task: SpiffTask) -> datetime | None:
    """When a waiting timer task fires next (its stored, already evaluated value)."""
    value = task.internal_data.get("event_value")
    if value is None:
        return None
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value["next"]
    due: datetime = TimerEventDefinition.get_datetime(value)
    return due


def is_timer(task: SpiffTask) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def waiting_timers(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """The waiting timers of the workflow and its subprocesses, from SpiffWorkflow's register of waiting events
    (no walk of the task tree), in the order they started waiting."""
    waiting = [t for t in workflow.event_manager.tasks.values() if t.state == TaskState.WAITING and is_timer(t)]
    return sorted(waiting, key=lambda t: (t.last_state_change, str(t.id)))


#: Whether a timer's due time was counted on a provisional calendar: ``(timer task, due) -> bool``.
Provisional = Callable[[SpiffTask, datetime], bool]
#: The unit a flow node's tasks go to now (its lane's routing on the case's unit and data): ``bpmn id -> unit``.
Router = Callable[[str], str]


def deadline(task: SpiffTask) -> tuple[datetime, SpiffTask] | None:
    """The earliest date/duration timer attached to a human task, fired or not (boundary events are its siblings
    under the boundary split), with its timer task. Cycle timers are periodic reminders, not deadlines. A deadline
    that has fired without interrupting the task stays its deadline: the task is then overdue. An instance of a
    multi-instance step has its step's deadline (the timers are attached to the step, one level up)."""
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, LoopTask):
        task, parent = parent, parent.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return None
    dues = [
        (TimerEventDefinition.get_datetime(t.internal_data["event_value"]), t)
        for t in parent.children
        if t is not task
        and is_timer(t)
        and not isinstance(t.task_spec.event_definition, CycleTimerEventDefinition)
        and isinstance(t.internal_data.get("event_value"), str)
    ]
    return min(dues, key=lambda pair: pair[0]) if dues else None


@dataclass
class Synced:
    """What a projection of the human tasks changed."""

    created: list[Task]
    #: Open rows whose unit changed (the case moved, or a form chose another unit), with the unit they left: they
    #: are back in the pool, for the candidates of their new unit.
    moved: list[tuple[Task, str]]
    #: Every open row after the sync.
    open_rows: list[Task]


def sync_tasks(
    session: Session,
    case: Case,
    workflow: BpmnWorkflow,
    manifest: Manifest,
    now: datetime,
    reminder_share: float,
    provisional: Provisional,
    router: Router,
    open_rows: Sequence[Task] | None = None,
    respecified: Collection[str] = (),
) -> Synced:
    """Open a row for every new READY human task; cancel rows whose task went away; follow the units and deadlines
    of the others. ``open_rows``: the case's rows as the operation already read them (else they are read).
    ``respecified``: the spiff ids of tasks now running on another version's spec (a migration): their rows take
    the step's name, role and form from it, and go back to the pool if that changes who may do them.

    Deadlines are kept twice: ``due_at`` in the case's time and ``real_due_at``/``remind_at`` in real time, which
    differ for a drill and move when its clock is advanced; ``due_provisional`` says the deadline was counted on a
    provisional calendar."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    if open_rows is None:
        open_rows = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")).all()
    open_rows = [row for row in open_rows if row.status == "open"]
    offset = timedelta(seconds=case.clock_offset_seconds)
    moved: list[tuple[Task, str]] = []
    for row in open_rows:
        if row.spiff_id not in ready:
            row.status, row.completed_at = "cancelled", now
        else:
            role = row.role
            if row.spiff_id in respecified:
                row.bpmn_id, row.name, row.role, row.form, row.context = _described(ready[row.spiff_id], manifest)
            unit = router(row.bpmn_id)
            if unit != row.unit_key or row.role != role:
                moved.append((row, row.unit_key))
                row.unit_key, row.assignee, row.claimed_at = unit, None, None
            found = deadline(ready[row.spiff_id])
            row.due_at, row.due_provisional = (found[0], provisional(found[1], found[0])) if found else (None, False)
            row.real_due_at = row.due_at - offset if row.due_at else None
            if row.remind_at is not None:
                row.remind_at = remind_at(row, case.clock_offset_seconds, reminder_share)
    known = {row.spiff_id for row in open_rows}
    created = []
    for spiff_id, task in ready.items():
        if spiff_id in known:
            continue
        found = deadline(task)
        due = found[0] if found else None
        bpmn_id, name, role, form, context = _described(task, manifest)
        row = Task(
            case_id=case.id,
            spiff_id=spiff_id,
            bpmn_id=bpmn_id,
            name=name,
            role=TRIAL_ROLE if case.is_trial else role,
            unit_key=router(bpmn_id),
            form=form,
            status="open",
            created_at=now,
            due_at=due,
            real_due_at=due - offset if due else None,
            due_provisional=provisional(found[1], found[0]) if found else False,
            context=context,
        )
        row.remind_at = remind_at(row, case.clock_offset_seconds, reminder_share)
        session.add(row)
        created.append(row)
    return Synced(created, moved, [row for row in open_rows if row.status == "open"] + created)


def _described(task: SpiffTask, manifest: Manifest) -> tuple[str, str, str, str | None, dict[str, Any] | None]:
    """What a task's row says of its step: BPMN id, name (with its instance's label), role, form and context."""
    spec = task.task_spec
    context = instance_context(task)
    name = instance_name(spec.bpmn_name or spec.bpmn_id, context, manifest)
    return (
        spec.bpmn_id,
        name,
        manifest.role_of(spec.bpmn_id),
        spec.extensions.get("properties", {}).get(FORM_PROPERTY),
        context,
    )


def instance_context(task: SpiffTask) -> dict[str, Any] | None:
    """For an instance of a multi-instance step: its item (its department, its assignment), the item's variable
    name and the collection it came from; else None."""
    spec = task.parent.task_spec if task.parent else None
    item = getattr(spec, "input_item", None)
    if item is None or item.bpmn_id not in task.data:
        return None
    collection = getattr(spec, "data_input", None)
    return {
        "item": item.bpmn_id,
        "collection": collection.bpmn_id if collection else None,
        "value": task.data[item.bpmn_id],
    }


def instance_name(name: str, context: dict[str, Any] | None, manifest: Manifest) -> str:
    """``相关部门共同处理（销售部门）``: a step's name with the label of its instance's item (a record's first field),
    so the instances of a multi-instance step can be told apart in every list."""
    if context is None:
        return name
    value = context.get("value")
    if isinstance(value, dict):  # a record (责任人, 任务, …) is named by its first field
        value = next(iter(value.values()), None)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
        return name
    return f"{name}（{_value_title(manifest, (context['item'], context['collection']), value)}）"


def _value_title(manifest: Manifest, names: Iterable[str | None], value: str | int) -> str:
    for name in filter(None, names):
        title = manifest.fields.get(name, {}).get("values", {}).get(str(value), {}).get("zh")
        if title:
            return str(title)
        for schema in manifest.forms.values():
            prop = schema.get("properties", {}).get(name) if isinstance(schema, dict) else None
            if isinstance(prop, dict):
                options = prop.get("oneOf") or prop.get("items", {}).get("oneOf") or []
                titles = {o.get("const"): o.get("title") for o in options if isinstance(o, dict)}
                if titles.get(value):
                    return str(titles[value])
    return str(value)


#: A case's timer rows as written: spiff id -> (bpmn id, due_at, fire_at, provisional).
TimerRows = dict[str, tuple[str, datetime, datetime, bool]]


def sync_timers(
    session: Session, case: Case, timers: Iterable[SpiffTask], provisional: Provisional, known: TimerRows | None
) -> TimerRows:
    """Keep one row per waiting timer; ``fire_at`` is in real time (a drill's virtual time minus its offset).
    ``known``: the rows as the last save of this workflow wrote them (else they are read). Only differences are
    written; returns the rows as they now are."""
    offset = timedelta(seconds=case.clock_offset_seconds)
    wanted: TimerRows = {}
    for task in timers:
        due = timer_due(task)
        if due is not None:
            wanted[str(task.id)] = (task.task_spec.bpmn_id, due, due - offset, provisional(task, due))
    if known is None:
        rows = session.execute(
            select(Timer.spiff_id, Timer.bpmn_id, Timer.due_at, Timer.fire_at, Timer.provisional).where(
                Timer.case_id == case.id
            )
        )
        known = {spiff_id: (bpmn_id, due, fire, prov) for spiff_id, bpmn_id, due, fire, prov in rows}
    gone = [spiff_id for spiff_id in known if spiff_id not in wanted]
    changed = [spiff_id for spiff_id, row in wanted.items() if spiff_id in known and known[spiff_id] != row]
    new = [spiff_id for spiff_id in wanted if spiff_id not in known]
    if gone:
        session.execute(delete(Timer).where(Timer.case_id == case.id, Timer.spiff_id.in_(gone)))
    table = cast(Table, Timer.__table__)  # Core statements: executemany with the rows' own keys
    if changed:
        session.execute(
            update(table).where(table.c.case_id == case.id, table.c.spiff_id == bindparam("timer")),
            [{"timer": spiff_id, **_timer_values(wanted[spiff_id])} for spiff_id in changed],
        )
    if new:
        session.execute(
            insert(table),
            [{"case_id": case.id, "spiff_id": spiff_id, **_timer_values(wanted[spiff_id])} for spiff_id in new],
        )
    return wanted


def _timer_values(row: tuple[str, datetime, datetime, bool]) -> dict[str, Any]:
    bpmn_id, due, fire, provisional = row
    return {"bpmn_id": bpmn_id, "due_at": due, "fire_at": fire, "provisional": provisional}
