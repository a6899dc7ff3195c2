"""Case operations through the engine, on SQLite and PostgreSQL: what users see and what they are refused."""

import shutil

import pytest
from sqlalchemy import select

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.preplans.history import compare, set_status
from engine.store.models import Case
from tests.conftest import FIXTURES
from tests.engine.conftest import GENERAL, MAJOR, MINI


def revision(flow, case):
    with flow.engine.db.read() as session:
        return session.scalar(select(Case.revision).where(Case.id == case))


def test_start_decides_the_severity_and_opens_the_first_step(mini):
    case = mini.start("mini_complaint", MAJOR)
    view = mini.show(case)
    assert view["business_key"] == "TS-20261123-0001"
    assert view["title"] == "张三: 楼上漏水"
    assert view["severity"] == "major" and view["data"]["level"] == "major"
    assert mini.open_steps(case) == ["Task_Approve"]
    assert mini.task(case, "Task_Approve")["due_at"] == "2026-11-23T14:00:00+08:00"
    assert mini.timers(case) == ["Timer_Approve"]
    second = mini.start("mini_complaint", GENERAL)
    assert mini.show(second)["business_key"] == "TS-20261123-0002"
    assert mini.open_steps(second) == ["Task_Handle"]


def test_a_case_runs_to_completion_with_a_full_audit_trail(mini):
    case = mini.start("mini_complaint", MAJOR)
    leader = mini.user("li", "leader")
    task = mini.task(case, "Task_Approve")
    mini.engine.claim(task["id"], user=leader)
    mini.complete(case, "Task_Approve", {"approved": True}, user=leader)
    mini.complete(case, "Task_Handle", {"result": "已修复"})
    assert mini.status(case) == "completed"
    assert mini.open_steps(case) == [] and mini.timers(case) == []
    kinds = [e["kind"] for e in mini.events(case)]
    assert kinds == ["started", "claimed", "task_completed", "task_completed", "completed"]
    completed = mini.events(case, "task_completed")[0]
    assert completed["actor"] == "li" and completed["details"]["data"] == {"approved": True}


def test_form_errors_are_reported_per_field_and_change_nothing(mini):
    case = mini.start("mini_complaint", MAJOR)
    before = revision(mini, case)
    with pytest.raises(ValidationFailed) as refused:
        mini.complete(case, "Task_Approve", {"approved": "yes", "comment": 3, "severity": "general"})
    assert refused.value.fields == {
        "approved": "must be of type boolean",
        "comment": "must be of type string",
        "severity": "is not a field of this form",
    }
    with pytest.raises(ValidationFailed) as missing:
        mini.complete(case, "Task_Approve", {})
    assert missing.value.fields == {"approved": "is required"}
    assert revision(mini, case) == before and mini.open_steps(case) == ["Task_Approve"]


def test_start_form_is_validated(mini):
    with pytest.raises(ValidationFailed) as refused:
        mini.start("mini_complaint", {"customer": "", "complainant_count": 0, "received_at": "2026-11-23T10:00"})
    assert refused.value.fields == {
        "customer": "must not be empty",
        "summary": "is required",
        "complainant_count": "must be ≥ 1",
        "received_at": "must be a valid date-time with a UTC offset",
    }


def test_only_the_lane_role_may_claim_or_complete(mini):
    case = mini.start("mini_complaint", MAJOR)
    task = mini.task(case, "Task_Approve")
    clerk = mini.user("wang", "clerk")
    with pytest.raises(Forbidden, match="role 'leader'"):
        mini.engine.complete(task["id"], {"approved": True}, user=clerk)
    with pytest.raises(Forbidden):
        mini.engine.claim(task["id"], user=clerk)
    with pytest.raises(NotFound):
        mini.engine.complete(task["id"], {"approved": True}, user="nobody")


def test_a_claimed_task_belongs_to_its_assignee(mini):
    case = mini.start("mini_complaint", MAJOR)
    task = mini.task(case, "Task_Approve")
    li, zhao = mini.user("li", "leader"), mini.user("zhao", "leader")
    mini.engine.claim(task["id"], user=li)
    assert mini.task(case, "Task_Approve")["assignee"] == "li"
    with pytest.raises(Conflict, match="already claimed by li"):
        mini.engine.claim(task["id"], user=zhao)
    with pytest.raises(Conflict, match="claimed by li"):
        mini.engine.complete(task["id"], {"approved": True}, user=zhao)
    with pytest.raises(Forbidden):
        mini.engine.unclaim(task["id"], user=zhao)
    mini.engine.unclaim(task["id"], user=li)
    mini.engine.complete(task["id"], {"approved": False}, user=zhao)
    assert [e["kind"] for e in mini.events(case)][:3] == ["started", "claimed", "unclaimed"]


def test_double_completion_is_refused_and_changes_nothing(mini):
    case = mini.start("mini_complaint", MAJOR)
    task = mini.task(case, "Task_Approve")
    leader = mini.user_for("leader")
    mini.engine.complete(task["id"], {"approved": True}, user=leader)
    before, events = revision(mini, case), len(mini.events(case))
    with pytest.raises(Conflict, match="already completed by leader_user"):
        mini.engine.complete(task["id"], {"approved": False}, user=leader)
    assert revision(mini, case) == before and len(mini.events(case)) == events


