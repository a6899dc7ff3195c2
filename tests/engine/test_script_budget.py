"""Diagram code runs under a budget: a looping script refuses its step or stops its case with a clear cause,
nothing half-written, and the worker goes on with other cases. Time is moved by replacing the budget's clock."""

from __future__ import annotations

import dataclasses
import itertools
import shutil

import pytest

from engine.errors import DiagramError
from engine.scripting import sandbox as scripting
from engine.scripting.sandbox import Budget, RestrictedEnvironment, ScriptRejected, ScriptTooLong, check_code
from engine.service import Engine
from tests.conftest import FIXTURES
from tests.engine.conftest import GENERAL, MINI

LOOP = "n = 0\nwhile n >= 0:\n    n += 1"  # check cannot prove this endless; only the budget stops it
HEAVY = "n = 0\nwhile 200000 > n:\n    n += 1"  # ends, but needs more than the default budget


def sandbox(**budget) -> RestrictedEnvironment:
    return RestrictedEnvironment({}, Budget(**budget))


@pytest.mark.parametrize(
    "source",
    [
        "while True: pass",
        LOOP,
        "while True:\n    try:\n        x = 1\n    except Exception:\n        pass",
        "x = [i for i in range(10**6)]",
    ],
)
def test_code_that_runs_too_long_is_stopped(source):
    with pytest.raises(ScriptTooLong, match="budget"):
        sandbox(steps=50_000).execute(source, {})


@pytest.mark.parametrize(
    "source, what",
    [
        ("x = 2 ** 10 ** 8", "bits"),
        ("x = 1 << 10 ** 9", "bits"),
        ("x = 'a' * 10 ** 9", "items"),
        ("x = [0]\nx *= 10 ** 8", "items"),
        ("x = list(range(10 ** 9))", "range"),
        ("x = 'a'.ljust(10 ** 9)", "text"),
    ],
)
def test_results_too_large_to_compute_are_refused_before_they_start(source, what):
    with pytest.raises(ScriptTooLong, match=what):
        sandbox().execute(source, {})


def test_code_cannot_catch_the_stop_or_run_on_after_it():
    for source, message in [
        ("try:\n    x = 1\nexcept:\n    x = 2", "only catch named errors"),
        ("try:\n    x = 1\nexcept BaseException:\n    x = 2", "only catch named errors"),
        ("try:\n    x = 1\nfinally:\n    x = 2", "'finally' is not allowed"),
    ]:
        with pytest.raises(ScriptRejected, match=message):
            sandbox().execute(source, {})


def test_time_counts_too(monkeypatch):
    ticks = itertools.count(0, 1.0)  # each look at the clock is one second later
    monkeypatch.setattr(scripting, "monotonic", lambda: next(ticks))
    with pytest.raises(ScriptTooLong, match="3 s"):
        sandbox(steps=10**9, seconds=3).execute(LOOP, {})


def test_ordinary_code_is_untouched():
    data = {"count": 12}
    sandbox().execute(
        "total = 0\nfor i in range(count):\n    total += i * 2\nlevel = 'major' if total > 10 else 'x'", data
    )
    assert data == {"count": 12, "total": 132, "level": "major", "i": 11}


def test_check_finds_a_loop_that_can_never_end():
    assert "never ends" in check_code("while True:\n    x = 1", "exec")[0]
    assert check_code("while True:\n    x = 1\n    break", "exec") == []


def with_scripts(flow, tmp_path, script: str):
    """The fixture preplan with ``script`` after 处理投诉 and in its hourly reminder."""
    shutil.copytree(MINI, tmp_path / "processes" / "mini_complaint")
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    bpmn = tmp_path / "processes" / "mini_complaint" / "mini_complaint.bpmn"
    text = bpmn.read_text().replace("last_reminder = now()", script)
    text = text.replace(
        'value="handle.schema.json" /></spiffworkflow:properties>',
        'value="handle.schema.json" /></spiffworkflow:properties>'
        f"<spiffworkflow:postScript>{script}</spiffworkflow:postScript>",
    )
    bpmn.write_text(text)
    flow.deploy(bpmn.parent)
    return flow


@pytest.fixture
def looping(mini, tmp_path):
    return with_scripts(mini, tmp_path, LOOP)


def test_completing_a_step_whose_script_loops_is_refused_and_changes_nothing(looping):
    case = looping.start("mini_complaint", GENERAL)
    before = looping.show(case)
    with pytest.raises(DiagramError, match="处理投诉.*budget"):
        looping.complete(case, "Task_Handle", {"result": "已处理"})
    assert looping.show(case) == before


def test_a_timer_whose_script_loops_stops_its_case_and_the_worker_goes_on(looping):
    stuck = looping.start("mini_complaint", GENERAL)
    healthy = looping.start("mini_complaint", {**GENERAL, "complainant_count": 12})  # major: a 4-hour deadline
    assert looping.advance(hours=4, minutes=1) == 1  # the approval deadline fired; the looping reminder did not
    assert looping.status(stuck) == "error" and "budget" in looping.events(stuck, "error")[0]["details"]["message"]
    assert looping.status(healthy) == "running" and "Task_Escalate" in looping.open_steps(healthy)


def test_a_case_stopped_by_its_budget_runs_again_once_the_budget_is_raised(mini, tmp_path):
    flow = with_scripts(mini, tmp_path, HEAVY)
    case = flow.start("mini_complaint", GENERAL)
    flow.advance(hours=1, minutes=1)
    assert flow.status(case) == "error" and flow.timers(case) == []
    with pytest.raises(DiagramError, match="budget"):
        flow.engine.resume(str(case))  # still too small a budget: stays in error, nothing changes
    assert flow.status(case) == "error"
    raised = Engine(  # PREPLAN_SCRIPT_STEPS raised by the administrator (and its time, so a busy machine never decides)
        flow.engine.db, dataclasses.replace(flow.engine.settings, script_steps=5_000_000, script_seconds=600.0)
    )
    raised.resume(str(case))
    assert flow.status(case) == "running" and flow.fired(case) == ["Timer_Remind"]
    assert flow.open_steps(case) == ["Task_Handle"] and flow.timers(case) == ["Timer_Remind"]
    assert [e["actor"] for e in flow.events(case, "resumed")] == ["system"]
