"""Scenarios for the major_complaint_generic preplan (重大投诉_应急预案, source 001 lines 1-25).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline, so there is no timer: the scenarios follow the report, the activation decision, the teams' six steps,
the plan approval and the loop of 跟踪反馈 until the leadership group ends the emergency (六、应急终止).
Step ids are the BPMN ids of processes/major_complaint_generic/major_complaint_generic.bpmn.
"""

from __future__ import annotations

import pytest
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "major_complaint_generic"
MONDAY = "2026-11-23T10:00:00+08:00"

REPORT = {
    "received_at": MONDAY,
    "channel": "phone",
    "complainant_name": "张三",
    "contact": "13800000000",
    "summary": "分支机构服务纠纷",
    "content": "客户在分支机构办理业务时与员工发生冲突",
    "demands": "赔礼道歉并赔偿损失",
}
ACTIVATE = {"nature": "服务纠纷，涉及人身冲突", "impact": "已有媒体关注，影响较大", "activate": True}
ORGANISE = {"units": "客服部、第三分支机构", "arrangements": "第三分支机构应急处理小组牵头，客服部配合"}
FACTS = {
    "complainant_info": "张三，男，45岁，老客户",
    "content": "办理业务时与员工发生冲突",
    "demands": "赔礼道歉并赔偿损失",
    "persons_involved": "柜员李四",
}
SOOTHED = {"communication": "已当面致歉，客户情绪平稳", "emotion_calmed": True, "safety_ensured": True}
INVESTIGATED = {"facts": "监控录像显示柜员态度恶劣"}
PLAN = {"plan": "书面致歉，柜员停岗培训，赔偿误工费", "rectification": "柜员停岗培训", "compensation": "误工费500元"}
IMPLEMENTED = {"rectification_done": "柜员已停岗培训", "compensation_done": "误工费已支付"}
SATISFIED = {"tracking": "回访客户，表示满意；一个月内无新的投诉", "tracking_outcome": "satisfied"}
NOTICE = {"notice": "本次重大投诉事件已妥善处理，应急状态终止", "recipients": "各部门、各分支机构"}


def instructions(flow, case, step) -> str:
    """The step's instructions as the task page shows them (the diagram's template over the case data)."""
    root = etree.parse(str(PREPLAN / "major_complaint_generic.bpmn"))
    (template,) = root.xpath(f"//*[@id='{step}']//*[local-name()='instructionsForEndUser']/text()")
    return SandboxedEnvironment().from_string(template).render(**flow.data(case))


