"""Every product preplan: `preplan check` is clean, and data generated from its forms' JSON Schemas alone keeps a
case moving to its end (gateways have defaults or full coverage; no hidden required keys).

Each preplan is walked once per value of its widest start-form choice (at least three times), so every scenario,
channel or situation a start form routes by is driven to an end; later forms take the choices in turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.util.task import TaskIterator

from engine.preplans import frontier
from engine.preplans.check import check_package
from engine.preplans.conventions import enum_values, schema_file
from engine.preplans.examples import example_submission
from engine.preplans.package import load_package
from tests.flow import assert_rows_restore_the_live_workflow
from tests.walk import MAX_ROUNDS, Walk

ROOT = Path(__file__).resolve().parents[2]
PREPLANS = sorted(p.parent for p in ROOT.glob("processes/*/preplan.toml"))
IDS = [p.name for p in PREPLANS]


def _walks(folder: Path) -> int:
    package = load_package(folder)
    start = json.loads(package.forms[schema_file(package.manifest["start_form"])])
    widths = [len(enum_values(p) or ()) for p in start.get("properties", {}).values() if isinstance(p, dict)]
    return max([3, *widths])


WALKS = [
    pytest.param(folder, choice, id=f"{folder.name}-{choice}")
    for folder in PREPLANS
    for choice in range(_walks(folder))
]


@pytest.mark.parametrize("folder", PREPLANS, ids=IDS)
def test_check_is_clean(folder):
    assert [str(p) for p in check_package(load_package(folder)).problems] == []


@pytest.fixture
def walks_checked(monkeypatch):
    """Every walk the engine's workflows make from their frontier finds what a walk from the root finds."""
    from_frontier, completed = frontier._get_tasks_iterator, frontier._is_completed

    def both(workflow, first_task=None, **kwargs):
        found = list(from_frontier(workflow, first_task, **kwargs))
        assert found == list(frontier._FROM_ROOT(workflow, first_task, **kwargs)), kwargs
        return iter(found)

    def checked(workflow):
        ended = next(TaskIterator(workflow.task_tree, state=TaskState.NOT_FINISHED_MASK), None) is None
        assert completed(workflow) == (workflow.completed or ended)
        return workflow.completed

    monkeypatch.setattr(frontier, "_get_tasks_iterator", both)
    monkeypatch.setattr(frontier, "_is_completed", checked)


@pytest.mark.parametrize(("folder", "choice"), WALKS)
def test_schema_generated_data_drives_a_case_to_its_end(sqlite_flow, walks_checked, folder, choice):
    flow = sqlite_flow
    flow.deploy(folder)
    flow.at("2026-11-23T10:00:00+08:00")
    walk = Walk(flow, folder, choice)
    case = walk.start()
    for round_number in range(MAX_ROUNDS):
        if not walk.step(case, round_number):
            break
        assert_rows_restore_the_live_workflow(flow.engine, case)
    assert flow.status(case) == "completed", f"not completed after {MAX_ROUNDS} rounds: {flow.open_steps(case)}"


DUTIES = [
    pytest.param(folder, kind, id=f"{folder.name}-{kind}")
    for folder in PREPLANS
    for kind in load_package(folder).manifest.get("duties", {})
]


@pytest.mark.parametrize(("folder", "kind"), DUTIES)
def test_each_duty_runs_to_its_end_and_files_its_report(sqlite_flow, walks_checked, folder, kind):
    """A duty's case starts once its first period has opened, opens its task for its lane's role, late or not, and
    ends with its report submitted."""
    flow = sqlite_flow
    flow.at("2026-09-28T10:00:00+08:00")
    flow.deploy(folder)
    package = load_package(folder)
    forms = {name: json.loads(data) for name, data in package.forms.items()}
    flow.at("2027-01-05T10:00:00+08:00")  # every kind of period has opened at least once since
    started = [r for r in flow.engine.run_duties() if r["kind"] == kind]
    assert started, kind
    report = flow.engine.duty_report(started[0]["id"])
    case = report["case"]
    for round_number in range(MAX_ROUNDS):
        if flow.status(case) != "running":
            break
        (task, *_) = flow.open_tasks(case)
        data = example_submission(forms[task["form"]], round_number) if task["form"] else {}
        flow.engine.complete(task["id"], data, user=flow.user_for(task["role"], task["unit"]))
        assert_rows_restore_the_live_workflow(flow.engine, case)
    assert flow.status(case) == "completed"
    assert flow.engine.duty_report(report["id"])["status"] == "submitted"
