"""The ``preplan report`` contract other tools rely on: its JSON keys and figures, and its refusals."""

from __future__ import annotations

import json

from tests.engine.conftest import GENERAL, MAJOR, as_json

CONTRACT = {"preplan", "from", "to", "opened", "closed", "closure_rate", "on_time_rate", "median_hours"}
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")


def test_report_json(deployed):
    run = deployed
    assert run("start", "mini_complaint", "--data", json.dumps(MAJOR), "--json")[0] == 0
    assert run("start", "mini_complaint", "--data", json.dumps(GENERAL), "--json")[0] == 0
    [approve] = [t for t in as_json(run("tasks", "--json")[1]) if t["bpmn_id"] == "Task_Approve"]
    assert (
        run(
            "complete",
            str(approve["id"]),
            "--as",
            "li",
            "--data",
            '{"approved": true}',
            now="2026-11-23T11:00:00+08:00",
        )[0]
        == 0
    )
    code, out, _ = run("report", "mini_complaint", *NOVEMBER, "--json", now="2026-11-23T12:00:00+08:00")
    report = as_json(out)
    assert code == 0 and CONTRACT | {"by_severity", "by_step"} <= set(report)
    assert {k: report[k] for k in CONTRACT} == {
        "preplan": "mini_complaint",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "opened": 2,
        "closed": 0,
        "closure_rate": 0.0,
        "on_time_rate": 1.0,
        "median_hours": None,
    }
    assert sorted(report["by_severity"]) == ["general", "major"]
    assert report["by_step"] == [
        {"bpmn_id": "Task_Approve", "name": "领导审批", "role": "leader", "on_time": 1, "late": 0, "on_time_rate": 1.0}
    ]
    code, out, _ = run("report", "mini_complaint", *NOVEMBER, "--drills", "--json")
    assert code == 0 and (as_json(out)["opened"], as_json(out)["drills"]) == (0, True)
    code, out, _ = run("report", "mini_complaint", *NOVEMBER)
    assert code == 0 and out.splitlines()[0] == "mini_complaint 2026-11-01 – 2026-11-30"


def test_report_refusals(deployed, capsys):
    run = deployed
    code, out, _ = run("report", "nothing_such", *NOVEMBER, "--json")
    assert code == 1 and as_json(out)["error"] == "not_found"
    code, out, _ = run("report", "mini_complaint", *NOVEMBER, "--unit", "nowhere", "--json")
    assert code == 1 and as_json(out)["error"] == "not_found"
    code, out, _ = run("report", "mini_complaint", "--from", "2026-11-30", "--to", "2026-11-01", "--json")
    assert code == 1 and as_json(out)["error"] == "validation"
    code, out, _ = run("report", "mini_complaint", *NOVEMBER, "--as", "li", "--json")
    assert code == 1 and as_json(out)["error"] == "forbidden"
    try:
        run("report", "mini_complaint", "--from", "2026-13-01", "--to", "2026-11-30", "--json")
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("argparse refuses a day that is not a date")
