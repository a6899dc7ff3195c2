"""A case's workflow in rows: one ``workflow_task`` row per SpiffWorkflow task, and the workflow-level state (data,
events, subprocesses) on the case row.

A save writes a task only when it may differ from its row: it is new, its state or children changed since the
row was written (known by equality with what was written, never by comparing clocks, so several machines agree),
it is live (a waiting timer's schedule, a ready task's data can change in place), or its parent is one of those
(its data is stored as a delta to its parent's). Finished history is written once and never again, so the cost of a
step follows what the step changed, not the length of the case. The rows of tasks the workflow dropped (predictions
of paths not taken) are unreachable from the root, so never read back; they are deleted a batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.preplans import frontier
from engine.preplans.spec import ParsedSpec, load_workflow, task_document, workflow_document
from engine.store.models import Case, WorkflowTask

#: The case's own process (a subprocess is named by the id of the task that runs it).
TOP = ""
#: Rows of dropped tasks deleted at once (a step drops a few predictions; deleting them each time costs a statement).
GARBAGE = 64


@dataclass(frozen=True)
class Mark:
    """What a task's row holds, as far as telling whether it changed: its state-change time and children."""

    changed: float
    children: tuple[UUID, ...]
    size: int


@dataclass
class Stored:
    """What the database holds of one workflow, as last read or written: a mark per task, the size, and each
    process's frontier then (every task that changed since lies under it)."""

    marks: dict[UUID, Mark] = field(default_factory=dict)
    size: int = 0
    frontiers: dict[str, UUID] = field(default_factory=dict)
    #: Rows of tasks that are gone (predictions the workflow dropped): unreachable, so never read, and deleted
    #: together once there are enough of them or the workflow has ended.
    garbage: set[str] = field(default_factory=set)

    def rewrite_all(self) -> None:
        """Have the next save write every task and walk from the root (after a migration, tasks anywhere in the
        tree may name another version's specs)."""
        self.marks = {task_id: replace(mark, changed=-1.0) for task_id, mark in self.marks.items()}
        self.frontiers.clear()


def load(
    session: Session, case: Case, parsed: ParsedSpec, stored_spec: Callable[[], dict[str, Any]]
) -> tuple[BpmnWorkflow, Stored]:
    """Restore a case's workflow from its rows (one query), with what was stored of it. A state written before
    tasks had rows still holds them (``"tasks"``) and is read as it is; its next save writes the rows."""
    state = dict(case.state)
    if "tasks" in state:
        return load_workflow(state, parsed, stored_spec), Stored()
    rows = session.execute(select(WorkflowTask.process, WorkflowTask.body).where(WorkflowTask.case_id == case.id))
    documents: dict[str, dict[str, dict[str, Any]]] = {}
    sizes: dict[str, int] = {}
    for process, body in rows:
        document = json.loads(body)
        documents.setdefault(process, {})[document["id"]] = document
        sizes[document["id"]] = len(body)
    stored = Stored()
    state["tasks"] = _reachable(documents.pop(TOP, {}), state["root"], stored.garbage)
    state["subprocesses"] = {
        key: {**sub, "tasks": _reachable(documents.pop(key, {}), sub["root"], stored.garbage)}
        for key, sub in state.get("subprocesses", {}).items()
    }
    for left in documents.values():  # the rows of subprocesses that are gone
        stored.garbage.update(left)
    workflow = load_workflow(state, parsed, stored_spec)
    for _, process in _processes(workflow):
        for task in process.tasks.values():
            mark = stored.marks[task.id] = Mark(task.last_state_change, tuple(task._children), sizes[str(task.id)])
            stored.size += mark.size
    stored.frontiers = _frontiers(workflow)
    return workflow, stored


def save(session: Session, case: Case, workflow: BpmnWorkflow, stored: Stored) -> dict[str, Any]:
    """Write the tasks that may differ from their rows and delete the rows of tasks that are gone; returns the
    workflow-level state for the case row. ``stored`` is brought up to date. Only the subtree of each process's
    frontier at the last save is read: nothing outside it has changed since."""
    marks, present, written = stored.marks, set(), []
    for key, process in _processes(workflow):
        present.update(process.tasks)
        top = process.tasks.get(stored.frontiers.get(key)) or process.task_tree
        dirty: set[UUID] = set()
        for task in frontier.subtree(process, top):  # parents before their children
            mark = marks.get(task.id)
            children = tuple(task._children)
            if mark is None or mark.changed != task.last_state_change or mark.children != children or _live(task):
                dirty.add(task.id)
                written.append((key, task, children))
            elif task._parent in dirty:
                written.append((key, task, children))
    rows = []
    for key, task, children in written:
        body = json.dumps(task_document(task), separators=(",", ":"), ensure_ascii=False)
        old = marks.get(task.id)
        stored.size += len(body) - (old.size if old else 0)
        marks[task.id] = Mark(task.last_state_change, children, len(body))
        rows.append({"case_id": case.id, "task_id": str(task.id), "process": key, "body": body})
    for task_id in marks.keys() - present:
        stored.size -= marks.pop(task_id).size
        stored.garbage.add(str(task_id))
    if stored.garbage and (len(stored.garbage) >= GARBAGE or workflow.completed):
        session.execute(
            delete(WorkflowTask).where(WorkflowTask.case_id == case.id, WorkflowTask.task_id.in_(stored.garbage))
        )
        stored.garbage = set()
    if rows:
        session.execute(_upsert(session), rows)
    stored.frontiers = _frontiers(workflow)
    return workflow_document(workflow)


def _upsert(session: Session) -> Any:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(WorkflowTask)
    return statement.on_conflict_do_update(
        index_elements=[WorkflowTask.case_id, WorkflowTask.task_id],
        set_={"process": statement.excluded.process, "body": statement.excluded.body},
    )


def _processes(workflow: BpmnWorkflow) -> Iterator[tuple[str, BpmnBaseWorkflow]]:
    """The case's own process and each subprocess, with the key its rows carry."""
    yield TOP, workflow
    for key, sub in workflow.subprocesses.items():
        yield str(key), sub


def _frontiers(workflow: BpmnWorkflow) -> dict[str, UUID]:
    return {key: frontier.frontier(process).id for key, process in _processes(workflow)}


def _live(task: SpiffTask) -> bool:
    """Ready, waiting or started: such a task's data or internal data (a timer's schedule) may change while its
    state stays; a predicted task's changes only with its state or its parent."""
    return bool(task.state & _LIVE)


_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _reachable(documents: dict[str, dict[str, Any]], root: str, garbage: set[str]) -> dict[str, dict[str, Any]]:
    """The tasks of the tree under ``root``, a parent before its children (a task's data is restored from its
    parent's); the ids of the others go to ``garbage``."""
    ordered: dict[str, dict[str, Any]] = {}
    pending = [root]
    while pending:
        document = documents.get(pending.pop())
        if document is None or document["id"] in ordered:
            continue
        ordered[document["id"]] = document
        pending.extend(reversed(document["children"]))
    garbage.update(documents.keys() - ordered.keys())
    return ordered
