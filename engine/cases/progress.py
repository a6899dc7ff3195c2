"""Where a case stands on its diagram: which elements have run, which are active, which are overdue.

The one read path that restores a workflow (a single case page); lists never do.
"""

from __future__ import annotations

from SpiffWorkflow import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.cases import storage
from engine.preplans.catalog import VersionCache
from engine.store.models import Case, Task


def case_progress(versions: VersionCache, session: Session, case: Case) -> dict[str, list[str]]:
    process = versions.info(session, case.version_id).manifest.duty_process(case.duty)
    parsed = versions.spec(session, case.version_id, process)
    workflow, _ = storage.load(session, case, parsed, lambda: versions.stored_spec(session, case.version_id, process))
    done, active = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            done.add(bpmn_id)
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            active.add(bpmn_id)
    overdue = session.scalars(
        select(Task.bpmn_id).where(Task.case_id == case.id, Task.status == "open", Task.real_due_at < clock.real_now())
    )
    return {"done": sorted(done - active), "active": sorted(active), "overdue": sorted(set(overdue))}
