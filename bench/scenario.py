"""Drive a preplan from its forms alone: start with an example intake, then complete whatever step is open
with an example submission, until the case ends or only timers remain. The same walk runs on raw
SpiffWorkflow (in memory) and through the engine (database), so their per-step costs compare like for like."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from sqlalchemy import event

from engine.cases.views import list_tasks
from engine.preplans.check import check_package
from engine.preplans.conventions import schema_file
from engine.preplans.examples import example_submission
from engine.preplans.package import PreplanPackage, load_package
from engine.preplans.spec import ParsedSpec, new_workflow
from engine.scripting.helpers import build_helpers
from engine.service import Engine
from engine.time.calendar import WorkCalendar

MAX_STEPS = 60
T = TypeVar("T")


@dataclass
class Steps:
    """Wall time (seconds) and SQL statements of each measured engine call, in call order."""

    seconds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    #: the statements of the completions that opened no step (issue 14's "plain completion")
    plain: list[int] = field(default_factory=list)


class Meter:
    """Times engine calls and counts the statements each sends, through a ``before_cursor_execute`` listener on the
    engine's database: a step's cost and its round trips come from the same call. Transaction control is left out
    (SQLite's BEGIN goes through the listener, PostgreSQL's is implicit), so both backends count alike."""

    def __init__(self, engine: Engine) -> None:
        self.sent = 0
        event.listen(engine.db.engine, "before_cursor_execute", self._count)

    def _count(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):
            self.sent += 1

    def __call__(self, call: Callable[[], T], into: Steps) -> T:
        before = self.sent
        began = time.perf_counter()
        result = call()
        into.seconds.append(time.perf_counter() - began)
        into.statements.append(self.sent - before)
        return result


@dataclass(frozen=True)
class Prepared:
    """A preplan package that passed ``check``, its parsed spec and its forms (file name -> schema)."""

    package: PreplanPackage
    parsed: ParsedSpec
    forms: dict[str, Any]


def prepare(folder: Path) -> Prepared:
    package = load_package(folder)
    checked = check_package(package)
    assert checked.ok and checked.parsed is not None, checked.problems
    return Prepared(package, checked.parsed, {name: json.loads(data) for name, data in package.forms.items()})


def intake(
    package: PreplanPackage, forms: dict[str, Any], choice: int, leave_out: Collection[str] = ()
) -> dict[str, Any]:
    """The start form's example data (``leave_out``: the counts the engine takes from the case history itself)."""
    return example_submission(forms[schema_file(package.manifest["start_form"])], choice, leave_out=leave_out)


def raw_workflow(parsed: ParsedSpec, start: dict[str, Any], calendar: WorkCalendar) -> Any:
    """A started workflow on raw SpiffWorkflow: plain eval environment with the engine's helpers, no persistence."""
    workflow = new_workflow(parsed)
    workflow.script_engine = PythonScriptEngine(
        environment=TaskDataEnvironment(build_helpers(lambda: calendar, calendar.tz))
    )
    workflow.task_tree.data.update(start)
    workflow.do_engine_steps()
    return workflow


def raw_step(workflow: Any, forms: dict[str, Any]) -> float | None:
    """Complete the first ready human task with its form's example data; its seconds, or None when none is ready."""
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if not ready:
        return None
    task = ready[0]
    form = task.task_spec.extensions.get("properties", {}).get("formJsonSchemaFilename")
    data = example_submission(forms[form]) if form else {}
    began = time.perf_counter()
    task.data.update(data)
    task.run()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return time.perf_counter() - began


def raw_walk(
    parsed: ParsedSpec, forms: dict[str, Any], start: dict[str, Any], calendar: WorkCalendar, timings: list[float]
) -> int:
    """Appends one timing per completed step; returns the number of steps."""
    workflow = raw_workflow(parsed, start, calendar)
    steps = 0
    while steps < MAX_STEPS and (seconds := raw_step(workflow, forms)) is not None:
        timings.append(seconds)
        steps += 1
    return steps


def engine_step(
    engine: Engine,
    meter: Meter,
    case: int,
    forms: dict[str, Any],
    user_for: Callable[[str], str],
    into: Steps,
    leave_out: Collection[str] = (),
) -> bool:
    """Complete the case's first open task with its form's example data (found outside the measured call);
    False when the case has no open task."""
    with engine.db.read() as session:
        open_tasks = list_tasks(session, engine.tz, case_id=case)
    if not open_tasks:
        return False
    task = open_tasks[0]
    data = example_submission(forms[task["form"]], leave_out=leave_out) if task["form"] else {}
    user = user_for(task["role"])
    done = meter(lambda: engine.complete(task["id"], data, user=user), into)
    if {t["id"] for t in done["tasks"]} <= {t["id"] for t in open_tasks}:
        into.plain.append(into.statements[-1])
    return True


def engine_walk(
    engine: Engine,
    meter: Meter,
    key: str,
    forms: dict[str, Any],
    start: dict[str, Any],
    user_for: Callable[[str], str],
    starts: Steps,
    steps: Steps,
    leave_out: Collection[str] = (),
) -> int:
    """Start a case (measured into ``starts``) and complete its steps (into ``steps``); returns the step count."""
    case = meter(lambda: engine.start(key, start), starts)["case"]
    done = 0
    while done < MAX_STEPS and engine_step(engine, meter, case, forms, user_for, steps, leave_out):
        done += 1
    return done
