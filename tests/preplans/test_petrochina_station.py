"""Scenarios for the petrochina_station preplan (加油站投诉处理管理办法, source 003 lines 528-660).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday;
working hours are 09:00-18:00 Asia/Shanghai. Step ids are the BPMN ids of
processes/petrochina_station/petrochina_station.bpmn; clause numbers are the source's (第N条).
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "petrochina_station"
MONDAY = "2026-11-23T10:00:00+08:00"

# Form submissions a user would make (only the required fields, unless a test needs a branch).
VALID = {"nature": "valid", "category": "station_service"}
TRANSMITTED = {"handling_method": "由加油站调查处理", "written_notice": "客户投诉加油员服务态度差，请调查处理"}
INVESTIGATED = {"investigation": "经调取监控，加油员态度生硬属实", "countermeasures": "对加油员进行服务规范培训"}
ACCEPTED = {"verification": "已向客户说明调查处理情况", "customer_response": "accepted"}
OBJECTED = {"verification": "客户认为调查不实", "customer_response": "objection"}
REINVESTIGATED = {"cause_analysis": "客服中心派人复核监控", "responsibility_finding": "加油员张某负直接责任"}
REPLIED = {"reply_content": "已电话回复客户处理结果"}
PLAN = {"improvement_plan": "加强班前服务规范检查"}
COUNTERMEASURES = {"countermeasures": "每日班前会检查服务用语"}
REVIEWED = {"review_opinion": "对策可行"}
OPINION = {"handling_opinion": "投诉属实，责任在加油站"}
LEADER_CHOSEN = {"leader_instruction": "立即核实并妥善处理"}


def intake(**changes) -> dict:
    data = {
        "received_at": MONDAY,
        "channel": "hotline_400",
        "customer_name": "刘女士",
        "contact": "13900000000",
        "station": "城东加油站",
        "description": "加油员服务态度差",
        "customer_request": "要求道歉",
    }
    data.update(changes)
    return data


def start(flow, when: str = MONDAY, **changes) -> int:
    flow.at(when)
    return flow.start("petrochina_station", intake(received_at=when, **changes))


#: Counts the case history holds; a scenario that sets one corrects it, as a clerk would for complaints received
#: before the system was in use (the reason is audited).
COUNTED = {
    "quality_complaints_count",
    "quantity_complaints_same_station",
    "station_complaints_this_year",
    "person_complaints_this_year",
}
EARLIER = "本年度此前的投诉在系统启用前登记"


def corrected(data: dict) -> dict[str, str]:
    return {name: EARLIER for name in data if name in COUNTED}


def classify(flow, case, **facts) -> None:
    flow.complete(case, "Task_Classify", {**VALID, **facts}, corrections=corrected(facts))


def transmit(flow, case) -> None:
    flow.complete(case, "Task_Transmit", TRANSMITTED)


def to_verification(flow, case, **facts) -> None:
    """A valid complaint classified, transmitted and fed back by the station (no co-handling, no site survey)."""
    classify(flow, case, **facts)
    transmit(flow, case)
    flow.complete(case, "Task_StationInvestigate", INVESTIGATED)


def to_responsibility(flow, case, **facts) -> None:
    to_verification(flow, case, **facts)
    flow.complete(case, "Task_Verify", ACCEPTED)
    flow.complete(case, "Task_Reply", REPLIED)
    flow.complete(case, "Task_ImprovementPlan", PLAN)
    flow.complete(case, "Task_Countermeasures", COUNTERMEASURES)
    flow.complete(case, "Task_ImprovementReview", REVIEWED)


def due(flow, case, step) -> str:
    return flow.task(case, step)["due_at"]


def role(flow, case, step) -> str:
    return flow.task(case, step)["role"]


@pytest.fixture
def petrochina(flow):
    flow.deploy(PREPLAN)
    return flow


# -- 第五条 level: the decision table on its own, and on a case -------------------------------------------------
NOTHING = {
    "media_involved": False,
    "safety_incident": False,
    "mass_incident": False,
    "food_poisoning": False,
    "strong_attitude_or_short_deadline": False,
    "quality_complaints_count": 0,
    "quantity_complaints_same_station": 0,
}

LEVELS = [  # (what differs from a plain complaint, expected level)
    ({}, 3),
    ({"media_involved": True}, 1),
    ({"quality_complaints_count": 2}, 1),  # 多起 = at least two
    ({"quality_complaints_count": 1}, 3),
    ({"safety_incident": True}, 1),
    ({"mass_incident": True}, 1),
    ({"food_poisoning": True}, 1),
    ({"quantity_complaints_same_station": 2}, 2),  # 两起以上 = at least two
    ({"quantity_complaints_same_station": 1}, 3),
    ({"strong_attitude_or_short_deadline": True}, 2),
    # the most severe level that applies wins
    ({"strong_attitude_or_short_deadline": True, "media_involved": True}, 1),
    ({"quantity_complaints_same_station": 3, "quality_complaints_count": 5}, 1),
    ({"quantity_complaints_same_station": 2, "strong_attitude_or_short_deadline": True}, 2),
]


def test_level_follows_article_5(petrochina):
    with petrochina.engine.db.read() as session:
        for changes, expected in LEVELS:
            result = decide(session, petrochina.engine.settings, "petrochina_station/level", {**NOTHING, **changes})
            assert result == {"level": expected}, changes
    case = start(petrochina)
    classify(petrochina, case, strong_attitude_or_short_deadline=True)
    assert petrochina.show(case)["severity"] == "2"  # what the case list shows
    assert petrochina.data(case)["level"] == 2


# -- 第十四条 / 第十五条 penalties: the decision table on its own ----------------------------------------------------
BASE = ["station_no_awards", "direct_no_awards"]
PENALTIES = [  # (level, overdue h, station's complaints this year, person's, (direct, manager, area), points, sanctions)
    (2, 0, 1, 1, (500, 400, 100), 5, BASE),  # 1000 元 split 50/40/10
    (3, 0, 1, 1, (400, 320, 80), 5, BASE),  # 800 元 split 50/40/10
    (1, 0, 1, 1, (0, 0, 0), 20, ["dismiss_direct", *BASE]),  # 一级: no fine, 免职, 20 points
    # the station's 2nd complaint doubles the manager's share only; the 3rd demotes the manager
    (2, 0, 2, 1, (500, 800, 100), 5, [*BASE, "manager_no_awards"]),
    (3, 0, 3, 1, (400, 640, 80), 5, [*BASE, "manager_no_awards", "demote_station_manager"]),
    (1, 0, 2, 1, (0, 0, 0), 20, ["dismiss_direct", *BASE, "manager_no_awards"]),
    # the directly responsible person's 2nd and 3rd complaint
    (2, 0, 1, 2, (500, 400, 100), 5, [*BASE, "warn_and_transfer_direct"]),
    (2, 0, 1, 3, (500, 400, 100), 5, [*BASE, "terminate_direct"]),
    (3, 0, 3, 4, (400, 640, 80), 5, [*BASE, "manager_no_awards", "demote_station_manager", "terminate_direct"]),
    # 第十五条: overdue under 12 h adds 200 (station manager) and 100 (direct); 12 h or more adds 500 and 200
    (2, 0.5, 1, 1, (600, 600, 100), 5, BASE),
    (2, 11.99, 1, 1, (600, 600, 100), 5, BASE),
    (2, 12, 1, 1, (700, 900, 100), 5, BASE),
    (3, 30, 1, 1, (600, 820, 80), 5, BASE),
    (1, 3, 1, 1, (100, 200, 0), 20, ["dismiss_direct", *BASE]),
    (1, 12, 1, 1, (200, 500, 0), 20, ["dismiss_direct", *BASE]),
    (2, 13, 2, 1, (700, 1300, 100), 5, [*BASE, "manager_no_awards"]),  # doubled share plus the overdue fine
]


def test_penalties_follow_articles_14_and_15(petrochina):
    with petrochina.engine.db.read() as session:
        for level, overdue, station_count, person_count, (direct, manager, area), points, sanctions in PENALTIES:
            data = {
                "level": level,
                "overdue_hours": overdue,
                "station_complaints_this_year": station_count,
                "person_complaints_this_year": person_count,
            }
            result = decide(session, petrochina.engine.settings, "petrochina_station/penalties", data)
            assert result == {
                "fines_yuan": {"direct": direct, "station_manager": manager, "area_manager": area},
                "area_points": points,
                "sanctions": sanctions,
            }, data


# -- 第十二条11 invalid complaints and suggestions ---------------------------------------------------------------
def test_invalid_complaint_is_reported_to_the_director_and_closed(petrochina):
    case = start(petrochina)
    assert petrochina.open_steps(case) == ["Task_Classify"]
    assert role(petrochina, case, "Task_Classify") == "petrochina_csc"
    petrochina.complete(case, "Task_Classify", {"nature": "invalid", "invalid_type": "malicious"})
    assert petrochina.open_steps(case) == ["Task_InvalidOpinion"]
    petrochina.complete(case, "Task_InvalidOpinion", {"handling_opinion": "经查属酒后恶意投诉，为无效投诉"})
    assert petrochina.status(case) == "completed"
    assert "level" not in petrochina.data(case)  # no level for a complaint that is not valid


def test_objection_files_a_new_complaint_form_for_the_director(petrochina):
    upheld = start(petrochina)
    petrochina.complete(upheld, "Task_Classify", {"nature": "suggestion", "suggestion_type": "card_machine"})
    petrochina.complete(upheld, "Task_InvalidOpinion", {"handling_opinion": "属意见建议", "customer_objects": True})
    assert petrochina.open_steps(upheld) == ["Task_NewComplaint"]
    petrochina.complete(
        upheld, "Task_NewComplaint", {"objection": "客户认为属服务问题", "new_complaint_record": "新投诉单"}
    )
    assert role(petrochina, upheld, "Task_DirectorReview") == "petrochina_director"
    petrochina.complete(upheld, "Task_DirectorReview", {"director_decision": "uphold"})
    assert petrochina.status(upheld) == "completed"

    reclassified = start(petrochina)
    petrochina.complete(reclassified, "Task_Classify", {"nature": "suggestion"})
    petrochina.complete(
        reclassified, "Task_InvalidOpinion", {"handling_opinion": "属意见建议", "customer_objects": True}
    )
    petrochina.complete(
        reclassified, "Task_NewComplaint", {"objection": "客户有异议", "new_complaint_record": "新投诉单"}
    )
    petrochina.complete(reclassified, "Task_DirectorReview", {"director_decision": "reclassify"})
    assert petrochina.open_steps(reclassified) == ["Task_Classify"]  # the loop: classified again from the new form
    classify(petrochina, reclassified)
    assert petrochina.open_steps(reclassified) == ["Task_Transmit"]


# -- 第八条 / 第十二条3 levels ----------------------------------------------------------------------------------------
def test_level_1_goes_to_the_leader_at_once_while_handling_goes_on(petrochina):
    case = start(petrochina)
    classify(petrochina, case, media_involved=True)
    assert petrochina.open_steps(case) == ["Task_LeaderInstruction", "Task_Transmit"]
    assert role(petrochina, case, "Task_LeaderInstruction") == "petrochina_leader"
    assert due(petrochina, case, "Task_LeaderInstruction") is None  # 立即: no grace period to count
    petrochina.complete(case, "Task_LeaderInstruction", LEADER_CHOSEN)
    assert petrochina.open_steps(case) == ["Task_OnSite", "Task_Transmit"]
    assert role(petrochina, case, "Task_OnSite") == "petrochina_csc"
    petrochina.complete(case, "Task_OnSite", {"onsite_handling": "客服中心已到现场安抚客户"})
    assert petrochina.open_steps(case) == ["Task_Transmit"]


def test_levels_2_and_3_are_handled_by_the_posts_without_the_leader(petrochina):
    for facts in ({"strong_attitude_or_short_deadline": True}, {}):
        case = start(petrochina)
        classify(petrochina, case, **facts)
        assert petrochina.open_steps(case) == ["Task_Transmit"], facts


# -- 第十二条1、2、10 and 第十三条: investigation ----------------------------------------------------------------------
def test_station_co_handling_and_site_survey_run_in_parallel(petrochina):
    case = start(petrochina)
    classify(
        petrochina,
        case,
        category="quantity_quality",
        involves_metering_quality=True,
        needs_site_survey=True,
        site_survey_needs="客户要求现场检定加油机",
    )
    transmit(petrochina, case)
    assert petrochina.open_steps(case) == ["Task_CoHandle", "Task_SiteSurvey", "Task_StationInvestigate"]
    assert role(petrochina, case, "Task_CoHandle") == "petrochina_ops_safety"
    assert role(petrochina, case, "Task_StationInvestigate") == "petrochina_gas_station"
    assert due(petrochina, case, "Task_StationInvestigate") == "2026-11-23T12:00:00+08:00"  # 2 h from 受理
    petrochina.complete(case, "Task_StationInvestigate", INVESTIGATED)
    petrochina.complete(case, "Task_SiteSurvey", {"survey_findings": "会同加油站经理现场检定"})
    assert petrochina.open_steps(case) == ["Task_CoHandle"]  # verification waits for every branch
    petrochina.complete(case, "Task_CoHandle", {"co_handling_findings": "加油机计量合格"})
    assert petrochina.open_steps(case) == ["Task_Verify"]

    plain = start(petrochina)
    classify(petrochina, plain)
    transmit(petrochina, plain)
    assert petrochina.open_steps(plain) == ["Task_StationInvestigate"]


def test_station_late_after_2_hours_is_urged_and_after_24_hours_taken_over(petrochina):
    case = start(petrochina)
    classify(petrochina, case)
    transmit(petrochina, case)
    assert petrochina.advance(hours=2) == 0  # timers fire strictly after their due time
    petrochina.advance(minutes=1)
    assert petrochina.fired(case) == ["Timer_StationHandling_2h"]
    assert petrochina.open_steps(case) == ["Task_StationInvestigate", "Task_UrgeStation"]
    assert petrochina.task(case, "Task_StationInvestigate")["overdue"]  # still the station's
    petrochina.complete(case, "Task_UrgeStation", {"urge_note": "已电话催促加油站经理"})
    petrochina.advance(hours=22)  # 2026-11-24 10:01, past 24 h from 受理
    assert petrochina.fired(case)[-1] == "Timer_StationFeedback_24h"
    assert petrochina.open_steps(case) == ["Task_TakeOver"]  # taken away from the station
    assert role(petrochina, case, "Task_TakeOver") == "petrochina_csc"
    petrochina.advance(hours=1)
    petrochina.complete(case, "Task_TakeOver", REINVESTIGATED)  # 11:01
    assert due(petrochina, case, "Task_Verify") == "2026-11-24T15:01:00+08:00"  # 4 h after the CSC's own result
    assert petrochina.data(case)["station_fed_back"] is False


# -- 第十二条4 verification and re-investigation ----------------------------------------------------------------------
def test_verification_within_4_hours_of_the_feedback(petrochina):
    case = start(petrochina)
    classify(petrochina, case)
    transmit(petrochina, case)
    petrochina.advance(minutes=30)
    petrochina.complete(case, "Task_StationInvestigate", INVESTIGATED)  # 10:30
    assert due(petrochina, case, "Task_Verify") == "2026-11-23T14:30:00+08:00"
    petrochina.advance(hours=4, minutes=1)
    assert petrochina.fired(case) == ["Timer_Verify_4h"]
    assert petrochina.task(case, "Task_Verify")["overdue"]
    petrochina.complete(case, "Task_Verify", ACCEPTED)
    assert petrochina.open_steps(case) == ["Task_Reply"]


def test_customer_objection_brings_re_investigation_and_verification_again(petrochina):
    case = start(petrochina)
    to_verification(petrochina, case)
    petrochina.complete(case, "Task_Verify", OBJECTED)
    assert petrochina.open_steps(case) == ["Task_Reinvestigate"]
    assert role(petrochina, case, "Task_Reinvestigate") == "petrochina_csc"
    petrochina.advance(hours=1)
    petrochina.complete(case, "Task_Reinvestigate", REINVESTIGATED)  # 11:00, 再次核实 by default
    assert petrochina.open_steps(case) == ["Task_Verify"]
    assert due(petrochina, case, "Task_Verify") == "2026-11-23T15:00:00+08:00"  # 4 h after the new result
    petrochina.complete(case, "Task_Verify", OBJECTED)
    petrochina.complete(case, "Task_Reinvestigate", {**REINVESTIGATED, "verify_again": False})
    assert petrochina.open_steps(case) == ["Task_Reply"]  # the re-investigated result is replied directly


# -- 第十二条6 reply within 24 hours, special cases to the leader -------------------------------------------------------
def test_reply_late_after_24_hours_is_reported_to_the_leader(petrochina):
    case = start(petrochina)
    to_verification(petrochina, case)
    petrochina.complete(case, "Task_Verify", ACCEPTED)
    assert due(petrochina, case, "Task_Reply") == "2026-11-24T10:00:00+08:00"  # 24 h from 受理
    petrochina.advance(hours=24, minutes=1)
    assert petrochina.fired(case) == ["Timer_Reply_24h"]
    assert petrochina.open_steps(case) == ["Task_LeaderSpecial", "Task_Reply"]  # the reply stays with the CSC
    assert role(petrochina, case, "Task_LeaderSpecial") == "petrochina_leader"
    assert petrochina.task(case, "Task_Reply")["overdue"]
    petrochina.complete(case, "Task_LeaderSpecial", {"leader_decision": "同意延后回复"})
    petrochina.complete(case, "Task_Reply", REPLIED)
    assert petrochina.open_steps(case) == ["Task_ImprovementPlan"]


# -- 第十二条5 / 第十三条2 improvement in 3 working days -------------------------------------------------------------------
def test_countermeasures_are_due_in_3_working_days(petrochina):
    case = start(petrochina)
    to_verification(petrochina, case)
    petrochina.complete(case, "Task_Verify", ACCEPTED)
    petrochina.complete(case, "Task_Reply", REPLIED)
    petrochina.advance(days=4)  # Friday 2026-11-27 10:00
    petrochina.complete(case, "Task_ImprovementPlan", PLAN)
    assert role(petrochina, case, "Task_Countermeasures") == "petrochina_gas_station"
    assert due(petrochina, case, "Task_Countermeasures") == "2026-12-02T10:00:00+08:00"  # Wednesday: skips the weekend
    petrochina.advance(days=5, minutes=1)
    assert "Timer_Countermeasures_3WD" in petrochina.fired(case)
    assert petrochina.task(case, "Task_Countermeasures")["overdue"]
    petrochina.complete(case, "Task_Countermeasures", COUNTERMEASURES)
    assert petrochina.open_steps(case) == ["Task_ImprovementReview"]


# -- 第十二条7、9: responsibility, objection, approval ---------------------------------------------------------------
def test_station_objection_goes_to_the_leader_who_may_send_the_opinion_back(petrochina):
    case = start(petrochina)
    to_responsibility(petrochina, case)
    petrochina.complete(case, "Task_Responsibility", OPINION)
    petrochina.complete(case, "Task_StationOpinion", {"station_objects": True, "objection_statement": "责任在客户"})
    assert role(petrochina, case, "Task_LeaderRuling") == "petrochina_leader"
    petrochina.complete(case, "Task_LeaderRuling", {"ruling": "revise", "ruling_note": "重新核实责任"})
    assert petrochina.open_steps(case) == ["Task_Responsibility"]
    petrochina.complete(case, "Task_Responsibility", {"handling_opinion": "责任减轻，仍属加油站责任"})
    petrochina.complete(case, "Task_StationOpinion", {"station_objects": True})
    petrochina.complete(case, "Task_LeaderRuling", {"ruling": "uphold"})
    assert petrochina.open_steps(case) == ["Task_SupervisorApproval"]
    assert role(petrochina, case, "Task_SupervisorApproval") == "petrochina_station_supervisor"


def test_not_the_station_s_fault_means_no_penalties(petrochina):
    case = start(petrochina)
    to_responsibility(petrochina, case)
    petrochina.complete(case, "Task_Responsibility", {**OPINION, "station_responsible": False})
    petrochina.complete(case, "Task_StationOpinion", {})
    assert petrochina.open_steps(case) == ["Task_FollowUp"]
    assert "fines_yuan" not in petrochina.data(case)


def close_level2_case(petrochina) -> int:
    """二级 complaint, station feeds back after 3 h (1 h overdue), its 2nd complaint this year, the employee's 2nd."""
    case = start(petrochina)
    classify(petrochina, case, quantity_complaints_same_station=2)
    transmit(petrochina, case)
    petrochina.advance(hours=3)
    petrochina.complete(case, "Task_UrgeStation", {"urge_note": "已催促"})
    petrochina.complete(case, "Task_StationInvestigate", INVESTIGATED)  # 13:00
    petrochina.complete(case, "Task_Verify", ACCEPTED)
    petrochina.complete(case, "Task_Reply", REPLIED)
    petrochina.complete(case, "Task_ImprovementPlan", PLAN)
    petrochina.complete(case, "Task_Countermeasures", COUNTERMEASURES)
    petrochina.complete(case, "Task_ImprovementReview", REVIEWED)
    counts = {"station_complaints_this_year": 2, "person_complaints_this_year": 2}
    petrochina.complete(
        case,
        "Task_Responsibility",
        {**OPINION, **counts, "customer_loss_yuan": 300},
        corrections=corrected(counts),
    )
    petrochina.complete(case, "Task_StationOpinion", {"staff_handling_proposal": "加油员停岗培训"})
    data = petrochina.data(case)
    assert data["overdue_hours"] == 1.0
    assert data["fines_yuan"] == {"direct": 600, "station_manager": 1000, "area_manager": 100}
    assert data["area_points"] == 5
    assert data["sanctions"] == [*BASE, "manager_no_awards", "warn_and_transfer_direct"]
    petrochina.complete(case, "Task_SupervisorApproval", {"approval_instruction": "同意"})
    assert petrochina.open_steps(case) == ["Task_HRCountersign"]  # 警告处分 is an administrative sanction
    assert role(petrochina, case, "Task_HRCountersign") == "petrochina_hr"
    petrochina.complete(case, "Task_HRCountersign", {"hr_opinion": "同意"})
    petrochina.complete(case, "Task_FollowUp", {"follow_up_result": "客户满意"})
    petrochina.complete(case, "Task_Bulletin", {"bulletin": "投诉处理意见通报"})
    return case


