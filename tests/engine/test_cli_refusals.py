"""Bad input at the CLI gets the documented JSON refusal and exit 1, never a traceback, and stores nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from engine.store.db import Database
from engine.store.models import Case
from tests.engine.conftest import as_json

INTAKE = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 1}


def refused(result, code: str) -> dict:
    status, out, err = result
    assert status == 1 and "Traceback" not in out + err, (out, err)
    answer = as_json(out)
    assert answer["error"] == code, answer
    return answer


def started(deployed) -> dict:
    return as_json(deployed("start", "mini_complaint", "--data", json.dumps(INTAKE), "--json")[1])


@pytest.mark.parametrize(
    "data, field",
    [
        ('{"customer": "\\ud800x", "summary": "s", "complainant_count": 1}', "customer"),
        ('{"customer": "a\\u0000b", "summary": "s", "complainant_count": 1}', "customer"),
        ('{"customer": "张三", "summary": "s", "complainant_count": 99999999999}', "complainant_count"),
        ('{"customer": "张三", "summary": "s", "complainant_count": NaN}', "complainant_count"),
        ('{"customer": "张三", "summary": "s", "complainant_count": 1, "\\udcff": 1}', "(form)"),
        (json.dumps({"customer": "x" * 10_000, "summary": "s", "complainant_count": 1}), "customer"),
    ],
)
def test_data_that_cannot_be_stored_is_refused_at_the_door(deployed, data, field):
    answer = refused(deployed("start", "mini_complaint", "--data", data, "--json"), "validation")
    assert field in answer["fields"]
    assert deployed("tasks", "--all", "--json")[1].strip() == "[]", "nothing was stored"


@pytest.mark.parametrize(
    "data, message",
    [
        ("@/nonexistent/intake.json", "cannot read the file"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 50 + "1" + "}" * 50, "nested more than"),
        ("x" * (2 * 1024 * 1024), "larger than"),
    ],
)
def test_unreadable_data_is_refused_with_the_reason(deployed, data, message):
    answer = refused(deployed("start", "mini_complaint", "--data", data, "--json"), "validation")
    assert message in answer["message"] + json.dumps(answer["fields"])


@pytest.mark.parametrize("task", ["99999999999999999999999", "-1", "0", "abc", "9223372036854775808"])
def test_a_task_id_that_cannot_exist_is_not_found(deployed, task):
    started(deployed)
    refused(deployed("complete", task, "--as", "li", "--data", "{}"), "not_found")
    refused(deployed("claim", task, "--as", "li"), "not_found")


def test_other_numbers_that_cannot_exist_are_refused(deployed):
    refused(deployed("retire", "mini_complaint", "--version", "99999999999999999999999"), "not_found")
    assert "Traceback" not in deployed("show", "99999999999999999999999")[2]
    status, _, err = deployed("calendar", "show", "0")
    assert status == 1 and "the calendar answers for" in err and "Traceback" not in err


def test_a_case_holding_text_stored_before_the_door_was_shut_still_prints(deployed, tmp_path):
    case = started(deployed)["case"]
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.write() as session:  # as an older version of preplan could have stored it
        session.execute(update(Case).where(Case.id == case).values(data={**INTAKE, "customer": "\ud800x"}))
    db.dispose()
    status, out, _ = deployed("show", str(case), "--json")
    assert status == 0 and as_json(out)["data"]["customer"] == "\ud800x"