@pytest.fixture
def generic(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("major_complaint_generic", {**REPORT, **changes})


def activate(flow, case) -> None:
    flow.complete(case, "Task_DecideActivation", ACTIVATE)
    flow.complete(case, "Task_Organise", ORGANISE)


def team_until_plan(flow, case) -> None:
    """四.4 (1)–(4): the team learns the facts, calms the complainant, investigates and drafts a plan."""
    flow.complete(case, "Task_LearnFacts", FACTS)
    flow.complete(case, "Task_Soothe", SOOTHED)
    flow.complete(case, "Task_Investigate", INVESTIGATED)
    flow.complete(case, "Task_DraftPlan", PLAN)


def until_tracking(flow, case) -> None:
    activate(flow, case)
    team_until_plan(flow, case)
    flow.complete(case, "Task_ApprovePlan", {"approval": "approved"})
    flow.complete(case, "Task_Implement", IMPLEMENTED)


# -- 四.1–四.3: report, activation, organisation -----------------------------------------------------------------
def test_report_goes_straight_to_the_leadership_group_which_decides_activation(generic):
    case = start(generic)
    assert generic.show(case)["title"] == "张三：分支机构服务纠纷"
    assert generic.open_steps(case) == ["Task_DecideActivation"]
    assert generic.task(case, "Task_DecideActivation")["role"] == "major_generic_leadership"
    assert generic.task(case, "Task_DecideActivation")["due_at"] is None  # 立即报告: no deadline is stated
    generic.complete(case, "Task_DecideActivation", ACTIVATE)
    assert generic.open_steps(case) == ["Task_Organise"]
    assert generic.task(case, "Task_Organise")["role"] == "major_generic_office"
    generic.complete(case, "Task_Organise", ORGANISE)
    assert generic.open_steps(case) == ["Task_LearnFacts"]
    assert generic.task(case, "Task_LearnFacts")["role"] == "major_generic_team"


def test_not_activated_is_referred_to_the_ordinary_procedure(generic):
    """D3 item 5: the source does not describe the "no" branch; the office refers the complaint and the case ends."""
    case = start(generic)
    generic.complete(case, "Task_DecideActivation", {**ACTIVATE, "activate": False, "decision_notes": "按一般投诉处理"})
    assert generic.open_steps(case) == ["Task_NotActivated"]
    assert generic.task(case, "Task_NotActivated")["role"] == "major_generic_office"
    generic.complete(
        case, "Task_NotActivated", {"referral": "转客服部按常规投诉处理程序处理", "notified_reporter": True}
    )
    assert generic.status(case) == "completed"
    assert generic.data(case)["activate"] is False


# -- 四.4: the team's procedure and the plan approval ----------------------------------------------------------------
def test_team_steps_run_in_the_order_of_clause_4_4(generic):
    case = start(generic)
    activate(generic, case)
    for step, data in (
        ("Task_LearnFacts", FACTS),
        ("Task_Soothe", SOOTHED),
        ("Task_Investigate", INVESTIGATED),
        ("Task_DraftPlan", PLAN),
    ):
        assert generic.open_steps(case) == [step]
        generic.complete(case, step, data)
    assert generic.open_steps(case) == ["Task_ApprovePlan"]
    assert generic.task(case, "Task_ApprovePlan")["role"] == "major_generic_leadership"
    assert generic.data(case)["persons_involved"] == "柜员李四"


def test_rejected_plan_goes_back_to_the_team_for_a_new_plan(generic):
    case = start(generic)
    activate(generic, case)
    team_until_plan(generic, case)
    generic.complete(case, "Task_ApprovePlan", {"approval": "rejected", "approval_opinion": "赔偿标准偏低"})
    assert generic.open_steps(case) == ["Task_DraftPlan"]  # not a new investigation
    assert "赔偿标准偏低" in instructions(generic, case, "Task_DraftPlan")
    generic.complete(case, "Task_DraftPlan", {**PLAN, "compensation": "误工费1000元"})
    generic.complete(
        case,
        "Task_ApprovePlan",
        {"approval": "approved_with_changes", "approval_opinion": "书面致歉须由分支机构负责人签发"},
    )
    assert generic.open_steps(case) == ["Task_Implement"]  # approved on condition: the team implements with the change
    assert "书面致歉须由分支机构负责人签发" in instructions(generic, case, "Task_Implement")
    assert generic.data(case)["compensation"] == "误工费1000元"


# -- 四.4(6) and 六: tracking until the emergency is terminated -------------------------------------------------------
def test_tracking_loops_until_the_termination_conditions_hold(generic):
    case = start(generic)
    until_tracking(generic, case)
    for _ in range(3):
        assert generic.open_steps(case) == ["Task_Track"]
        generic.complete(case, "Task_Track", {"tracking": "客户仍有不满", "tracking_outcome": "continue"})
    generic.complete(case, "Task_Track", SATISFIED)
    assert generic.open_steps(case) == ["Task_DecideTermination"]
    generic.complete(case, "Task_DecideTermination", {"terminate": True})
    assert generic.open_steps(case) == ["Task_IssueNotice"]
    assert generic.task(case, "Task_IssueNotice")["role"] == "major_generic_office"
    generic.complete(case, "Task_IssueNotice", NOTICE)
    assert generic.status(case) == "completed"


def test_leadership_may_keep_the_emergency_state_and_tracking_goes_on(generic):
    case = start(generic)
    until_tracking(generic, case)
    generic.complete(case, "Task_Track", SATISFIED)
    generic.complete(case, "Task_DecideTermination", {"terminate": False, "termination_opinion": "再观察一周"})
    assert generic.open_steps(case) == ["Task_Track"]
    generic.complete(case, "Task_Track", SATISFIED)
    generic.complete(case, "Task_DecideTermination", {"terminate": True})
    generic.complete(case, "Task_IssueNotice", NOTICE)
    assert generic.status(case) == "completed"


def test_a_new_complaint_sends_the_team_back_to_learning_the_facts(generic):
    case = start(generic)
    until_tracking(generic, case)
    generic.complete(case, "Task_Track", {"tracking": "客户家属再次投诉", "tracking_outcome": "new_complaint"})
    assert generic.open_steps(case) == ["Task_LearnFacts"]
    assert "客户家属再次投诉" in instructions(generic, case, "Task_LearnFacts")
    team_until_plan(generic, case)
    generic.complete(case, "Task_ApprovePlan", {"approval": "approved"})
    generic.complete(case, "Task_Implement", IMPLEMENTED)
    generic.complete(case, "Task_Track", SATISFIED)
    generic.complete(case, "Task_DecideTermination", {})  # default: terminate
    generic.complete(case, "Task_IssueNotice", NOTICE)
    assert generic.status(case) == "completed"
    assert generic.timers(case) == []  # the source states no deadline
