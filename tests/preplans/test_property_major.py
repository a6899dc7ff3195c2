"""Scenarios for the property_major preplan (重大客户投诉应急预案 of a building-management centre, source 001 lines
143-176).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday; the
working calendar is 09:00-18:00 with Chinese holidays (2026-10-01..07 National Day). Step ids are the BPMN ids of
processes/property_major/property_major.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "property_major"
MONDAY = "2026-11-23T10:00:00+08:00"

ONSITE = {"registration": "客户反映空调停机两小时，办公室温度过高"}
JUDGED = {"judgement": "维修响应慢，影响个别租户"}
VERIFIED = {"facts": "冷却塔故障，维修人员晚到一小时", "measures": "更换备用机组，维修主管致歉"}
GUIDED = {"guidance": "立即启用备用机组，工程部经理到场"}
MEASURES = {"measures": "启用备用机组并安排专人值守"}
REPORTED = {"result": "空调已恢复，向客户致歉", "customer_satisfied": True}
TRACKED = {"tracking": "次日回访，客户表示满意", "complaint_form_no": "TS-001"}
ANALYSED = {"analysis": "巡检漏检冷却塔", "persons_involved": "值班维修工", "education": "组织巡检规范培训"}
DUTY_RECORDED = {"record": "夜间电梯困人，客户情绪激动"}
DUTY_REPORTED = {"instructions_received": "立即联系电梯维保单位，安抚客户"}


def intake(**changes) -> dict:
    data = {
        "received_at": MONDAY,
        "received_by": "csd",
        "location": "A座 12 层 1201",
        "customer_name": "星光科技公司",
        "contact": "021-60000000",
        "content": "空调停机两小时无人处理",
    }
    data.update(changes)
    return data


@pytest.fixture
def prop(flow):
    flow.deploy(PREPLAN)
    return flow


def start(flow, **changes) -> int:
    data = intake(**changes)
    flow.at(data["received_at"])
    return flow.start("property_major", data)


def role(flow, case, step) -> str:
    return flow.task(case, step)["role"]


def judge(flow, case, **criteria) -> None:
    flow.complete(case, "Task_OnSite", ONSITE)
    flow.complete(case, "Task_Judge", {**JUDGED, **criteria})


def tail(flow, case, *, analysis: bool) -> None:
    """2.6 tracking and 《投诉处理表》, then 2.7 analysis for a major complaint."""
    assert flow.open_steps(case) == ["Task_Track"]
    assert role(flow, case, "Task_Track") == "property_csd"
    flow.complete(case, "Task_Track", TRACKED)
    if analysis:
        assert flow.open_steps(case) == ["Task_Analyse"]
        assert role(flow, case, "Task_Analyse") == "property_responsible_dept"
        flow.complete(case, "Task_Analyse", ANALYSED)
    assert flow.status(case) == "completed"


# -- 2.2 severity: 重大 / 一般 ------------------------------------------------------------------------------------------
SEVERITY = [  # (criteria, class)
    ({}, "general"),
    ({"service_quality_impact": True}, "major"),
    ({"serious_consequences": True}, "major"),
    ({"service_quality_impact": True, "serious_consequences": True}, "major"),
    ({"severity_exception": "major"}, "major"),  # "通常情况下": the head may decide otherwise
    ({"severity_exception": "general", "service_quality_impact": True}, "general"),
]


def test_severity_follows_clause_2_2(prop):
    with prop.engine.db.read() as session:
        for criteria, expected in SEVERITY:
            data = {
                "severity_exception": "none",
                "service_quality_impact": False,
                "serious_consequences": False,
                **criteria,
            }
            assert decide(session, prop.engine.settings, "property_major/severity", data) == {"severity": expected}, (
                criteria
            )


# -- 2 normal working hours ---------------------------------------------------------------------------------------------
def test_in_working_hours_the_complaint_taker_goes_to_the_scene_and_the_head_judges(prop):
    case = start(prop)
    assert prop.data(case)["in_working_time"] is True
    assert prop.show(case)["severity"] == "major"  # received as a major complaint until judged
    assert prop.open_steps(case) == ["Task_OnSite"]
    assert role(prop, case, "Task_OnSite") == "property_csd"
    assert prop.task(case, "Task_OnSite")["due_at"] is None
    prop.complete(case, "Task_OnSite", ONSITE)
    assert role(prop, case, "Task_Judge") == "property_csd_head"
    assert prop.show(case)["title"] == "A座 12 层 1201：星光科技公司"


def test_general_complaint_is_reported_within_24_hours_after_the_facts_are_checked(prop):
    case = start(prop)
    judge(prop, case)
    assert prop.show(case)["severity"] == "general"
    assert prop.open_steps(case) == ["Task_VerifyMeasures"]
    assert role(prop, case, "Task_VerifyMeasures") == "property_related_dept"
    prop.complete(case, "Task_VerifyMeasures", VERIFIED)
    task = prop.task(case, "Task_ReportGeneral")
    assert (task["role"], task["due_at"]) == ("property_csd", "2026-11-24T10:00:00+08:00")  # 24 clock hours
    prop.complete(case, "Task_ReportGeneral", REPORTED)
    tail(prop, case, analysis=False)


def test_general_complaint_report_late_is_overdue_but_still_owed(prop):
    case = start(prop)
    judge(prop, case)
    prop.complete(case, "Task_VerifyMeasures", VERIFIED)
    prop.at("2026-11-24T10:00:00+08:00")
    assert prop.fire() == 0
    prop.advance(minutes=1)
    assert prop.fired(case) == ["Timer_ReportGeneral_Due"]
    assert prop.task(case, "Task_ReportGeneral")["overdue"]
    prop.complete(case, "Task_ReportGeneral", REPORTED)
    tail(prop, case, analysis=False)


def test_a_time_the_customer_requests_replaces_the_24_hours(prop):
    case = start(prop, customer_deadline="2026-11-23T17:00:00+08:00")
    judge(prop, case)
    prop.complete(case, "Task_VerifyMeasures", VERIFIED)
    assert prop.task(case, "Task_ReportGeneral")["due_at"] == "2026-11-23T17:00:00+08:00"
    prop.at("2026-11-23T17:01:00+08:00")
    prop.fire()
    assert prop.fired(case) == ["Timer_ReportGeneral_Due"]
    case = start(prop, customer_deadline="2026-11-25T12:00:00+08:00")  # a later time the customer asked for
    judge(prop, case)
    prop.complete(case, "Task_VerifyMeasures", VERIFIED)
    assert prop.task(case, "Task_ReportGeneral")["due_at"] == "2026-11-25T12:00:00+08:00"


def test_major_complaint_goes_to_the_general_manager_and_the_responsible_department_analyses_it(prop):
    case = start(prop)
    judge(prop, case, service_quality_impact=True)
    assert prop.show(case)["severity"] == "major"
    assert prop.open_steps(case) == ["Task_GMGuide"]
    assert role(prop, case, "Task_GMGuide") == "property_gm"
    prop.complete(case, "Task_GMGuide", GUIDED)
    assert role(prop, case, "Task_MajorMeasures") == "property_related_dept"
    prop.complete(case, "Task_MajorMeasures", MEASURES)
    task = prop.task(case, "Task_ReportMajor")
    assert (task["role"], task["due_at"]) == ("property_csd", None)  # "在最短时间内": no number to count
    prop.complete(case, "Task_ReportMajor", REPORTED)
    tail(prop, case, analysis=True)


def test_head_goes_to_the_scene_when_necessary(prop):
    case = start(prop)
    judge(prop, case, head_to_scene=True, serious_consequences=True)
    assert prop.open_steps(case) == ["Task_HeadOnSite"]
    assert role(prop, case, "Task_HeadOnSite") == "property_csd_head"
    prop.complete(case, "Task_HeadOnSite", {"heard": "客户要求减免当月物业费"})
    assert prop.open_steps(case) == ["Task_GMGuide"]


def test_until_the_customer_is_satisfied_with_an_explanation_when_it_cannot_be_solved_for_now(prop):
    case = start(prop)
    judge(prop, case, severity_exception="major")
    prop.complete(case, "Task_GMGuide", GUIDED)
    prop.complete(case, "Task_MajorMeasures", MEASURES)
    prop.complete(
        case,
        "Task_ReportMajor",
        {
            "result": "需更换整套机组，暂时无法解决",
            "temporarily_unsolvable": True,
            "customer_satisfied": False,
            "customer_view": "要求尽快解决",
        },
    )
    assert prop.open_steps(case) == ["Task_Explain"]  # 2.8
    assert role(prop, case, "Task_Explain") == "property_csd"
    prop.complete(case, "Task_Explain", {"explanation": "机组到货需三天，期间提供移动空调"})
    assert prop.open_steps(case) == ["Task_FollowUp"]  # 直到达到客户满意为止
    prop.complete(case, "Task_FollowUp", {"result": "已提供移动空调", "customer_satisfied": False})
    assert prop.open_steps(case) == ["Task_FollowUp"]
    prop.complete(case, "Task_FollowUp", {"result": "新机组已安装", "customer_satisfied": True})
    tail(prop, case, analysis=True)


# -- 3 outside working hours --------------------------------------------------------------------------------------------
def test_outside_working_hours_duty_staff_go_to_the_scene_and_the_duty_leader_asks_the_gm(prop):
    case = start(prop, received_at="2026-11-23T20:00:00+08:00", received_by="other_dept", receiving_dept="保安部")
    assert prop.data(case)["in_working_time"] is False
    assert prop.open_steps(case) == ["Task_DutyOnSite"]
    assert role(prop, case, "Task_DutyOnSite") == "property_csd"
    prop.complete(case, "Task_DutyOnSite", DUTY_RECORDED)
    assert role(prop, case, "Task_DutyLeaderReport") == "property_duty_leader"
    prop.complete(case, "Task_DutyLeaderReport", DUTY_REPORTED)
    assert role(prop, case, "Task_OffHoursHandle") == "property_csd"
    prop.complete(case, "Task_OffHoursHandle", {"handling": "维保人员到场，已解救被困人员"})  # solved at once
    assert prop.timers(case) == []
    tail(prop, case, analysis=True)  # a complaint of section 3 is a major one


FIRST_WORKDAY = [  # (received outside working hours, work resumes, feedback due by the end of that working day)
    ("2026-11-28T22:00:00+08:00", "2026-11-30T09:00:00+08:00", "2026-11-30T18:00:00+08:00"),  # Saturday night
    ("2026-11-23T20:00:00+08:00", "2026-11-24T09:00:00+08:00", "2026-11-24T18:00:00+08:00"),  # Monday evening
    ("2026-11-24T07:30:00+08:00", "2026-11-24T09:00:00+08:00", "2026-11-24T18:00:00+08:00"),  # before opening
    ("2026-10-01T10:00:00+08:00", "2026-10-08T09:00:00+08:00", "2026-10-08T18:00:00+08:00"),  # National Day
]


@pytest.mark.parametrize("received_at, resumes, due", FIRST_WORKDAY)
def test_not_solvable_the_same_day_the_customer_is_contacted_on_the_first_working_day(prop, received_at, resumes, due):
    case = start(prop, received_at=received_at)
    prop.complete(case, "Task_DutyOnSite", DUTY_RECORDED)
    prop.complete(case, "Task_DutyLeaderReport", DUTY_REPORTED)
    prop.complete(
        case, "Task_OffHoursHandle", {"handling": "需更换配件", "solved_now": False, "explanation": "配件需上班后采购"}
    )
    assert prop.open_steps(case) == []  # waits for work to resume
    assert [(t["bpmn_id"], t["due_at"]) for t in prop.show(case)["timers"]] == [("Timer_WaitOpening", resumes)]
    prop.at(resumes)
    prop.advance(seconds=1)
    assert prop.open_steps(case) == ["Task_NextDayFeedback"]
    task = prop.task(case, "Task_NextDayFeedback")
    assert (task["role"], task["due_at"]) == ("property_csd", due)
    prop.at(due)
    prop.advance(minutes=1)
    assert prop.fired(case) == ["Timer_WaitOpening", "Timer_Feedback_FirstWorkday"]
    assert prop.task(case, "Task_NextDayFeedback")["overdue"]
    prop.complete(case, "Task_NextDayFeedback", {"result": "配件已更换，设备恢复"})
    tail(prop, case, analysis=True)


def test_a_holiday_counts_as_outside_working_hours(prop):
    case = start(prop, received_at="2026-10-03T15:00:00+08:00")
    assert prop.open_steps(case) == ["Task_DutyOnSite"]


def test_another_department_may_register_the_complaint(prop):
    user = prop.user("保安", "property_other_dept")
    case = prop.start("property_major", intake(received_by="other_dept", receiving_dept="工程部"), user=user)
    assert prop.open_steps(case) == ["Task_OnSite"]
