"""Scenarios for the accident_complaint_office preplan (事故投诉应急预案, source 002 lines 89-109).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline. The scenarios follow receipt by the customer-service department (or a report by the marketing
department), classification by the accident-complaint office, the departments' investigation beside the legal
department's analysis, the office's proposal and the leadership group's approval, implementation by the departments,
tracking until the problem is properly solved, and the summary. Step ids are the BPMN ids of
processes/accident_complaint_office/accident_complaint_office.bpmn.
"""

from __future__ import annotations

import pytest

from engine.errors import Forbidden
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "accident_complaint_office"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "online_service",
    "complainant_name": "陈先生",
    "contact": "13500000000",
    "summary": "送货车辆撞坏院门",
    "content": "配送车辆倒车时撞坏院门，司机未留联系方式",
    "accident_place": "幸福小区 12 栋",
}
CLASSIFIED = {
    "complaint_nature": "配送事故，财产损失",
    "investigating_departments": ["customer_service", "administration"],
}
PROPOSAL = {"proposal": "赔偿修复院门费用并向客户致歉", "implementing_departments": ["finance", "customer_service"]}
TRACKED = {"tracking_result": "院门已修复，客户确认"}
SUMMARY = {"course": "配送车辆撞坏院门，已赔偿修复", "improvements": "配送司机倒车须有人指挥"}


