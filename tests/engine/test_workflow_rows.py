"""A case's workflow as one row per task: the migration that moves stored cases to rows (and back) on cases at every
step of several preplans, on both backends; a step writes only what it changed; a live workflow is used only at its
case's revision, and one another process wrote since is read again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import defer, undefer

from engine.cases import storage
from engine.cases.views import list_tasks
from engine.config import load_settings
from engine.preplans.conventions import schema_file
from engine.preplans.examples import example_submission
from engine.preplans.package import load_package
from engine.service import Engine
from engine.store import schema
from engine.store.db import Database
from engine.store.models import Case, WorkflowTask
from tests.flow import Flow, assert_rows_restore_the_live_workflow, workflow_documents

ROOT = Path(__file__).resolve().parents[2]
# a subprocess with boundary events, multi-instance steps, parallel branches with timers
PREPLANS = ["vanke_complaint", "complaint_drill_notice", "bank_branch_complaint"]
STEPS = 6


def _forms(key: str) -> tuple[dict, set[str]]:
    package = load_package(ROOT / "processes" / key)
    return {name: json.loads(data) for name, data in package.forms.items()}, set(package.manifest.get("counts", {}))


def _step(flow: Flow, case: int, forms: dict, counted: set[str], choice: int, engine: Engine | None = None) -> bool:
    """Complete the first open step of a case (through ``engine``, default the flow's); False when none is open."""
    engine = engine or flow.engine
    with engine.db.read() as session:
        open_tasks = list_tasks(session, engine.tz, case_id=case)
    if not open_tasks:
        return False
    task = open_tasks[0]
    data = example_submission(forms[task["form"]], choice, leave_out=counted) if task["form"] else {}
    engine.complete(task["id"], data, user=flow.user_for(task["role"], task["unit"]))
    return True


def _cases_at_every_step(flow: Flow) -> list[int]:
    """For each preplan, one case stopped after 0, 1, … STEPS completed steps."""
    cases = []
    for key in PREPLANS:
        flow.deploy(f"processes/{key}")
        forms, counted = _forms(key)
        package = load_package(ROOT / "processes" / key)
        for steps in range(STEPS + 1):
            start = example_submission(forms[schema_file(package.manifest["start_form"])], steps, leave_out=counted)
            case = flow.start(key, start)
            for choice in range(steps):
                if not _step(flow, case, forms, counted, choice):
                    break
            cases.append(case)
    return cases


def _restored(engine: Engine, case_id: int) -> tuple[dict, dict]:
    with engine.db.read() as session:
        # preplan_case.duty (0017) is not there while the schema is at 0007
        case = session.get_one(Case, case_id, options=[undefer(Case.state), defer(Case.duty)])
        parsed = engine.versions.spec(session, case.version_id)
        workflow, _ = storage.load(session, case, parsed, lambda: engine.versions.stored_spec(session, case.version_id))
    return workflow_documents(workflow)


@pytest.mark.parametrize("backend", ["sqlite_url", pytest.param("postgres_clean_url", marks=pytest.mark.postgres)])
def test_the_migration_moves_every_stored_case_to_rows_and_back(request, backend):
    url = request.getfixturevalue(backend)
    engine = Engine(Database(url), load_settings(url))
    config = schema.alembic_config(url)
    try:
        flow = Flow(engine)
        flow.at("2026-11-23T10:00:00+08:00")
        cases = _cases_at_every_step(flow)
        before = {case: _restored(engine, case) for case in cases}

        with engine.db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        with engine.db.engine.connect() as connection:
            assert "workflow_task" not in inspect(connection).get_table_names()
        with engine.db.read() as session:
            states = session.scalars(select(Case.state)).all()
        assert all("tasks" in state for state in states), "each case's tasks are back in its document"
        assert {case: _restored(engine, case) for case in cases} == before

        with engine.db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.db.read() as session:
            assert session.scalar(select(func.count()).select_from(WorkflowTask)) > 0
            assert not any("tasks" in (state or {}) for state in session.scalars(select(Case.state)))
        fresh = Engine(Database(url), load_settings(url))  # nothing alive: every case is read from its rows
        try:
            assert {case: _restored(fresh, case) for case in cases} == before
            for case in cases:  # and each runs on to its end from there
                key = flow.show(case)["preplan"]
                forms, counted = _forms(key)
                for choice in range(60):
                    if flow.status(case) != "running" or not _step(flow, case, forms, counted, choice, fresh):
                        break
                assert flow.status(case) in ("running", "completed")
                assert flow.events(case, "task_completed")
        finally:
            fresh.db.dispose()
    finally:
        engine.db.dispose()


def _vanke_case(flow: Flow) -> tuple[int, dict, set[str]]:
    """A Vanke case started from its form's example data, with the preplan's forms and counted fields."""
    flow.at("2026-11-23T10:00:00+08:00")
    flow.deploy("processes/vanke_complaint")
    forms, counted = _forms("vanke_complaint")
    package = load_package(ROOT / "processes" / "vanke_complaint")
    start = example_submission(forms[schema_file(package.manifest["start_form"])], leave_out=counted)
    return flow.start("vanke_complaint", start), forms, counted


def test_a_state_stored_whole_is_read_and_its_next_step_writes_rows(sqlite_engine):
    """A case whose document still holds its tasks (written before rows) runs on, and its next save splits it."""
    flow = Flow(sqlite_engine)
    case, forms, counted = _vanke_case(flow)
    _step(flow, case, forms, counted, 0)
    expected = _restored(sqlite_engine, case)
    tasks, _ = expected
    with sqlite_engine.db.write() as session:  # the document as it was stored before rows
        row = session.get_one(Case, case, options=[undefer(Case.state)])
        row.state = {**row.state, "tasks": tasks}
        session.query(WorkflowTask).filter(WorkflowTask.case_id == case).delete()
    fresh = Engine(sqlite_engine.db, sqlite_engine.settings)
    assert _restored(fresh, case) == expected
    assert _step(Flow(fresh), case, forms, counted, 1)
    with sqlite_engine.db.read() as session:
        assert "tasks" not in session.get_one(Case, case, options=[undefer(Case.state)]).state
        assert session.scalar(select(func.count()).where(WorkflowTask.case_id == case)) > 0


def test_a_step_rewrites_what_it_changed_not_the_history(sqlite_engine):
    """A loop that has run many rounds writes about as many rows per step as it did in its first rounds."""
    flow = Flow(sqlite_engine)
    flow.at("2026-11-23T10:00:00+08:00")
    flow.deploy(ROOT / "bench" / "loop")
    package = load_package(ROOT / "bench" / "loop")
    forms = {name: json.loads(data) for name, data in package.forms.items()}
    case = flow.start(package.key, {"rounds": 1000})
    written: list[int] = []
    original = storage.save

    def counting(session, case_row, workflow, stored):
        marks = dict(stored.marks)
        result = original(session, case_row, workflow, stored)
        written.append(sum(1 for key, mark in stored.marks.items() if marks.get(key) is not mark))
        return result

    storage.save = counting
    try:
        for round_number in range(60):
            assert _step(flow, case, forms, set(), round_number)
    finally:
        storage.save = original
    with sqlite_engine.db.read() as session:
        rows = session.scalar(select(func.count()).where(WorkflowTask.case_id == case))
    assert rows > 150, "the case's history is long"
    assert max(written[-10:]) <= max(written[:10]) + 2, written


def test_a_live_workflow_is_used_only_at_its_revision(sqlite_url):
    """Two processes on one database: each step one of them takes reads what the other wrote."""
    first, second = (Engine(Database(sqlite_url), load_settings(sqlite_url)) for _ in range(2))
    try:
        flow = Flow(first)
        case, forms, counted = _vanke_case(flow)
        for choice in range(6):
            assert _step(flow, case, forms, counted, choice, engine=(first, second)[choice % 2])
        assert (first.live.hits, first.live.misses, second.live.misses) == (1, 2, 3), "stale copies were read again"
        assert_rows_restore_the_live_workflow(second, case)
        assert len(flow.events(case, "task_completed")) == 6
    finally:
        first.db.dispose()
        second.db.dispose()


def test_live_workflows_are_bounded_by_count_and_size():
    """The least recently kept go first, when there are too many or they hold too much; one too large is not kept."""
    from engine.cases.live import Live, LiveCases
    from engine.cases.storage import Stored

    def entry(revision: int, size: int) -> Live:
        return Live(revision, object(), Stored(size=size), {})  # type: ignore[arg-type]

    live = LiveCases(max_cases=2, max_bytes=100)
    live.keep(1, entry(1, 10))
    live.keep(2, entry(1, 10))
    live.keep(3, entry(1, 10))  # a third case: the first goes
    assert live.take(1, 1) is None and len(live) == 2
    live.keep(4, entry(1, 85))  # too much stored (105): the oldest goes until it fits (95)
    assert live.take(2, 1) is None and len(live) == 2
    assert live.take(3, 1) is not None and len(live) == 1, "taken out, for the operation that uses it"
    live.keep(5, entry(1, 101))  # larger than the whole budget: never kept
    assert live.take(5, 1) is None
    assert live.take(4, 2) is None, "another revision is not this entry"
    assert live.take(4, 1) is None, "and a take removes it"
