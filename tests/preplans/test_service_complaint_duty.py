"""Scenarios for the service_complaint_duty preplan (服务投诉应急处置预案, source 002 lines 68-88).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline: the duty desk is staffed 24 hours a day (四.3) and reports "立即". The scenarios follow receipt at any
hour, verification with optional evidence, the nature decided by the activation conditions of 六 (nature.dmn),
the 一般性 and 重大 paths, the re-verification loop until the complainant is satisfied (五.4(2)), the summary and the
leadership group's evaluation. Step ids are the BPMN ids of processes/service_complaint_duty/service_complaint_duty.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "service_complaint_duty"
MONDAY = "2026-11-23T10:00:00+08:00"
NATIONAL_DAY_NIGHT = "2026-10-03T02:30:00+08:00"  # a holiday (国庆节), in the middle of the night

INTAKE = {
    "received_at": MONDAY,
    "channel": "phone",
    "complainant_name": "黄女士",
    "contact": "13800000000",
    "summary": "宽带安装人员爽约",
    "content": "预约的宽带安装人员两次未按时上门",
    "demands": "今天内安装并赔偿",
}
REPORTED = {"duty_officer": "值班员小周", "reported_at": MONDAY, "reported_to": "应急领导小组组长张总"}
VERIFIED = {"verification": "派单系统显示两次改约未通知客户", "complaint_cause": "派单员未通知客户改约"}
PLAN = {"plan": "当日安排安装并减免一个月费用"}
RESOLVED = {"measures_taken": "已于当日下午完成安装，减免一个月费用"}
SATISFIED = {"result": "已安装并减免费用", "complainant_satisfied": True}
SUMMARY = {"course": "派单员未通知客户改约，导致两次爽约", "improvements": "改约必须短信通知客户"}
EVALUATED = {"evaluation": "处理及时", "improvement_suggestions": "派单系统增加改约自动通知"}
NO_CONDITION = {"complaints_at_scale": False, "major_impact": False, "major_interests": False, "media_attention": False}


@pytest.fixture
def duty(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("service_complaint_duty", {**INTAKE, **changes})


def verified(flow, case, **changes) -> None:
    flow.complete(case, "Task_Report", REPORTED)
    flow.complete(case, "Task_Verify", {**VERIFIED, **changes})


# -- 四.3, 五.1 the 24-hour duty desk --------------------------------------------------------------------------------
def test_duty_staff_receive_at_any_hour_and_report_to_the_leadership_group(duty):
    duty.at(NATIONAL_DAY_NIGHT)
    case = start(duty, received_at=NATIONAL_DAY_NIGHT, channel="onsite")
    assert duty.show(case)["title"] == "黄女士：宽带安装人员爽约"
    assert duty.open_steps(case) == ["Task_Report"]  # no working-hours gate: the desk is staffed 24 hours
    assert duty.task(case, "Task_Report")["role"] == "service_duty_staff"
    assert duty.task(case, "Task_Report")["due_at"] is None  # "立即": no grace period is stated
    duty.complete(case, "Task_Report", {**REPORTED, "reported_at": "2026-10-03T02:35:00+08:00"})
    assert duty.open_steps(case) == ["Task_Verify"]
    assert duty.task(case, "Task_Verify")["role"] == "service_response_team"
    assert duty.data(case)["reported_to"] == "应急领导小组组长张总"


# -- 六 activation conditions: the decision table on its own --------------------------------------------------------
NATURES = [
    ({}, "general"),
    ({"complaints_at_scale": True, "major_impact": True}, "major"),  # 六.1
    ({"major_interests": True, "media_attention": True}, "major"),  # 六.2
    ({"complaints_at_scale": True}, "general"),  # scale without a major impact
    ({"major_impact": True, "media_attention": True}, "general"),  # halves of two different conditions
    ({"major_interests": True}, "general"),
    ({"complaints_at_scale": True, "major_impact": True, "major_interests": True, "media_attention": True}, "major"),
]


def test_nature_follows_the_activation_conditions_of_clause_6(duty):
    with duty.engine.db.read() as session:
        for changes, expected in NATURES:
            result = decide(session, duty.engine.settings, "service_complaint_duty/nature", {**NO_CONDITION, **changes})
            assert result == {"complaint_nature": expected}, changes


# -- 五.2–五.3 verification, evidence, 一般性 and 重大 -------------------------------------------------------------------
def test_general_complaint_is_solved_by_the_team_at_once(duty):
    case = start(duty)
    verified(duty, case)
    assert duty.open_steps(case) == ["Task_Plan"]  # no evidence needed (default)
    assert duty.show(case)["severity"] == "general"
    duty.complete(case, "Task_Plan", PLAN)
    assert duty.open_steps(case) == ["Task_Resolve"]
    assert duty.task(case, "Task_Resolve")["role"] == "service_response_team"
    duty.complete(case, "Task_Resolve", RESOLVED)
    assert duty.open_steps(case) == ["Task_Feedback"]


def test_team_may_ask_the_complainant_for_evidence(duty):
    case = start(duty)
    verified(duty, case, evidence_needed=True)
    assert duty.open_steps(case) == ["Task_Evidence"]
    assert duty.task(case, "Task_Evidence")["role"] == "service_response_team"
    duty.complete(
        case, "Task_Evidence", {"evidence_requested": "预约短信截图", "evidence_received": "已收到两次预约短信"}
    )
    assert duty.open_steps(case) == ["Task_Plan"]


@pytest.mark.parametrize(
    "condition",
    [
        {"complaints_at_scale": True, "major_impact": True},
        {"major_interests": True, "media_attention": True},
    ],
    ids=["scale_and_impact", "interests_and_media"],
)
def test_major_complaint_goes_to_the_leadership_group_which_activates_the_preplan(duty, condition):
    case = start(duty)
    verified(duty, case, **condition)
    assert duty.show(case)["severity"] == "major"
    duty.complete(case, "Task_Plan", PLAN)
    assert duty.open_steps(case) == ["Task_Activate"]
    assert duty.task(case, "Task_Activate")["role"] == "service_leadership"
    duty.complete(
        case, "Task_Activate", {"activation_notes": "启动应急预案", "command": "客服部牵头，质量管理部门配合，当日解决"}
    )
    assert duty.open_steps(case) == ["Task_EmergencyHandle"]
    assert duty.task(case, "Task_EmergencyHandle")["role"] == "service_response_team"
    duty.complete(case, "Task_EmergencyHandle", {"emergency_measures": "统一排查同类预约，逐一上门安装"})
    assert duty.open_steps(case) == ["Task_Feedback"]


# -- 五.4 feedback until satisfied, 五.5 summary and evaluation -----------------------------------------------------------
def test_unsatisfied_complainant_is_verified_again_until_satisfied(duty):
    case = start(duty)
    verified(duty, case)
    duty.complete(case, "Task_Plan", PLAN)
    duty.complete(case, "Task_Resolve", RESOLVED)
    for round_number in (1, 2):
        duty.complete(
            case,
            "Task_Feedback",
            {
                "result": "已安装",
                "complainant_satisfied": False,
                "complainant_view": f"第{round_number}次：网速达不到套餐标准",
            },
        )
        assert duty.open_steps(case) == ["Task_Reverify"]
        assert duty.task(case, "Task_Reverify")["role"] == "service_response_team"
        duty.complete(case, "Task_Reverify", {"dissatisfaction": "网速不达标", "reverification": "测速仅为套餐的一半"})
        assert duty.open_steps(case) == ["Task_FurtherMeasures"]
        duty.complete(case, "Task_FurtherMeasures", {"further_measures": f"第{round_number}次：更换光猫并调整端口"})
        assert duty.open_steps(case) == ["Task_Feedback"]  # back to feedback (五.4(2))
    duty.complete(case, "Task_Feedback", SATISFIED)
    assert duty.open_steps(case) == ["Task_Summary"]
    assert duty.data(case)["further_measures"] == "第2次：更换光猫并调整端口"


def test_case_ends_with_the_leadership_evaluation(duty):
    case = start(duty)
    verified(duty, case)
    duty.complete(case, "Task_Plan", PLAN)
    duty.complete(case, "Task_Resolve", RESOLVED)
    duty.complete(case, "Task_Feedback", SATISFIED)
    assert duty.task(case, "Task_Summary")["role"] == "service_response_team"
    duty.complete(case, "Task_Summary", SUMMARY)
    assert duty.open_steps(case) == ["Task_Evaluate"]
    assert duty.task(case, "Task_Evaluate")["role"] == "service_leadership"
    duty.complete(case, "Task_Evaluate", EVALUATED)
    assert duty.status(case) == "completed"
    assert duty.timers(case) == []