@pytest.fixture
def office(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("accident_complaint_office", {**INTAKE, **changes})


def departments_report(flow, case, step, field, results: dict[str, str]) -> None:
    """Each department completes its own instance of a multi-instance step."""
    flow.complete_each(case, step, [{"department": d, field: result} for d, result in results.items()])


def investigated(flow, case) -> None:
    flow.complete(case, "Task_Classify", CLASSIFIED)
    departments_report(
        flow,
        case,
        "Task_DeptInvestigate",
        "dept_findings",
        {"customer_service": "客户提供了监控录像", "administration": "车辆为本单位配送车"},
    )


def approved(flow, case) -> None:
    flow.complete(case, "Task_Proposal", PROPOSAL)
    flow.complete(case, "Task_Approve", {"approval": "approved"})


def implemented(flow, case) -> None:
    departments_report(
        flow,
        case,
        "Task_Implement",
        "implementation",
        {"finance": "已支付修复费用 1,800 元", "customer_service": "已上门致歉"},
    )


# -- 三.1–三.2 receipt and classification --------------------------------------------------------------------------
def test_customer_service_receives_and_the_office_classifies(office):
    case = start(office)
    assert office.show(case)["title"] == "陈先生：送货车辆撞坏院门"
    assert office.open_steps(case) == ["Task_Classify"]
    assert office.task(case, "Task_Classify")["role"] == "accident_office"
    assert office.task(case, "Task_Classify")["due_at"] is None  # "及时": no period is stated
    office.complete(case, "Task_Classify", CLASSIFIED)
    assert office.open_steps(case) == ["Task_DeptInvestigate", "Task_DeptInvestigate"]  # one per department


def test_marketing_department_may_report_an_accident_complaint(office):
    marketer = office.user("市场部小李", "accident_market")
    case = office.engine.start("accident_complaint_office", INTAKE, user=marketer)["case"]
    assert office.open_steps(case) == ["Task_Classify"]  # 二.3(2) 及时发现和报告事故投诉
    department = office.user("相关部门小王", "accident_departments")
    with pytest.raises(Forbidden):
        office.engine.start("accident_complaint_office", INTAKE, user=department)


# -- 三.3 investigation by the departments, with the legal department when needed -----------------------------------
def test_departments_investigate_in_parallel_and_the_proposal_sees_their_findings(office):
    case = start(office)
    office.complete(case, "Task_Classify", CLASSIFIED)  # no legal issue (default)
    assert {t["role"] for t in office.instances(case, "Task_DeptInvestigate")} == {"accident_departments"}
    departments_report(
        office,
        case,
        "Task_DeptInvestigate",
        "dept_findings",
        {"customer_service": "客户提供了监控录像", "administration": "车辆为本单位配送车"},
    )
    assert office.open_steps(case) == ["Task_Proposal"]
    assert office.task(case, "Task_Proposal")["role"] == "accident_office"
    assert sorted(office.data(case)["investigation_findings"]) == ["客户提供了监控录像", "车辆为本单位配送车"]


def test_legal_issue_brings_in_the_legal_department_beside_the_investigation(office):
    case = start(office)
    office.complete(
        case, "Task_Classify", {**CLASSIFIED, "investigating_departments": ["administration"], "legal_issue": True}
    )
    assert office.open_steps(case) == ["Task_DeptInvestigate", "Task_LegalAnalysis"]
    assert office.task(case, "Task_LegalAnalysis")["role"] == "accident_legal"
    office.complete(case, "Task_LegalAnalysis", {"legal_opinion": "属于侵权责任，单位应承担赔偿责任"})
    assert office.open_steps(case) == ["Task_DeptInvestigate"]  # the proposal waits for the investigation
    departments_report(office, case, "Task_DeptInvestigate", "dept_findings", {"administration": "司机承认倒车撞门"})
    assert office.open_steps(case) == ["Task_Proposal"]
    assert office.data(case)["legal_opinion"] == "属于侵权责任，单位应承担赔偿责任"


# -- 三.4–三.5 proposal, approval, implementation ---------------------------------------------------------------------
def test_leadership_approves_or_returns_the_proposal(office):
    case = start(office)
    investigated(office, case)
    office.complete(case, "Task_Proposal", {**PROPOSAL, "proposal": "向客户致歉"})
    assert office.task(case, "Task_Approve")["role"] == "accident_leadership"
    office.complete(case, "Task_Approve", {"approval": "rejected", "approval_opinion": "应赔偿修复费用"})
    assert office.open_steps(case) == ["Task_Proposal"]
    office.complete(case, "Task_Proposal", PROPOSAL)
    office.complete(case, "Task_Approve", {"approval": "approved_with_changes", "approval_opinion": "三日内完成修复"})
    assert office.open_steps(case) == ["Task_Implement", "Task_Implement"]  # the approved departments, in parallel
    assert {t["role"] for t in office.instances(case, "Task_Implement")} == {"accident_departments"}


# -- 三.6 tracking until the problem is properly solved, 三.7 summary --------------------------------------------------
def test_tracking_sends_the_departments_back_until_the_problem_is_solved(office):
    case = start(office)
    investigated(office, case)
    approved(office, case)
    implemented(office, case)
    assert office.open_steps(case) == ["Task_Track"]
    assert office.task(case, "Task_Track")["role"] == "accident_office"
    office.complete(case, "Task_Track", {"tracking_result": "院门修复后仍关不严", "tracking_outcome": "continue"})
    assert office.open_steps(case) == ["Task_Implement", "Task_Implement"]  # a new round of the same departments
    assert office.data(case)["implementation_results"] == []  # the new round starts a fresh record
    departments_report(
        office,
        case,
        "Task_Implement",
        "implementation",
        {"finance": "追加维修费用", "customer_service": "陪同维修人员上门"},
    )
    assert sorted(office.data(case)["implementation_results"]) == ["追加维修费用", "陪同维修人员上门"]
    office.complete(case, "Task_Track", TRACKED)  # default: resolved
    assert office.open_steps(case) == ["Task_Summary"]
    office.complete(case, "Task_Summary", SUMMARY)
    assert office.status(case) == "completed"
    assert office.timers(case) == []


def test_tracking_may_ask_for_a_new_proposal_which_is_approved_again(office):
    case = start(office)
    investigated(office, case)
    approved(office, case)
    implemented(office, case)
    office.complete(case, "Task_Track", {"tracking_result": "客户要求更换整扇院门", "tracking_outcome": "new_proposal"})
    assert office.open_steps(case) == ["Task_Proposal"]
    office.complete(
        case, "Task_Proposal", {**PROPOSAL, "proposal": "更换整扇院门", "implementing_departments": ["finance"]}
    )
    office.complete(case, "Task_Approve", {"approval": "approved"})
    departments_report(office, case, "Task_Implement", "implementation", {"finance": "已支付更换费用"})
    office.complete(case, "Task_Track", TRACKED)
    office.complete(case, "Task_Summary", SUMMARY)
    assert office.status(case) == "completed"
    assert office.data(case)["implementation_results"] == ["已支付更换费用"]
