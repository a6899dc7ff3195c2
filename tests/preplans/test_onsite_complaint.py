"""Scenarios for the onsite_complaint preplan (客户现场投诉应急预案范文, source 001 lines 107-115).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source says "在规定时间内" without a value; the preplan uses 24 clock hours (see README). Step ids are the BPMN ids of
processes/onsite_complaint/onsite_complaint.bpmn.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "onsite_complaint"
FORMS = ROOT / "forms"
MONDAY = "2026-11-23T10:00:00+08:00"

GENERAL = {"nature": "general", "urgency": "normal"}
MAJOR = {"nature": "major", "urgency": "urgent"}
HANDLED = {"handling": "已更换商品", "customer_feedback": "已当面告知客户"}
REPORTED = {"result_summary": "客户接受处理", "written_report": "书面报告全文"}
LESSONS = {"causes": "出库检验疏漏", "improvements": "增加出库复检"}
MEETING = {
    "plan": "由销售部门负责安抚客户，技术部门检测",
    "departments": ["sales", "technical"],
    "duties": "销售：安抚并退换；技术：检测并出具报告",
}


@pytest.fixture
def onsite(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    data = {
        "received_at": MONDAY,
        "location": "一楼服务大厅",
        "receiving_department": "客服部",
        "complainant_name": "王女士",
        "content": "购买的商品有质量问题",
    }
    data.update(changes)
    return flow.start("onsite_complaint", data)


def departments_report(flow, case, results: dict[str, str]) -> None:
    """Each department completes its own instance of 各部门按职责处理."""
    flow.complete_each(
        case,
        "Task_DeptHandle",
        [{"reporting_department": d, "handling_result": result} for d, result in results.items()],
    )


def close(flow, case) -> None:
    flow.complete(case, "Task_Report", REPORTED)
    flow.complete(case, "Task_Review", {"resolved": True})
    assert flow.open_steps(case) == ["Task_Summary"]
    flow.complete(case, "Task_Summary", LESSONS)
    assert flow.status(case) == "completed"


# -- 四.1-四.3(1): a general complaint of one department ------------------------------------------------------------
def test_general_complaint_is_handled_by_the_department_within_24_hours(onsite):
    case = start(onsite)
    assert onsite.show(case)["title"] == "一楼服务大厅：王女士"
    assert onsite.open_steps(case) == ["Task_Assess"]
    assert onsite.task(case, "Task_Assess")["role"] == "onsite_group"
    onsite.advance(minutes=30)
    onsite.complete(case, "Task_Assess", GENERAL)
    assert onsite.show(case)["severity"] == "general"
    assert onsite.open_steps(case) == ["Task_Handle"]
    handle = onsite.task(case, "Task_Handle")
    assert (handle["role"], handle["due_at"]) == ("onsite_dept_head", "2026-11-24T10:30:00+08:00")
    onsite.complete(case, "Task_Handle", HANDLED)
    assert onsite.open_steps(case) == ["Task_Report"]
    assert onsite.task(case, "Task_Report")["role"] == "onsite_dept_head"
    onsite.complete(case, "Task_Report", REPORTED)
    assert onsite.task(case, "Task_Review")["role"] == "onsite_group"
    onsite.complete(case, "Task_Review", {"resolved": True})
    assert onsite.task(case, "Task_Summary")["form"] == "_dining/lessons.schema.json"  # shared with generic_4phase
    onsite.complete(case, "Task_Summary", LESSONS)
    assert onsite.status(case) == "completed"
    assert onsite.data(case)["improvements"] == "增加出库复检"


def test_missed_deadline_is_escalated_to_the_group_and_recorded_as_a_breach(onsite):
    case = start(onsite)
    onsite.complete(case, "Task_Assess", GENERAL)
    assert onsite.advance(hours=23, minutes=59) == 0
    assert onsite.advance(minutes=2) == 1
    assert onsite.fired(case) == ["Timer_Handle_24h"]
    assert onsite.open_steps(case) == ["Task_Breach", "Task_Handle"]  # the department keeps the work
    assert onsite.task(case, "Task_Handle")["overdue"]
    assert onsite.task(case, "Task_Breach")["role"] == "onsite_group"
    onsite.complete(case, "Task_Breach", {"breach": "超过24小时未处理", "action": "通报批评并扣减绩效"})
    onsite.complete(case, "Task_Handle", HANDLED)
    close(onsite, case)
    assert onsite.data(case)["action"] == "通报批评并扣减绩效"


# -- 四.3(2)(3): major complaints and complaints of several departments ----------------------------------------------
def test_major_complaint_meeting_then_departments_in_parallel(onsite):
    case = start(onsite)
    onsite.complete(case, "Task_Assess", MAJOR)
    assert onsite.show(case)["severity"] == "major"
    assert onsite.open_steps(case) == ["Task_Meeting"]
    assert onsite.task(case, "Task_Meeting")["due_at"] is None  # 立即: no grace period to measure
    onsite.complete(case, "Task_Meeting", MEETING)
    assert onsite.open_steps(case) == ["Task_DeptHandle", "Task_DeptHandle"]  # one per department, at once
    assert {t["role"] for t in onsite.instances(case, "Task_DeptHandle")} == {"onsite_dept_head"}
    departments_report(onsite, case, {"sales": "已为客户退换", "technical": "检测报告已出"})
    assert onsite.open_steps(case) == ["Task_Report"]
    assert sorted(onsite.data(case)["department_results"]) == ["已为客户退换", "检测报告已出"]
    close(onsite, case)


def test_general_complaint_of_several_departments_gets_duties_assigned(onsite):
    case = start(onsite)
    onsite.complete(case, "Task_Assess", {**GENERAL, "multi_department": True})
    assert onsite.open_steps(case) == ["Task_AssignDuties"]
    onsite.complete(
        case,
        "Task_AssignDuties",
        {"departments": ["sales", "logistics", "after_sales"], "duties": "销售安抚，物流查件，售后补发"},
    )
    assert onsite.open_steps(case) == ["Task_DeptHandle"] * 3
    assert all(t["due_at"] is None for t in onsite.instances(case, "Task_DeptHandle"))
    departments_report(onsite, case, {"sales": "已安抚", "logistics": "已查明", "after_sales": "已补发"})
    close(onsite, case)


# -- 四.5: the review sends unresolved complaints back ----------------------------------------------------------------
def test_review_sends_an_unresolved_complaint_back_for_handling(onsite):
    case = start(onsite)
    onsite.complete(case, "Task_Assess", GENERAL)
    onsite.complete(case, "Task_Handle", HANDLED)
    onsite.complete(case, "Task_Report", REPORTED)
    onsite.advance(hours=30)
    onsite.complete(
        case,
        "Task_Review",
        {"resolved": False, "review_note": "客户仍不接受", "breach_found": True, "breach_action": "约谈部门负责人"},
    )
    assert onsite.open_steps(case) == ["Task_Handle"]
    assert onsite.task(case, "Task_Handle")["due_at"] == "2026-11-25T16:00:00+08:00"  # a new 24 h from now
    assert onsite.data(case)["breach_action"] == "约谈部门负责人"
    onsite.complete(case, "Task_Handle", HANDLED)
    close(onsite, case)


def test_a_reworked_major_complaint_meets_again_and_collects_fresh_results(onsite):
    case = start(onsite)
    onsite.complete(case, "Task_Assess", MAJOR)
    onsite.complete(case, "Task_Meeting", MEETING)
    departments_report(onsite, case, {"sales": "第一次", "technical": "第一次"})
    onsite.complete(case, "Task_Report", REPORTED)
    onsite.complete(case, "Task_Review", {"resolved": False})
    assert onsite.open_steps(case) == ["Task_Meeting"]
    onsite.complete(case, "Task_Meeting", {**MEETING, "departments": ["sales", "finance"]})
    departments_report(onsite, case, {"sales": "第二次", "finance": "已退款"})
    assert sorted(onsite.data(case)["department_results"]) == ["已退款", "第二次"]
    close(onsite, case)


def form_of(task) -> dict:
    own = FORMS / "onsite_complaint" / task["form"]
    return json.loads((own if own.exists() else FORMS / task["form"]).read_text(encoding="utf-8"))
