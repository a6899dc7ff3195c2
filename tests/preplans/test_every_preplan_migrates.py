"""Every product preplan: a case paused at each step of its walk moves safely onto v2 (the same files with one
deadline longer) and then onto v3 (v2 with only its README changed: the diagram moved onto itself), its stored
rows restore the workflow it runs, and it finishes its walk on the new version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.preplans.package import load_package
from tests.flow import Flow, assert_rows_restore_the_live_workflow
from tests.preplans.test_every_preplan import IDS, PREPLANS
from tests.versions import next_version
from tests.walk import Walk

START = "2026-11-23T10:00:00+08:00"
#: A timer's text with an amount: ``"PT4H"``, ``working_days(3, received_at)``, ``after("PT24H", received_at)``.
_TIMER = re.compile(r"(<bpmn:time(?:Duration|Date)[^>]*>)([^<]*?)(\d+)([^<]*</bpmn:time)", re.S)


def one_deadline_longer(text: str) -> str:
    """The first deadline written with an amount, one unit longer (a diagram whose timers all read a date field
    of the case changes nothing: its v2 differs by its README only)."""
    return _TIMER.sub(lambda m: f"{m[1]}{m[2]}{int(m[3]) + 1}{m[4]}", text, count=1)


def _version(flow: Flow, folder: Path, into: Path, longer: bool) -> int:
    diagram = next(folder.glob("*.bpmn")).read_text(encoding="utf-8")
    edit = one_deadline_longer if longer and _TIMER.search(diagram) else None
    return int(flow.deploy(next_version(folder, into, edit))["version"])


@pytest.mark.parametrize("folder", PREPLANS, ids=IDS)
def test_a_case_paused_at_each_step_moves_onto_a_longer_deadline_and_onto_itself(sqlite_flow, tmp_path, folder):
    flow = sqlite_flow
    admin = flow.user("boss", "admin")
    key = load_package(folder).key
    flow.deploy(folder)
    flow.at(START)
    walk = Walk(flow, folder, 0)
    rounds = walk.to_end(walk.start())
    v2 = _version(flow, folder, tmp_path / "v2", longer=True)
    v3 = _version(flow, tmp_path / "v2" / "processes" / folder.name, tmp_path / "v3", longer=False)
    assert (v2, v3) == (2, 3)

    def newer(status: str) -> None:  # new cases start on v1 while the newer versions are retired
        for number in (v2, v3):
            flow.engine.set_version_status(key, number, status)

    newer("retired")
    for paused in range(rounds):
        flow.at(START)
        case = walk.start()
        for round_number in range(paused):
            assert walk.step(case, round_number), f"the walk ended before round {paused}"
        newer("active")
        for target in (v2, v3):
            (moved,) = flow.engine.migrate_cases(key, target, cases=[case], note="修订期限", user=admin)["cases"]
            assert (moved["status"], moved["reason"]) == ("migrated", None), (paused, flow.open_steps(case))
            assert all(d["after"] > d["before"] for d in moved["deadlines"]), moved["deadlines"]  # one unit longer
            assert_rows_restore_the_live_workflow(flow.engine, case)
        newer("retired")
        walk.to_end(case, paused)
        assert flow.status(case) == "completed", (paused, flow.open_steps(case))
