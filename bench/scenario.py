"""Drive a preplan from its forms alone: start with an example intake, then complete whatever step is open
with an example submission, until the case ends or only timers remain. The same walk runs on raw
SpiffWorkflow (in memory) and through the engine (database), so their per-step costs compare like for like."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.cases.views import list_tasks
from engine.preplans.conventions import schema_file
from engine.preplans.examples import example_submission
from engine.preplans.package import PreplanPackage
from engine.preplans.spec import ParsedSpec, new_workflow
from engine.scripting.helpers import build_helpers
from engine.service import Engine
from engine.time.calendar import WorkCalendar

MAX_STEPS = 60


def intake(
    package: PreplanPackage, forms: dict[str, Any], choice: int, leave_out: Collection[str] = ()
) -> dict[str, Any]:
    """The start form's example data (``leave_out``: the counts the engine takes from the case history itself)."""
    return example_submission(forms[schema_file(package.manifest["start_form"])], choice, leave_out=leave_out)


def raw_walk(
    parsed: ParsedSpec, forms: dict[str, Any], start: dict[str, Any], calendar: WorkCalendar, timings: list[float]
) -> int:
    """Raw SpiffWorkflow: plain eval environment, no persistence. Appends one timing per completed step."""
    workflow = new_workflow(parsed)
    workflow.script_engine = PythonScriptEngine(
        environment=TaskDataEnvironment(build_helpers(lambda: calendar, calendar.tz))
    )
    workflow.task_tree.data.update(start)
    workflow.do_engine_steps()
    steps = 0
    while steps < MAX_STEPS:
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            return steps
        task = ready[0]
        form = task.task_spec.extensions.get("properties", {}).get("formJsonSchemaFilename")
        data = example_submission(forms[form]) if form else {}
        began = time.perf_counter()
        task.data.update(data)
        task.run()
        workflow.refresh_timers()
        workflow.do_engine_steps()
        timings.append(time.perf_counter() - began)
        steps += 1
    return steps


def engine_walk(
    engine: Engine,
    key: str,
    forms: dict[str, Any],
    start: dict[str, Any],
    user_for: Callable[[str], str],
    timings: list[float],
    leave_out: Collection[str] = (),
) -> int:
    case = engine.start(key, start)["case"]
    steps = 0
    while steps < MAX_STEPS:
        with engine.db.read() as session:
            open_tasks = list_tasks(session, engine.tz, case_id=case)
        if not open_tasks:
            return steps
        task = open_tasks[0]
        data = example_submission(forms[task["form"]], leave_out=leave_out) if task["form"] else {}
        user = user_for(task["role"])
        began = time.perf_counter()
        engine.complete(task["id"], data, user=user)
        timings.append(time.perf_counter() - began)
        steps += 1
    return steps
