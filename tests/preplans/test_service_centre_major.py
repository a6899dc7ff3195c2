"""Scenarios for the service_centre_major preplan (客服重大投诉应急预案, source 001 lines 40-62).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday;
working hours are 09:00-18:00 Asia/Shanghai. The source states no deadline; its only time rule is that the agent
checks progress with the customer "定期" (periodically): the agent sets the interval in working days.
Step ids are the BPMN ids of processes/service_centre_major/service_centre_major.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "service_centre_major"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "complainant_name": "王女士",
    "contact": "13900000000",
    "summary": "宽带长期断网",
    "content": "宽带一个月内断网十余次，多次报修未解决，要求赔偿",
    "told_customer": True,
}
JUDGED = {"nature": "服务质量投诉，多次报修未解决", "impact": "客户扬言向媒体曝光", "activate": True}
MEETING = {"causes": "线路老化，维修人员未彻底排查", "solution": "更换线路并减免两个月费用"}
COMMUNICATED = {"explanation": "断网原因为线路老化", "improvements": "更换线路，建立定期巡检"}
PROGRESS = {"progress": "线路已更换，客户确认网络正常", "resolved": True}
EXECUTED = {"execution": "线路更换和费用减免已落实", "measures_effective": True}
REPORT = {"course": "客户多次断网投诉，启动预案后更换线路", "improvements": "建立线路巡检制度"}
REVIEW = {"review_opinion": "处理及时", "improvement_suggestions": "每月统计分析重大投诉"}


@pytest.fixture
def centre(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("service_centre_major", {**INTAKE, **changes})


def activate(flow, case, **meeting) -> None:
    flow.complete(case, "Task_Judge", JUDGED)
    flow.complete(case, "Task_Meeting", {**MEETING, **meeting})


def until_tracking(flow, case) -> None:
    activate(flow, case)
    flow.complete(case, "Task_Communicate", COMMUNICATED)


def timer_due(flow, case, timer) -> str:
    (found,) = [t["due_at"] for t in flow.show(case)["timers"] if t["bpmn_id"] == timer]
    return found


# -- 三.1–三.2 intake and initial judgement ----------------------------------------------------------------------------
def test_agent_records_and_the_leadership_group_judges_first(centre):
    case = start(centre)
    assert centre.show(case)["title"] == "王女士：宽带长期断网"
    assert centre.open_steps(case) == ["Task_Judge"]
    assert centre.task(case, "Task_Judge")["role"] == "service_centre_leadership"
    centre.complete(case, "Task_Judge", JUDGED)
    assert centre.open_steps(case) == ["Task_Meeting"]
    assert centre.task(case, "Task_Meeting")["role"] == "service_centre_leadership"


def test_without_activation_the_agent_handles_it_the_ordinary_way(centre):
    """D3 item 5: the "no" branch is not described; the agent handles the complaint by the plan just decided."""
    case = start(centre)
    centre.complete(case, "Task_Judge", {**JUDGED, "activate": False, "decision_notes": "按一般投诉处理，三日内答复"})
    assert centre.open_steps(case) == ["Task_NormalHandling"]
    assert centre.task(case, "Task_NormalHandling")["role"] == "service_centre_agent"
    centre.complete(case, "Task_NormalHandling", {"handling": "已安排维修", "reply": "已电话答复客户"})
    assert centre.status(case) == "completed"


# -- 三.3 emergency handling ------------------------------------------------------------------------------------------
def test_meeting_then_customer_communication_without_departments(centre):
    case = start(centre)
    activate(centre, case)
    assert centre.open_steps(case) == ["Task_Communicate"]
    assert centre.task(case, "Task_Communicate")["role"] == "service_centre_agent"
    centre.complete(case, "Task_Communicate", COMMUNICATED)
    assert centre.open_steps(case) == ["Task_FollowUp", "Task_TrackExecution"]


def test_invited_department_heads_take_part_beside_the_customer_communication(centre):
    case = start(centre)
    activate(centre, case, invite_departments=True, invited_departments="网络维护部经理")
    assert centre.open_steps(case) == ["Task_Communicate", "Task_DeptParticipate"]
    assert centre.task(case, "Task_DeptParticipate")["role"] == "service_centre_dept_head"
    centre.complete(case, "Task_Communicate", COMMUNICATED)
    assert centre.open_steps(case) == ["Task_DeptParticipate"]  # tracking waits for the departments
    centre.complete(case, "Task_DeptParticipate", {"department": "网络维护部", "participation": "派员更换线路"})
    assert centre.open_steps(case) == ["Task_FollowUp", "Task_TrackExecution"]


# -- 三.4 tracking: periodic follow-up with the customer beside the group's execution tracking --------------------------
def test_agent_checks_progress_periodically_until_resolved(centre):
    case = start(centre)
    until_tracking(centre, case)
    centre.at("2026-11-27T15:00:00+08:00")  # a Friday
    centre.complete(case, "Task_FollowUp", {"progress": "线路待更换", "resolved": False, "follow_up_interval_days": 2})
    assert centre.open_steps(case) == ["Task_TrackExecution"]
    assert timer_due(centre, case, "Timer_NextFollowUp") == "2026-12-01T15:00:00+08:00"  # two working days later
    assert centre.advance(days=3, hours=23, minutes=59) == 0
    assert centre.advance(minutes=2) == 1
    assert centre.fired(case) == ["Timer_NextFollowUp"]
    assert centre.open_steps(case) == ["Task_FollowUp", "Task_TrackExecution"]
    centre.complete(case, "Task_FollowUp", {"progress": "仍偶有断网", "resolved": False})  # default: 1 working day
    assert timer_due(centre, case, "Timer_NextFollowUp") == "2026-12-02T15:01:00+08:00"
    centre.advance(days=1, minutes=1)
    centre.complete(case, "Task_FollowUp", PROGRESS)
    assert centre.open_steps(case) == ["Task_TrackExecution"]  # the group's tracking is still open
    assert centre.timers(case) == []


def test_group_tracks_execution_until_the_measures_are_carried_out(centre):
    case = start(centre)
    until_tracking(centre, case)
    centre.complete(case, "Task_TrackExecution", {"execution": "费用减免未落实", "measures_effective": False})
    assert centre.open_steps(case) == ["Task_FollowUp", "Task_TrackExecution"]
    centre.complete(case, "Task_TrackExecution", EXECUTED)
    assert centre.open_steps(case) == ["Task_FollowUp"]
    centre.complete(case, "Task_FollowUp", PROGRESS)
    assert centre.open_steps(case) == ["Task_WriteReport"]


# -- 三.5 summary -----------------------------------------------------------------------------------------------------
def test_full_case_ends_with_the_reviewed_report(centre):
    case = start(centre)
    until_tracking(centre, case)
    centre.complete(case, "Task_FollowUp", PROGRESS)
    centre.complete(case, "Task_TrackExecution", EXECUTED)
    assert centre.task(case, "Task_WriteReport")["role"] == "service_centre_agent"
    centre.complete(case, "Task_WriteReport", REPORT)
    assert centre.task(case, "Task_ReviewReport")["role"] == "service_centre_leadership"
    centre.complete(case, "Task_ReviewReport", REVIEW)
    assert centre.status(case) == "completed"
    assert centre.data(case)["improvement_suggestions"] == "每月统计分析重大投诉"
