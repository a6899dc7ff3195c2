"""The ``preplan`` CLI is a public interface: command names, exit codes and JSON fields are asserted here."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from engine.cli import main
from tests.conftest import FIXTURES
from tests.engine.conftest import NOW, as_json

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
TASK_FIELDS = {
    "id",
    "case",
    "preplan",
    "name",
    "bpmn_id",
    "role",
    "assignee",
    "status",
    "created_at",
    "due_at",
    "overdue",
    "form",
}


def test_check_reports_findings_and_exit_code(run, tmp_path):
    assert run("check", str(FIXTURES / "processes" / "mini_complaint"))[:2] == (0, "ok: 1 preplan(s)\n")
    broken = tmp_path / "processes" / "mini_complaint"
    shutil.copytree(FIXTURES / "processes" / "mini_complaint", broken)
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    bpmn = broken / "mini_complaint.bpmn"
    bpmn.write_text(bpmn.read_text().replace("working_hours(4)", "PT4H"))
    code, out, _ = run("check", str(broken))
    assert code == 1 and re.search(r"mini_complaint\.bpmn:\d+: Timer_Approve: timer 'PT4H' must be", out)
    code, out, _ = run("check", "--json", str(broken))
    problem = as_json(out)["problems"][0]
    assert code == 1 and problem["element"] == "Timer_Approve" and problem["line"] > 0
    code, out, _ = run("deploy", str(broken))
    assert code == 1 and as_json(out)["error"] == "invalid_preplan"
    assert as_json(run("preplans", "--json")[1]) == []


def test_deploy_again_is_unchanged_and_preplans_lists_the_start_form(deployed):
    code, out, _ = deployed("deploy", str(FIXTURES / "processes" / "mini_complaint"))
    assert as_json(out) == {"preplan": "mini_complaint", "version": 1, "changed": False}
    plans = as_json(deployed("preplans", "--json")[1])
    assert [set(p) for p in plans] == [{"key", "title", "version", "start_form"}]
    assert plans[0]["title"] == {"zh": "测试投诉流程", "en": "Test complaint flow"}
    assert plans[0]["start_form"]["required"] == ["customer", "summary", "complainant_count"]


def test_users(deployed):
    assert as_json(deployed("users", "list", "--json")[1]) == [
        {
            "name": "li",
            "roles": ["leader"],
            "memberships": [{"role": "leader", "unit": "root"}],  # roles are held in a unit: the root until units
            "owns": [],  # the preplans they are the process owner of ("*": all)
            "email": "li@example.cn",
            "active": True,
            "created_at": NOW,
        }
    ]
    code, _, err = deployed("users", "add", "x", "--role", "nope")
    assert code == 1 and "unknown role(s): nope" in err


def test_process_owners_of_one_preplan_or_of_all(deployed):
    code, out, _ = deployed("users", "grant", "li", "process_owner", "--preplan", "mini_complaint")
    assert code == 0 and {"role": "process_owner", "preplan": "mini_complaint"} in as_json(out)["memberships"]
    code, out, _ = deployed("users", "grant", "li", "--role", "process_owner")
    assert code == 0 and {"role": "process_owner", "preplan": "*"} in as_json(out)["memberships"]
    assert as_json(deployed("users", "list", "--json")[1])[0]["owns"] == ["*", "mini_complaint"]
    code, out, _ = deployed("users", "revoke", "li", "process_owner", "--preplan", "mini_complaint")
    assert code == 0 and {"role": "process_owner", "preplan": "mini_complaint"} not in as_json(out)["memberships"]
    code, out, err = deployed("users", "grant", "li", "process_owner", "--preplan", "nope")
    assert code != 0 and "no deployed preplan 'nope'" in out + err
    code, out, err = deployed("users", "grant", "li", "leader", "--preplan", "mini_complaint")
    assert code != 0 and "only with the role process_owner" in out + err
    code, out, err = deployed("users", "grant", "li", "leader", "--role", "leader", "--unit", "root")
    assert code != 0 and "grant NAME ROLE" in out + err


def test_a_case_through_the_cli(deployed):
    code, out, _ = deployed(
        "start",
        "mini_complaint",
        "--json",
        "--data",
        '{"customer": "张三", "summary": "漏水", "complainant_count": 12}',
    )
    started = as_json(out)
    assert code == 0 and set(started) == {"case", "business_key", "unit", "version", "status", "tasks"}
    assert started["business_key"] == "TS-20261123-0001" and started["status"] == "running"
    task = started["tasks"][0]
    assert set(task) >= TASK_FIELDS
    assert task["created_at"] == NOW and task["due_at"] == "2026-11-23T14:00:00+08:00"

    tasks = as_json(deployed("tasks", "--user", "li", "--json")[1])
    assert [t["name"] for t in tasks] == ["领导审批"]

    code, out, _ = deployed("complete", str(task["id"]), "--as", "li", "--data", '{"approved": "yes"}')
    assert code == 1 and as_json(out) == {
        "error": "validation",
        "message": "the form of task 1 (领导审批) has errors",
        "fields": {"approved": "must be of type boolean"},
    }
    assert deployed("claim", str(task["id"]), "--as", "li")[1].strip() == '{"task": 1, "assignee": "li"}'

    # 13:00 is 75 % of the way from 10:00 to the 14:00 deadline: the assignee gets a reminder.
    assert as_json(deployed("timers", "run", now="2026-11-23T13:00:00+08:00")[1]) == {"fired": 0, "notices": 1}
    reminders = [n for n in as_json(deployed("notifications", "--json")[1]) if n["kind"] == "reminder"]
    assert [(n["to"], n["channel"], n["task"]) for n in reminders] == [("li", "inbox", task["id"])]
    assert {"id", "to", "kind", "case", "task", "subject", "created_at", "sent_at"} <= set(reminders[0])
    code, out, _ = deployed(
        "complete", str(task["id"]), "--as", "li", "--data", '{"approved": true}', now="2026-11-23T13:00:00+08:00"
    )
    assert code == 0 and as_json(out)["tasks"][0]["bpmn_id"] == "Task_Handle"
    code, out, _ = deployed("complete", str(task["id"]), "--as", "li", "--data", '{"approved": true}')
    assert code == 1 and as_json(out)["error"] == "conflict"

    view = as_json(deployed("show", "TS-20261123-0001", "--json")[1])
    assert {"case", "business_key", "preplan", "version", "status", "data", "tasks", "timers", "events"} <= set(view)
    assert view["data"]["level"] == "major" and view["timers"][0].keys() == {"id", "bpmn_id", "due_at", "provisional"}
    assert [e["kind"] for e in view["events"]] == ["started", "claimed", "task_completed"]
    for event in view["events"]:
        assert set(event) == {"at", "actor", "kind", "details"} and ISO_WITH_OFFSET.match(event["at"])


def test_terminate_and_human_output(deployed):
    deployed("start", "mini_complaint", "--data", '{"customer": "张三", "summary": "漏水", "complainant_count": 1}')
    code, out, _ = deployed("terminate", "1", "--reason", "客户撤诉")
    assert code == 0 and as_json(out)["status"] == "terminated"
    code, out, _ = deployed("show", "1")
    assert "TS-20261123-0001" in out and "[terminated]" in out and "客户撤诉" in out


def test_decide_and_calendar(deployed):
    code, out, _ = deployed(
        "decide", "mini_complaint/level", "--data", '{"complainant_count": 3, "media_exposed": true}'
    )
    assert code == 0 and as_json(out) == {"level": "major"}
    code, out, _ = deployed("decide", "mini_complaint/nope", "--data", "{}")
    assert code == 1 and "no decision 'nope'" in as_json(out)["message"]
    assert (
        deployed("calendar", "due", "--from", "2026-09-30T15:00:00+08:00", "--working-days", "3")[1]
        == "2026-10-10T15:00:00+08:00\n"
    )
    assert (
        deployed("calendar", "due", "--from", "2026-11-27T18:30:00+08:00", "--next-opening")[1]
        == "2026-11-30T09:00:00+08:00\n"
    )
    code, out, err = deployed("calendar", "due", "--from", "2026-12-28T10:00:00+08:00", "--working-days", "5")
    assert code == 0 and out == "2027-01-05T10:00:00+08:00\n" and err.startswith("provisional:")
    code, out, _ = deployed("calendar", "due", "--from", "2026-12-28T10:00:00+08:00", "--working-days", "5", "--json")
    assert as_json(out) == {"due": "2027-01-05T10:00:00+08:00", "provisional": True}


def test_the_console_script_is_installed(tmp_path):
    preplan = Path(sys.executable).parent / "preplan"
    result = subprocess.run(
        [str(preplan), "--database-url", f"sqlite:///{tmp_path / 'x.db'}", "db", "init"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "database ready" in result.stdout
    result = subprocess.run([str(preplan), "--help"], capture_output=True, text=True, timeout=60)
    for command in (
        "check",
        "deploy",
        "preplans",
        "users",
        "start",
        "tasks",
        "claim",
        "unclaim",
        "complete",
        "show",
        "timers",
        "worker",
        "serve",
        "decide",
        "calendar",
    ):
        assert f"    {command} " in result.stdout, command


def test_a_database_never_initialised_is_named_not_a_traceback(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["--database-url", url, "tasks"]) == 1
    assert "run `preplan db init` first" in capsys.readouterr().err
    assert main(["--database-url", url, "decide", "mini_complaint/level", "--data", "{}"]) == 1
    assert as_json(capsys.readouterr().out)["error"] == "no_schema"


def test_demo_users_one_per_role_plus_admin_and_staff(deployed):
    code, out, _ = deployed("users", "demo")
    assert code == 0
    lines = out.splitlines()
    assert lines[2] == "本单位"  # users are printed under their unit, the root first
    assert lines[4].split() == ["admin", "demo1234", "admin,supervisor"]
    assert lines[5].split()[:2] == ["staff", "demo1234"] and "every role (" in lines[5]
    assert any(line.split()[:2] == ["leader", "demo1234"] for line in lines)
    assert ["owner", "demo1234", "process_owner"] in [line.split() for line in lines]  # edits every preplan's draft
    listed = {u["name"]: u for u in as_json(deployed("users", "list", "--json")[1])}
    assert listed["owner"]["owns"] == ["*"]
    assert "(unchanged)" in deployed("users", "demo")[1]  # running it again changes nobody's password