def test_full_case_records_its_penalties_and_closes(petrochina):
    case = close_level2_case(petrochina)
    assert petrochina.status(case) == "completed"
    assert petrochina.data(case)["fines_yuan"]["station_manager"] == 1000  # kept in the case data at closure


def test_fines_appear_on_the_closed_case_page(petrochina):
    case = close_level2_case(petrochina)
    petrochina.user("auditor", "admin")
    page = petrochina.page("auditor", f"/cases/{case}")
    assert "罚款（元）" in page
    assert "直接责任人: 600; 加油站经理: 1000; 片区经理: 100" in page
    assert "加油站经理取消本年评先评优资格" in page


def test_station_that_never_feeds_back_is_fined_at_the_12_hour_tier(petrochina):
    case = start(petrochina)
    classify(petrochina, case)  # 三级
    transmit(petrochina, case)
    petrochina.advance(hours=24, minutes=1)
    petrochina.complete(case, "Task_UrgeStation", {"urge_note": "已催促"})
    petrochina.complete(case, "Task_TakeOver", REINVESTIGATED)
    petrochina.complete(case, "Task_Verify", ACCEPTED)
    petrochina.complete(case, "Task_LeaderSpecial", {"leader_decision": "尽快回复"})
    petrochina.complete(case, "Task_Reply", REPLIED)
    for step, data in (
        ("Task_ImprovementPlan", PLAN),
        ("Task_Countermeasures", COUNTERMEASURES),
        ("Task_ImprovementReview", REVIEWED),
        ("Task_Responsibility", OPINION),
        ("Task_StationOpinion", {}),
    ):
        petrochina.complete(case, step, data)
    data = petrochina.data(case)
    assert data["overdue_hours"] == 22.0  # from 2 h to 24 h after 受理
    assert data["fines_yuan"] == {"direct": 600, "station_manager": 820, "area_manager": 80}
    petrochina.complete(case, "Task_SupervisorApproval", {"approval_instruction": "同意"})
    assert petrochina.open_steps(case) == ["Task_FollowUp"]  # no administrative sanction: no HR countersign
