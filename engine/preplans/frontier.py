"""Looking for unfinished tasks from where they are, not from the root.

SpiffWorkflow finds ready, waiting or started tasks by walking the task tree from its root, a dozen times per step
(to run automatic tasks, to update waiting ones after each completion, to tell whether the workflow ended), so each
step costs the whole history of the case, and a walk gives up 1,000 levels down (a loop's 250th round would never
be found). A walk that can only match unfinished tasks starts instead from the *frontier*: the lowest common
ancestor of every unfinished task. Everything outside its subtree is finished, so the walk returns the same tasks
in the same order.

A frontier stays right as the workflow runs: tasks are created under unfinished tasks, and a finished task never
becomes unfinished again here (the engine does not reset workflows). It only gets less low, so it is computed again
after the engine ran (a pass over the old frontier's subtree) and kept on the workflow object in between. The one
exception is an event sub-process started by a message or signal: SpiffWorkflow adds it under the root task, so
delivering an event widens the frontier back to the root (:func:`widen`).
"""

from __future__ import annotations

from types import MethodType
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskIterator

_FROM_ROOT = BpmnBaseWorkflow.get_tasks_iterator
_ATTRIBUTE = "_preplan_frontier"
#: Walks that end at a spec or a depth are not only about finding tasks: they keep their root.
_SHAPED = frozenset({"end_at_spec", "max_depth", "depth_first"})


def attach(workflow: BpmnWorkflow) -> None:
    """Make a case's workflow and each of its subprocesses walk from their frontier, computed again now (after the
    engine ran, what ran is history). Only the engine's workflows walk this way; SpiffWorkflow itself is left as
    it is."""
    for process in (workflow, *workflow.subprocesses.values()):
        if "get_tasks_iterator" not in vars(process):
            process.get_tasks_iterator = MethodType(_get_tasks_iterator, process)
            process.update_waiting_tasks = MethodType(_update_waiting_tasks, process)
            process.is_completed = MethodType(_is_completed, process)
        recompute(process)


def widen(workflow: BpmnWorkflow) -> None:
    """Forget the frontiers of a workflow and its subprocesses: the next walk starts from the root and finds the
    frontier again (after an event sub-process started, under the root task)."""
    for process in (workflow, *workflow.subprocesses.values()):
        setattr(process, _ATTRIBUTE, None)


def frontier(workflow: BpmnBaseWorkflow) -> SpiffTask:
    """The task under which every unfinished task of ``workflow`` lies (computed when not known yet)."""
    task = workflow.tasks.get(getattr(workflow, _ATTRIBUTE, None))
    return task if task is not None else recompute(workflow)


def recompute(workflow: BpmnBaseWorkflow) -> SpiffTask:
    """The lowest common ancestor of the unfinished tasks (the old frontier when every task is finished). Only the
    old frontier's subtree is read: nothing outside it can be unfinished."""
    tasks = workflow.tasks
    top = tasks.get(getattr(workflow, _ATTRIBUTE, None)) or workflow.task_tree
    unfinished = [task for task in subtree(workflow, top) if not task.state & TaskState.FINISHED_MASK]
    found = top
    if unfinished:
        chain = [unfinished[0]]
        while chain[-1] is not top:
            chain.append(tasks[chain[-1]._parent])
        chain.reverse()
        depth = {task.id: level for level, task in enumerate(chain)}
        lowest = len(chain) - 1
        for task in unfinished[1:]:
            while task.id not in depth:
                task = tasks[task._parent]
            lowest = min(lowest, depth[task.id])
        found = chain[lowest]
    setattr(workflow, _ATTRIBUTE, found.id)
    return found


def subtree(workflow: BpmnBaseWorkflow, top: SpiffTask) -> list[SpiffTask]:
    """``top`` and every task under it."""
    tasks, found, pending = workflow.tasks, [], [top]
    while pending:
        task = pending.pop()
        found.append(task)
        pending.extend(child for child in map(tasks.get, task._children) if child is not None)
    return found


def _get_tasks_iterator(self: BpmnBaseWorkflow, first_task: SpiffTask | None = None, **kwargs: Any) -> Any:
    if first_task is None and not _may_match_finished(kwargs) and not _SHAPED & kwargs.keys():
        first_task = frontier(self)
    return _FROM_ROOT(self, first_task, **kwargs)


def _update_waiting_tasks(self: BpmnBaseWorkflow) -> None:
    """SpiffWorkflow's own, after every completed task, from the frontier."""
    for task in TaskIterator(frontier(self), state=TaskState.WAITING):
        task.task_spec._update(task)


def _may_match_finished(kwargs: dict[str, Any]) -> bool:
    task_filter = kwargs.get("task_filter")
    state = task_filter.state if task_filter is not None else kwargs.get("state", TaskState.ANY_MASK)
    return bool(state & TaskState.FINISHED_MASK)


def _is_completed(self: BpmnBaseWorkflow) -> bool:
    """SpiffWorkflow's own (no unfinished task left), from the frontier."""
    if not self.completed and next(TaskIterator(frontier(self), state=TaskState.NOT_FINISHED_MASK), None) is None:
        self.completed = True
    completed: bool = self.completed
    return completed
