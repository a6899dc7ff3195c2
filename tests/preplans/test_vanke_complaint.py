"""Scenarios for the vanke_complaint preplan (万科投诉处理办法, source 003 lines 8-178).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday;
working hours are 09:00-18:00 Asia/Shanghai. National Day 2026: 10-01..10-07 off, Saturday 10-10 a make-up
workday. Step ids are the BPMN ids of processes/vanke_complaint/vanke_complaint.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "vanke_complaint"
MONDAY = "2026-11-23T10:00:00+08:00"

# Form submissions a user would make (only the required fields, unless a test needs a branch).
#: The unit the CSC hands a complaint to (a department, created by the ``vanke`` fixture): its specialists take over.
DISPATCH = {"dispatch_to_type": "department_owner", "dispatch_to": "vanke_engineering"}
WRITTEN = {"written_report": "已收到转达，正在处理"}
VALID = {"validity": "valid", "assess_opinion": "安排维修"}
INVESTIGATED = {"facts": "经现场查验，属施工质量问题", "responsibility": "ours"}
RESOLVED = {"outcome": "resolved", "resolution": "已维修完毕，客户确认"}
NOTICE = {"notice": "目前处理情况简述"}
NOTICE_MAJOR = {"notice": "目前处理情况简述", "commander": "王总"}


def intake(**changes) -> dict:
    data = {
        "channel": "phone",
        "received_at": MONDAY,
        "complainant_name": "张三",
        "contact": "13800000000",
        "project": "万科城",
        "customer_class": "owner",
        "content_type": "engineering_quality",
        "description": "卫生间漏水",
        "complainant_count": 1,
    }
    data.update(changes)
    return data


def start(flow, when: str = MONDAY, **changes) -> int:
    """Register a complaint received at ``when`` (the clock is set to that moment). A scenario that sets the
    30-day count corrects it, with the reason a clerk would give."""
    flow.at(when)
    corrections = (
        {"same_issue_complainants_30d": "另外几位业主此前反映同一问题，登记在系统启用之前"}
        if "same_issue_complainants_30d" in changes
        else None
    )
    return flow.start("vanke_complaint", intake(received_at=when, **changes), corrections=corrections)


def accept(flow, case) -> None:
    """CSC dispatches (if it has to) and confirms the class; the specialist confirms in writing and judges the
    complaint valid. Leaves the case in handling (or at the major-report step)."""
    steps = flow.open_steps(case)
    if "Task_Dispatch" in steps:
        flow.complete(case, "Task_Dispatch", DISPATCH)
        flow.complete(case, "Task_WrittenReport", WRITTEN)
    flow.complete(case, "Task_ConfirmSeverity", {})
    flow.complete(case, "Task_Assess", VALID)


def notify_class(flow, case) -> None:
    """Complete the class notification that the classification opened, if any."""
    steps = flow.open_steps(case)
    if "Task_NotifyMajor" in steps:
        flow.complete(case, "Task_NotifyMajor", NOTICE_MAJOR)
    if "Task_NotifyHot" in steps:
        flow.complete(case, "Task_NotifyHot", NOTICE)


def handle(flow, case) -> None:
    flow.complete(case, "Task_Investigate", INVESTIGATED)
    flow.complete(case, "Task_Resolve", RESOLVED)


def due(flow, case, step) -> str:
    return flow.task(case, step)["due_at"]


def timer_due(flow, case, timer) -> str:
    (found,) = [t["due_at"] for t in flow.show(case)["timers"] if t["bpmn_id"] == timer]
    return found


def complete_first(flow, case, step, data) -> None:
    """Complete the oldest of several open instances of a step (e.g. weekly flash reports)."""
    task = next(t for t in flow.open_tasks(case) if t["bpmn_id"] == step)
    flow.engine.complete(task["id"], data, user=flow.user_for(task["role"]))


def severity(flow, case) -> str:
    return flow.show(case)["severity"]


@pytest.fixture
def vanke(flow):
    flow.deploy(PREPLAN)
    flow.unit("vanke_engineering", "工程管理部", kind="department")
    return flow


# -- 5.5.1 classification: the decision table on its own, and on a case --------------------------------------
NOTHING = {
    "lawsuit_filed": False,
    "media_exposed": False,
    "complainant_count": 1,
    "lawsuit_or_media_risk": False,
    "same_issue_complainants_30d": 0,
    "second_complaint_after_close": False,
    "needs_external_support": False,
}

DECISIONS = [  # (what differs from a plain single complaint, expected class)
    ({}, "general"),
    ({"lawsuit_filed": True}, "major"),
    ({"media_exposed": True}, "major"),
    ({"complainant_count": 10}, "major"),
    ({"complainant_count": 9}, "hot"),
    ({"complainant_count": 3}, "hot"),
    ({"complainant_count": 2}, "general"),
    ({"lawsuit_or_media_risk": True}, "hot"),
    ({"same_issue_complainants_30d": 3}, "hot"),
    ({"same_issue_complainants_30d": 2}, "general"),
    ({"second_complaint_after_close": True}, "important"),
    ({"needs_external_support": True}, "important"),
    # the most severe class that applies wins
    ({"needs_external_support": True, "lawsuit_or_media_risk": True}, "hot"),
    ({"second_complaint_after_close": True, "complainant_count": 12}, "major"),
    ({"lawsuit_or_media_risk": True, "media_exposed": True}, "major"),
    ({"same_issue_complainants_30d": 5, "complainant_count": 4, "needs_external_support": True}, "hot"),
]


def test_severity_follows_clause_5_5_1(vanke):
    with vanke.engine.db.read() as session:
        for changes, expected in DECISIONS:
            result = decide(session, vanke.engine.settings, "vanke_complaint/severity", {**NOTHING, **changes})
            assert result == {"severity": expected}, changes
    case = start(vanke, media_exposed=True)
    assert severity(vanke, case) == "major"  # what the case list shows from the start


# -- 5.2 intake and dispatch -----------------------------------------------------------------------------------
DISPATCH_DEADLINES = [  # (received at, channel, dispatch due) — 5.2.2 A–E
    ("2026-11-23T10:00:00+08:00", "phone", "2026-11-23T10:30:00+08:00"),  # A: phone, working time
    ("2026-11-23T17:45:00+08:00", "email", "2026-11-23T18:15:00+08:00"),  # B: e-mail, working time (clock time)
    ("2026-11-23T10:00:00+08:00", "forum", "2026-11-23T11:00:00+08:00"),  # C: forum, 1 h after the post
    ("2026-11-23T20:00:00+08:00", "email", "2026-11-24T10:00:00+08:00"),  # D: after close -> 1 h after work starts
    ("2026-11-24T07:30:00+08:00", "forum", "2026-11-24T10:00:00+08:00"),  # D: before work starts that day
    ("2026-11-23T21:00:00+08:00", "phone", "2026-11-24T10:00:00+08:00"),  # D for phone (our choice)
    ("2026-10-09T19:00:00+08:00", "email", "2026-10-10T10:00:00+08:00"),  # D: next workday is make-up Saturday
    ("2026-10-10T10:00:00+08:00", "phone", "2026-10-10T10:30:00+08:00"),  # A on the make-up Saturday
    ("2026-10-03T11:00:00+08:00", "email", "2026-10-03T23:59:59+08:00"),  # E: National Day -> same day
    ("2026-11-28T16:00:00+08:00", "forum", "2026-11-28T23:59:59+08:00"),  # E: ordinary weekend -> same day
]


def test_dispatch_deadline_follows_5_2_2(vanke):
    for received_at, channel, expected in DISPATCH_DEADLINES:
        case = start(vanke, received_at, channel=channel)
        assert due(vanke, case, "Task_Dispatch") == expected, (received_at, channel)


def test_who_received_the_complaint_decides_whether_csc_dispatches_it(vanke):
    for received_by in ("csc", "employee"):
        case = start(vanke, received_by=received_by)
        assert vanke.open_steps(case) == ["Task_ConfirmSeverity", "Task_Dispatch"], received_by
    case = start(vanke, received_by="specialist")  # 5.2.3: handled per 《客户专员操作指引》
    assert vanke.open_steps(case) == ["Task_Assess", "Task_ConfirmSeverity"]
    assert vanke.data(case)["dispatch_due"] is None


def test_late_dispatch_and_late_written_confirmation_stay_open_and_overdue(vanke):
    case = start(vanke)
    assert vanke.advance(minutes=29) == 0
    assert vanke.advance(minutes=2) == 1
    assert vanke.fired(case) == ["Timer_Dispatch_Due"]
    assert vanke.task(case, "Task_Dispatch")["overdue"]
    vanke.complete(case, "Task_Dispatch", DISPATCH)  # 10:31, late but still possible
    assert vanke.open_steps(case) == ["Task_Assess", "Task_ConfirmSeverity", "Task_WrittenReport"]
    assert due(vanke, case, "Task_WrittenReport") == "2026-11-23T14:31:00+08:00"  # 5.2.5: 4 h after receipt
    assert due(vanke, case, "Task_Assess") == "2026-11-23T14:31:00+08:00"  # 4.1.1.1: 4 h after 受理
    vanke.advance(hours=4, minutes=1)
    assert sorted(vanke.fired(case)) == ["Timer_Assess_4h", "Timer_Dispatch_Due", "Timer_WrittenReport_4h"]
    assert vanke.task(case, "Task_WrittenReport")["overdue"] and vanke.task(case, "Task_Assess")["overdue"]
    vanke.complete(case, "Task_ConfirmSeverity", {})
    vanke.complete(case, "Task_Assess", VALID)
    assert vanke.open_steps(case) == ["Task_Investigate", "Task_WrittenReport"]  # no forum reply for a phone call


# -- 5.3 forum complaints and 5.5.2.5 closure notice by channel -------------------------------------------------
def test_forum_complaint_is_answered_online_and_needs_no_closure_notice(vanke):
    case = start(vanke, channel="forum")
    vanke.advance(minutes=40)
    vanke.complete(case, "Task_Dispatch", DISPATCH)
    assert due(vanke, case, "Task_ForumReply") == "2026-11-23T14:40:00+08:00"  # 4 h after CSC forwarded it
    vanke.complete(case, "Task_WrittenReport", WRITTEN)
    vanke.complete(case, "Task_ConfirmSeverity", {})
    vanke.complete(case, "Task_Assess", VALID)
    assert vanke.open_steps(case) == ["Task_ForumReply"]  # handling waits for the acknowledgement reply
    vanke.advance(hours=4, minutes=1)
    assert vanke.fired(case)[-1] == "Timer_ForumReply_4h"
    assert vanke.task(case, "Task_ForumReply")["overdue"]
    vanke.complete(case, "Task_ForumReply", {"forum_reply": "感谢您的反馈，投诉已受理。上海万科客户服务中心"})
    handle(vanke, case)
    assert vanke.status(case) == "completed"


# -- 4.1.1 valid or not ----------------------------------------------------------------------------------------
def test_doubtful_status_goes_to_csc_which_answers_within_four_hours(vanke):
    case = start(vanke, received_by="specialist")
    vanke.complete(case, "Task_ConfirmSeverity", {})
    assert due(vanke, case, "Task_Assess") == "2026-11-23T14:00:00+08:00"
    vanke.complete(case, "Task_Assess", {"validity": "unsure", "assess_opinion": "是否属保修范围难以确定"})
    assert vanke.open_steps(case) == ["Task_StatusAnswer"]
    assert vanke.task(case, "Task_StatusAnswer")["role"] == "vanke_csc"
    assert due(vanke, case, "Task_StatusAnswer") == "2026-11-23T14:00:00+08:00"
    vanke.advance(hours=4, minutes=1)
    assert vanke.fired(case) == ["Timer_StatusAnswer_4h"]
    assert vanke.task(case, "Task_StatusAnswer")["overdue"]
    vanke.complete(case, "Task_StatusAnswer", {"validity": "invalid", "status_answer": "不属保修范围"})
    assert vanke.open_steps(case) == ["Task_Investigate"]
    assert vanke.data(case)["validity"] == "invalid"


# -- 4.3.2 / 4.1.2 major or urgent complaints a specialist received --------------------------------------------
def test_major_complaint_of_a_specialist_is_reported_and_answered_within_24_hours(vanke):
    case = start(vanke, received_by="specialist", media_exposed=True)
    vanke.complete(case, "Task_ConfirmSeverity", {})
    vanke.advance(hours=2)
    vanke.complete(case, "Task_Assess", VALID)
    assert "Task_ReportMajor" in vanke.open_steps(case)
    assert due(vanke, case, "Task_ReportMajor") == "2026-11-23T14:00:00+08:00"  # 4 h after 受理, not after the step
    vanke.advance(hours=2, minutes=1)
    assert vanke.fired(case) == ["Timer_ReportMajor_4h"]
    assert vanke.task(case, "Task_ReportMajor")["overdue"]
    vanke.complete(case, "Task_ReportMajor", {"major_report": "媒体已曝光，业主情绪激动"})
    assert due(vanke, case, "Task_PreliminaryReply") == "2026-11-24T14:01:00+08:00"
    vanke.advance(hours=24, minutes=1)
    assert vanke.fired(case)[-1] == "Timer_PreliminaryReply_24h"
    assert vanke.task(case, "Task_PreliminaryReply")["overdue"]
    vanke.complete(
        case,
        "Task_PreliminaryReply",
        {"expert_opinion": "先行维修", "preliminary_reply": "已安排维修", "handling_plan": "三日内完成维修"},
    )
    assert "Task_Investigate" in vanke.open_steps(case)


def test_only_major_or_urgent_complaints_of_a_specialist_are_reported_to_csc(vanke):
    urgent = start(vanke, received_by="specialist")
    vanke.complete(urgent, "Task_ConfirmSeverity", {})
    vanke.complete(urgent, "Task_Assess", {**VALID, "urgent": True})
    assert vanke.open_steps(urgent) == ["Task_ReportMajor"]

    plain = start(vanke, received_by="specialist")
    accept(vanke, plain)
    assert vanke.open_steps(plain) == ["Task_Investigate"]

    via_csc = start(vanke, lawsuit_filed=True)  # the CSC already has it
    accept(vanke, via_csc)
    assert vanke.open_steps(via_csc) == ["Task_Investigate", "Task_NotifyMajor"]


# -- 5.5.2 notices once the class is decided (5.5.2.5: the CSC decides it) --------------------------------------
def test_hot_complaint_is_notified_within_one_working_day(vanke):
    case = start(vanke, "2026-11-27T15:00:00+08:00", complainant_count=4)  # a Friday
    assert severity(vanke, case) == "hot"
    vanke.complete(case, "Task_ConfirmSeverity", {})
    assert due(vanke, case, "Task_NotifyHot") == "2026-11-30T15:00:00+08:00"  # the next working day
    vanke.advance(days=3, minutes=1)
    assert "Timer_NotifyHot_1WD" in vanke.fired(case)
    assert vanke.task(case, "Task_NotifyHot")["overdue"]


def test_class_notices_and_the_csc_right_to_reclassify(vanke):
    major = start(vanke, complainant_count=10)
    vanke.complete(major, "Task_ConfirmSeverity", {})
    assert vanke.open_steps(major) == ["Task_Dispatch", "Task_NotifyMajor"]
    assert vanke.task(major, "Task_NotifyMajor")["due_at"] is None  # 即时: no grace period to count

    for changes in ({"needs_external_support": True}, {}):
        quiet = start(vanke, **changes)
        vanke.complete(quiet, "Task_ConfirmSeverity", {})
        assert vanke.open_steps(quiet) == ["Task_Dispatch"], changes

    raised = start(vanke, content_type="property_management")
    vanke.complete(raised, "Task_ConfirmSeverity", {"severity_decision": "hot", "severity_reason": "业主扬言找媒体"})
    assert severity(vanke, raised) == "hot"
    assert "Task_NotifyHot" in vanke.open_steps(raised)
    # 5.5.2.6: notices about property-management complaints also go to 物业管理部
    assert [vanke.data(c)["notify_property_dept"] for c in (raised, major)] == [True, False]


# -- 5.4 handling ----------------------------------------------------------------------------------------------
def test_group_complaint_brings_the_principal_leader_out_first(vanke):
    group = start(vanke, complainant_count=3)
    accept(vanke, group)
    assert "Task_Investigate" not in vanke.open_steps(group)
    assert vanke.task(group, "Task_LeaderAppear")["role"] == "vanke_leader"
    vanke.complete(group, "Task_LeaderAppear", {"leader_meeting": "总经理当天接待业主代表"})
    assert "Task_Investigate" in vanke.open_steps(group)

    pair = start(vanke, complainant_count=2)
    accept(vanke, pair)
    assert vanke.open_steps(pair) == ["Task_Investigate"]


def test_compensation_follow_up_and_blocked_handling(vanke):
    case = start(vanke)
    accept(vanke, case)
    vanke.complete(case, "Task_Investigate", {**INVESTIGATED, "compensation": True})
    assert vanke.open_steps(case) == ["Task_Compensation"]
    vanke.complete(
        case,
        "Task_Compensation",
        {"compensation_plan": "减免一年物业费", "third_party": True, "third_party_name": "消费者协会"},
    )
    vanke.complete(case, "Task_Resolve", {"outcome": "in_progress", "resolution": "等待材料到货"})
    assert vanke.open_steps(case) == ["Task_FollowUp"]
    vanke.complete(case, "Task_FollowUp", {"progress": "材料下周到货，已告知客户"})
    vanke.complete(case, "Task_Resolve", {"outcome": "blocked", "resolution": "须等待法院判决"})
    assert vanke.open_steps(case) == ["Task_NotifyBlocked"]
    assert vanke.task(case, "Task_NotifyBlocked")["role"] == "vanke_csc"
    vanke.complete(case, "Task_NotifyBlocked", {"blocked_reason": "涉诉，须等待法院判决"})
    vanke.complete(case, "Task_Resolve", RESOLVED)
    assert vanke.open_steps(case) == ["Task_NotifyClosure"]


# -- 5.5.1 escalation by elapsed time and 5.5.2.4 weekly flash reports ------------------------------------------
def test_one_week_unresolved_through_our_fault_becomes_hot(vanke):
    case = start(vanke)
    accept(vanke, case)
    assert vanke.advance(days=6, hours=23) == 0
    vanke.advance(hours=1, minutes=1)
    assert "Timer_Week" in vanke.fired(case)
    assert severity(vanke, case) == "general"  # only the CSC's confirmation raises it
    vanke.complete(case, "Task_ConfirmWeek", {"our_fault": True})  # Monday 2026-11-30 10:01
    assert severity(vanke, case) == "hot"
    assert due(vanke, case, "Task_NotifyHotEscalated") == "2026-12-01T10:01:00+08:00"
    vanke.advance(days=1, minutes=1)
    assert vanke.fired(case)[-1] == "Timer_NotifyHotEscalated_1WD"
    assert vanke.task(case, "Task_NotifyHotEscalated")["overdue"]
    assert "Task_Investigate" in vanke.open_steps(case)  # handling goes on


def test_general_complaint_delayed_not_by_us_stays_general_and_gets_no_flash_reports(vanke):
    case = start(vanke)
    accept(vanke, case)
    vanke.advance(days=7, minutes=1)
    vanke.complete(case, "Task_ConfirmWeek", {"our_fault": False})
    for _ in range(2):
        vanke.advance(days=7, minutes=1)
    assert vanke.fired(case).count("Timer_WeeklyFlash") == 3
    assert vanke.open_steps(case) == ["Task_Investigate"]
    assert severity(vanke, case) == "general"


def test_one_month_unresolved_through_our_fault_becomes_major_and_flash_reports_start(vanke):
    case = start(vanke)
    accept(vanke, case)
    vanke.advance(days=7, minutes=1)
    vanke.complete(case, "Task_ConfirmWeek", {"our_fault": True})
    vanke.complete(case, "Task_NotifyHotEscalated", NOTICE)
    assert timer_due(vanke, case, "Timer_Month") == "2026-12-23T10:00:00+08:00"  # received_at + 1 calendar month
    vanke.advance(days=22, hours=23)  # 2026-12-23 09:01
    assert vanke.open_steps(case) == ["Task_Investigate"]  # hot, not major: no 快报 in the weekly ticks so far
    vanke.advance(hours=1)
    assert "Timer_Month" in vanke.fired(case)
    vanke.complete(case, "Task_ConfirmMonth", {"our_fault": True})
    assert severity(vanke, case) == "major"
    assert vanke.task(case, "Task_NotifyMajorEscalated")["due_at"] is None  # 即时通报
    vanke.complete(case, "Task_NotifyMajorEscalated", NOTICE_MAJOR)
    vanke.advance(days=5)  # the next weekly tick (handling started Monday 11-23 10:00)
    assert vanke.open_steps(case) == ["Task_FlashReport", "Task_Investigate"]


def test_time_escalation_only_ever_raises_the_class(vanke):
    hot = start(vanke, lawsuit_or_media_risk=True)
    major = start(vanke, media_exposed=True)
    for case in (hot, major):
        accept(vanke, case)
        notify_class(vanke, case)
    for _ in range(4):
        vanke.advance(days=7, minutes=1)
    vanke.advance(days=2)  # 2026-12-23 10:04: past one week and one month
    assert {"Timer_Week", "Timer_Month"} <= set(vanke.fired(hot)) & set(vanke.fired(major))
    assert vanke.open_steps(hot) == ["Task_ConfirmMonth", "Task_Investigate"]  # hot may still become major
    assert vanke.open_steps(major) == ["Task_FlashReport"] * 4 + ["Task_Investigate"]  # four weekly 快报, no raise
    assert (severity(vanke, hot), severity(vanke, major)) == ("hot", "major")


def test_major_complaint_gets_a_flash_report_every_week_until_handling_ends(vanke):
    case = start(vanke, media_exposed=True)
    accept(vanke, case)
    notify_class(vanke, case)
    for _ in range(3):
        vanke.advance(days=7, minutes=1)
    assert vanke.open_steps(case).count("Task_FlashReport") == 3
    assert vanke.fired(case).count("Timer_WeeklyFlash") == 3
    complete_first(vanke, case, "Task_FlashReport", {"flash_report": "第一周快报"})
    assert vanke.open_steps(case).count("Task_FlashReport") == 2
    handle(vanke, case)
    # handling is over: the weekly timer stops and flash reports not yet sent are withdrawn
    assert "Timer_WeeklyFlash" not in vanke.timers(case)
    assert vanke.open_steps(case) == ["Task_NotifyClosure"]
    vanke.advance(days=7, minutes=1)
    assert vanke.open_steps(case) == ["Task_NotifyClosure"]


# -- after handling: reports by class (5.5.2.1-5.5.2.4, 5.6.2.3) ------------------------------------------------
REPORTS = [  # (class, intake changes, report steps in order)
    ("general", {}, []),  # only aggregated in the monthly report
    # 16 / 5.5.1.3: a second complaint after the first case closed is a new case, at least 重要
    ("important", {"second_complaint_after_close": True}, [("Task_ReportItem", {"report_summary": "处理过程简述"})]),
    ("hot", {"same_issue_complainants_30d": 3}, [("Task_BriefReport", {"report_course": "始末"})]),
    (
        "major",
        {"media_exposed": True},
        [
            ("Task_DetailedReport", {"report_course": "始末", "report_causes": "原因", "report_measures": "措施"}),
            ("Task_CaseAnalysis", {"case_analysis": "个案分析"}),
        ],
    ),
]


def test_each_class_reports_after_handling_and_the_case_completes(vanke):
    for expected, changes, reports in REPORTS:
        case = start(vanke, **changes)
        assert severity(vanke, case) == expected
        accept(vanke, case)
        notify_class(vanke, case)
        handle(vanke, case)
        assert vanke.open_steps(case) == ["Task_NotifyClosure"], expected  # a phone complaint: tell the group
        vanke.complete(case, "Task_NotifyClosure", {"closure_summary": "已处理完毕"})
        for step, data in reports:
            assert vanke.open_steps(case) == [step], expected
            vanke.complete(case, step, data)
        assert vanke.status(case) == "completed", expected


# -- facts_changed: new facts while the case runs re-run the 5.5.1 decision ----------------------------------------
def test_media_exposure_during_handling_raises_the_class_and_the_major_path_follows(vanke):
    case = start(vanke)
    accept(vanke, case)
    assert severity(vanke, case) == "general"
    csc = vanke.user_for("vanke_csc")
    answer = vanke.engine.send_message(
        case, "facts_changed", {"media_exposed": True, "note": "业主将漏水视频发至微博"}, user=csc
    )
    assert answer["caught"] == [{"bpmn_id": "Start_FactsChanged", "name": "投诉事实变化"}]
    assert severity(vanke, case) == "major"
    notice = vanke.task(case, "Task_NotifyMajorFacts")
    assert notice["role"] == "vanke_csc" and answer["opened"] == [notice["id"]]
    told = [n for n in vanke.engine.open_inbox(csc) if n.get("task") == notice["id"]]
    assert [n["kind"] for n in told] == ["assigned"]  # the CSC, who sends the 即时通报, is told at once
    vanke.complete(case, "Task_NotifyMajorFacts", NOTICE_MAJOR)
    handle(vanke, case)
    vanke.complete(case, "Task_NotifyClosure", {"closure_summary": "已处理完毕"})
    assert vanke.open_steps(case) == ["Task_DetailedReport"]  # the major class's report, not the general one's


def test_new_facts_that_do_not_raise_the_class_change_nothing(vanke):
    case = start(vanke, complainant_count=3)  # hot
    answer = vanke.engine.send_message(case, "facts_changed", {"complainant_count": 4})
    assert answer["opened"] == [] and severity(vanke, case) == "hot"
    answer = vanke.engine.send_message(case, "facts_changed", {"complainant_count": 1})
    assert severity(vanke, case) == "hot"  # the class never falls
    raised = vanke.engine.send_message(case, "facts_changed", {"lawsuit_filed": True})
    assert severity(vanke, case) == "major"
    assert [t["bpmn_id"] for t in raised["tasks"] if t["id"] in raised["opened"]] == ["Task_NotifyMajorFacts"]


def test_a_rise_to_hot_is_notified_within_one_working_day(vanke):
    case = start(vanke)
    answer = vanke.engine.send_message(case, "facts_changed", {"lawsuit_or_media_risk": True})
    assert severity(vanke, case) == "hot"
    assert [t["bpmn_id"] for t in answer["tasks"] if t["id"] in answer["opened"]] == ["Task_NotifyHotFacts"]
    assert due(vanke, case, "Task_NotifyHotFacts") == "2026-11-24T10:00:00+08:00"