def test_a_completion_after_the_deadline_fired_is_refused_and_the_escalation_stands(mini):
    case = mini.start("mini_complaint", MAJOR)
    task = mini.task(case, "Task_Approve")
    mini.at("2026-11-23T14:30:00+08:00")  # past the 4 working hours; no worker has run yet
    with pytest.raises(Conflict, match="closed before this completion.*4 工作小时未审批 fired"):
        mini.engine.complete(task["id"], {"approved": True}, user=mini.user_for("leader"))
    assert mini.open_steps(case) == ["Task_Escalate"]
    assert mini.fired(case) == ["Timer_Approve"]
    assert mini.events(case, "task_completed") == []


def test_non_interrupting_cycle_reminds_once_after_downtime(mini):
    case = mini.start("mini_complaint", GENERAL)
    assert mini.advance(minutes=61) == 1
    assert mini.advance(hours=5) == 1  # five missed hourly slots: one reminder, not five
    assert mini.fired(case) == ["Timer_Remind", "Timer_Remind"]
    assert mini.open_steps(case) == ["Task_Handle"]
    assert mini.show(case)["timers"][0]["due_at"] == "2026-11-23T17:00:00+08:00"  # the hourly grid holds
    mini.complete(case, "Task_Handle", {"result": "已处理"})
    assert mini.status(case) == "completed" and mini.timers(case) == []


def test_terminate_ends_the_case_with_its_reason(mini):
    case = mini.start("mini_complaint", MAJOR)
    with pytest.raises(Forbidden):
        mini.engine.terminate(str(case), "重复投诉", user=mini.user_for("clerk"))
    with pytest.raises(ValidationFailed):
        mini.engine.terminate(str(case), " ")
    supervisor = mini.user("boss", "supervisor")
    mini.engine.terminate(mini.show(case)["business_key"], "重复投诉，已合并", user=supervisor)
    view = mini.show(case)
    assert view["status"] == "terminated" and view["end_reason"] == "重复投诉，已合并"
    assert view["tasks"] == [] and view["timers"] == []
    assert mini.events(case, "terminated")[0]["actor"] == "boss"
    with pytest.raises(Conflict, match="already terminated"):
        mini.engine.terminate(str(case), "again", user=supervisor)
    assert mini.advance(days=2) == 0


def test_cases_stay_on_the_version_they_started_with(mini, tmp_path):
    old_case = mini.start("mini_complaint", MAJOR)
    assert mini.deploy(MINI) == {"preplan": "mini_complaint", "version": 1, "changed": False}
    changed = tmp_path / "processes" / "mini_complaint"
    shutil.copytree(MINI, changed)
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    bpmn = changed / "mini_complaint.bpmn"
    bpmn.write_text(bpmn.read_text().replace("working_hours(4)", "working_hours(2)"))
    assert mini.deploy(changed) == {"preplan": "mini_complaint", "version": 2, "changed": True}
    new_case = mini.start("mini_complaint", MAJOR)
    assert mini.show(old_case)["version"] == 1 and mini.show(new_case)["version"] == 2
    assert mini.task(old_case, "Task_Approve")["due_at"] == "2026-11-23T14:00:00+08:00"
    assert mini.task(new_case, "Task_Approve")["due_at"] == "2026-11-23T12:00:00+08:00"
    mini.complete(old_case, "Task_Approve", {"approved": True})
    assert mini.open_steps(old_case) == ["Task_Handle"]


def test_unknown_preplan_and_task_are_not_found(mini):
    with pytest.raises(NotFound, match="no deployed, active preplan 'nope'"):
        mini.start("nope", {})
    with pytest.raises(NotFound):
        mini.engine.claim(999, user=mini.user_for("leader"))


def test_a_retired_version_starts_no_case_but_its_running_cases_carry_on(mini, tmp_path):
    old_case = mini.start("mini_complaint", MAJOR)
    changed = tmp_path / "processes" / "mini_complaint"
    shutil.copytree(MINI, changed)
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    bpmn = changed / "mini_complaint.bpmn"
    bpmn.write_text(bpmn.read_text().replace("working_hours(4)", "working_hours(2)"))
    mini.deploy(changed)
    with mini.engine.db.read() as session:
        (change,) = compare(session, "mini_complaint", 1, 2)
    added = [line for line in change["diff"] if line.startswith("+") and "working_hours" in line]
    assert change["file"] == "mini_complaint.bpmn" and added == [
        "+      <bpmn:timerEventDefinition><bpmn:timeDate>working_hours(2)</bpmn:timeDate></bpmn:timerEventDefinition>"
    ]
    with mini.engine.db.write() as session:
        set_status(session, "mini_complaint", 2, "retired", "admin")
    assert mini.show(mini.start("mini_complaint", MAJOR))["version"] == 1  # the newest active one
    with mini.engine.db.write() as session:
        set_status(session, "mini_complaint", 1, "retired", "admin")
    with pytest.raises(NotFound):
        mini.start("mini_complaint", MAJOR)
    mini.complete(old_case, "Task_Approve", {"approved": True})  # running cases carry on
    assert mini.open_steps(old_case) == ["Task_Handle"]
    with mini.engine.db.write() as session, pytest.raises(Conflict):
        set_status(session, "mini_complaint", 1, "retired", "admin")
