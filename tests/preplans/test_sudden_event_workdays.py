"""Scenarios for the sudden_event_workdays preplan (客户投诉突发事件应急预案范文, source 001 lines 116-127).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
reply deadline is 5 / 3 / 1 working days (09:00-18:00, Chinese holidays and make-up workdays) counted from intake
(`received_at`), carried as the ``due_at`` of the step that owes the reply (四.3). Step ids are the BPMN ids of
processes/sudden_event_workdays/sudden_event_workdays.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "sudden_event_workdays"
MONDAY = "2026-11-23T10:00:00+08:00"

# the step that owes the reply, its role and its boundary timer, by grade (四.3)
REPLY = {
    "general": ("Task_CentreReply", "sudden_centre", "Timer_Reply_5WD"),
    "important": ("Task_JointReply", "sudden_dept_head", "Timer_Reply_3WD"),
    "urgent": ("Task_UrgentReply", "sudden_emergency_group", "Timer_Reply_1WD"),
}
REPLIES = {
    "Task_CentreReply": {"handling": "核实为配送延误", "reply": "已致歉并补发商品"},
    "Task_JointReply": {"departments": "物流部、客服部", "handling": "联合核查配送记录", "reply": "已致歉并赔偿运费"},
    "Task_UrgentReply": {"investigation": "同批次产品存在缺陷", "solution": "召回并更换", "reply": "已告知召回安排"},
}
ACTIVATED = {"response": "小组成员分赴仓库和门店调查"}
TRACKED = {"progress": "已按方案处理完毕", "evaluation": "配送环节需加强交接核对"}
FEEDBACK = {"result": "已补发商品并致歉", "complainant_satisfied": True}
REPORT = {"course": "客户投诉配送延误，已补发", "improvements": "加强配送交接核对"}
REVIEWED = {"review_opinion": "同意，按改进措施落实"}


def intake(**changes) -> dict:
    data = {
        "received_at": MONDAY,
        "channel": "wechat",
        "complainant_name": "陈先生",
        "contact": "13800000000",
        "summary": "网购商品迟迟未到",
        "content": "下单一周仍未收到商品",
        "category": "service",
        "grade": "general",
    }
    data.update(changes)
    return data


@pytest.fixture
def sudden(flow):
    flow.deploy(PREPLAN)
    return flow


def start(flow, **changes) -> int:
    data = intake(**changes)
    flow.at(data["received_at"])
    return flow.start("sudden_event_workdays", data)


def reply_step(flow, case, grade) -> str:
    """Bring the case to the step that owes the reply (the urgent path first activates the preplan)."""
    step = REPLY[grade][0]
    if grade == "urgent":
        assert flow.open_steps(case) == ["Task_Activate"]
        assert flow.task(case, "Task_Activate")["due_at"] is None  # "立即": no grace period to count
        flow.complete(case, "Task_Activate", ACTIVATED)
    assert flow.open_steps(case) == [step]
    return step


def close(flow, case) -> None:
    """四.4 tracking, 四.5 feedback and written report, reviewed by the leaders."""
    flow.complete(case, "Task_Track", TRACKED)
    flow.complete(case, "Task_Feedback", FEEDBACK)
    flow.complete(case, "Task_Report", REPORT)
    assert flow.task(case, "Task_Review")["role"] == "sudden_leadership"
    flow.complete(case, "Task_Review", REVIEWED)
    assert flow.status(case) == "completed"


# -- 四.3 handling and the reply deadline by grade --------------------------------------------------------------------
DEADLINES = [  # (received at, grade, reply due)
    (MONDAY, "general", "2026-11-30T10:00:00+08:00"),  # 5 working days: next Monday
    (MONDAY, "important", "2026-11-26T10:00:00+08:00"),  # 3 working days: Thursday
    (MONDAY, "urgent", "2026-11-24T10:00:00+08:00"),  # 1 working day: Tuesday
    ("2026-11-27T15:00:00+08:00", "general", "2026-12-04T15:00:00+08:00"),  # Friday: the weekend does not count
    ("2026-11-27T15:00:00+08:00", "important", "2026-12-02T15:00:00+08:00"),
    ("2026-11-27T15:00:00+08:00", "urgent", "2026-11-30T15:00:00+08:00"),
    ("2026-11-28T11:00:00+08:00", "urgent", "2026-11-30T18:00:00+08:00"),  # Saturday: counts from Monday 09:00
    ("2026-11-28T11:00:00+08:00", "general", "2026-12-04T18:00:00+08:00"),
    ("2026-11-23T20:00:00+08:00", "important", "2026-11-26T18:00:00+08:00"),  # after closing: from Tuesday 09:00
    ("2026-09-30T15:00:00+08:00", "urgent", "2026-10-08T15:00:00+08:00"),  # National Day 10-01..07 does not count
    ("2026-09-30T15:00:00+08:00", "important", "2026-10-10T15:00:00+08:00"),  # make-up workday Saturday 10-10 counts
    ("2026-09-30T15:00:00+08:00", "general", "2026-10-13T15:00:00+08:00"),
]


@pytest.mark.parametrize("received_at, grade, due", DEADLINES)
def test_reply_is_due_5_3_1_working_days_after_intake(sudden, received_at, grade, due):
    case = start(sudden, received_at=received_at, grade=grade)
    step = reply_step(sudden, case, grade)
    task = sudden.task(case, step)
    assert (task["role"], task["due_at"]) == (REPLY[grade][1], due)
    assert sudden.show(case)["severity"] == grade


@pytest.mark.parametrize("grade", ["general", "important", "urgent"])
def test_each_grade_is_handled_by_its_owner_and_a_late_reply_stays_open_as_overdue(sudden, grade):
    case = start(sudden, grade=grade)
    step = reply_step(sudden, case, grade)
    due = sudden.task(case, step)["due_at"]
    sudden.at(due)
    assert sudden.fire() == 0  # a timer fires strictly after its due time
    sudden.advance(minutes=1)
    assert sudden.fired(case) == [REPLY[grade][2]]
    task = sudden.task(case, step)
    assert task["overdue"] and task["due_at"] == due  # the reply is still owed
    sudden.complete(case, step, REPLIES[step])
    assert sudden.open_steps(case) == ["Task_Track"]
    close(sudden, case)


@pytest.mark.parametrize("grade", ["general", "important", "urgent"])
def test_reply_in_time_leaves_no_timer(sudden, grade):
    case = start(sudden, grade=grade)
    step = reply_step(sudden, case, grade)
    sudden.advance(hours=2)
    sudden.complete(case, step, REPLIES[step])
    assert sudden.timers(case) == [] and sudden.fired(case) == []
    assert sudden.open_steps(case) == ["Task_Track"]
    assert sudden.task(case, "Task_Track")["role"] == "sudden_centre"


def test_the_urgent_reply_counts_from_intake_not_from_the_activation(sudden):
    case = start(sudden, grade="urgent")
    sudden.advance(hours=5)  # activated late in the afternoon
    sudden.complete(case, "Task_Activate", ACTIVATED)
    assert sudden.task(case, "Task_UrgentReply")["due_at"] == "2026-11-24T10:00:00+08:00"


# -- 五.1 immediate activation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["major_interests", "serious_image_impact"])
def test_major_interests_or_serious_image_impact_activate_the_preplan_at_once(sudden, flag):
    case = start(sudden, grade="general", **{flag: True})
    assert sudden.open_steps(case) == ["Task_Activate"]
    assert sudden.task(case, "Task_Activate")["role"] == "sudden_emergency_group"
    data = sudden.data(case)
    assert (data["grade"], data["activation"]) == ("urgent", True)
    assert sudden.show(case)["severity"] == "urgent"
    sudden.complete(case, "Task_Activate", ACTIVATED)
    assert sudden.task(case, "Task_UrgentReply")["due_at"] == "2026-11-24T10:00:00+08:00"


def test_without_the_activation_conditions_the_grade_chosen_at_intake_stands(sudden):
    case = start(sudden, grade="important")
    assert sudden.data(case)["activation"] is False
    assert sudden.open_steps(case) == ["Task_JointReply"]


# -- 四.4 / 五.4 tracking and rectification -----------------------------------------------------------------------------
def test_internal_management_issue_goes_to_the_department_for_rectification(sudden):
    case = start(sudden)
    sudden.complete(case, "Task_CentreReply", REPLIES["Task_CentreReply"])
    sudden.complete(case, "Task_Track", {**TRACKED, "internal_issue": True, "issue_description": "配送交接无记录"})
    assert sudden.open_steps(case) == ["Task_Rectify"]
    assert sudden.task(case, "Task_Rectify")["role"] == "sudden_dept_head"
    sudden.complete(case, "Task_Rectify", {"rectification": "建立配送交接登记制度"})
    assert sudden.open_steps(case) == ["Task_Feedback"]


# -- 四.5 feedback until the customer is satisfied, written report --------------------------------------------------------
def test_unsatisfied_customer_gets_another_feedback_before_the_report(sudden):
    case = start(sudden)
    sudden.complete(case, "Task_CentreReply", REPLIES["Task_CentreReply"])
    sudden.complete(case, "Task_Track", TRACKED)
    sudden.complete(
        case, "Task_Feedback", {"result": "已补发", "complainant_satisfied": False, "complainant_view": "要求赔偿"}
    )
    assert sudden.open_steps(case) == ["Task_Feedback"]
    sudden.complete(case, "Task_Feedback", {"result": "补发并赔偿运费", "complainant_satisfied": True})
    assert sudden.open_steps(case) == ["Task_Report"]
    sudden.complete(case, "Task_Report", REPORT)
    sudden.complete(case, "Task_Review", REVIEWED)
    assert sudden.status(case) == "completed"
    assert sudden.show(case)["title"] == "网购商品迟迟未到：陈先生"
