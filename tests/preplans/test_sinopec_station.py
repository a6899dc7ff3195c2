"""Scenarios for the sinopec_station preplan (黄山分公司加油站消费者投诉应急预案, source 000 lines 58-65, TRUNCATED after
"一、消费者投诉").

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. Step
ids are the BPMN ids of processes/sinopec_station/sinopec_station.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "sinopec_station"
MONDAY = "2026-11-23T10:00:00+08:00"

# Form submissions a user would make (only the required fields, unless a test needs a branch).
REGISTERED = {"handling_result": "已向顾客解释清楚，顾客满意离开"}
EXPLAINED = {"causes": "员工未按规范唱收唱付"}
STAFF_HANDLED = {
    "staff_name": "李四",
    "staff_handling": "按站规批评教育并扣当月服务考核分",
    "notice_content": "已电话告知顾客对当事员工的处理",
}
INVITED = {"conversation": "已请顾客到站长办公室交谈"}
CHECKED = {"computer_records": "电脑记录加油 40.00 升，与加油机读数一致", "fuelling_process": "加油过程正常"}


def report(**changes) -> dict:
    data = {
        "received_at": MONDAY,
        "station": "屯溪加油站",
        "customer_name": "王先生",
        "complaint_type": "general",
        "description": "顾客对加油服务不满",
    }
    data.update(changes)
    return data


def start(flow, **changes) -> int:
    flow.at(MONDAY)
    return flow.start("sinopec_station", report(**changes))


def role(flow, case, step) -> str:
    return flow.task(case, step)["role"]


@pytest.fixture
def sinopec(flow):
    flow.deploy(PREPLAN)
    return flow


# -- 一、1 / 一、2 / 一、3: the on-site staff's report goes to the station manager, by type -----------------------
ROUTES = [  # (complaint type, first step, its role)
    ("general", "Task_ManagerInvestigate", "sinopec_station_manager"),
    ("service", "Task_ServiceExplain", "sinopec_station_manager"),
    ("quantity", "Task_InviteToOffice", "sinopec_station_manager"),
]


def test_the_report_reaches_the_station_manager_by_complaint_type(sinopec):
    for complaint_type, step, expected_role in ROUTES:
        case = start(sinopec, complaint_type=complaint_type)
        assert sinopec.open_steps(case) == [step], complaint_type
        assert role(sinopec, case, step) == expected_role
        assert sinopec.task(case, step)["due_at"] is None  # "立即": no grace period to count
        assert sinopec.show(case)["title"] == "屯溪加油站：王先生"


# -- 一、1 general complaints -----------------------------------------------------------------------------------
def test_manager_explains_and_registers_the_complaint(sinopec):
    case = start(sinopec)
    sinopec.complete(case, "Task_ManagerInvestigate", {"findings": "顾客误解发票开具规定", "outcome": "explained"})
    assert sinopec.open_steps(case) == ["Task_Register"]
    sinopec.complete(case, "Task_Register", REGISTERED)
    assert sinopec.status(case) == "completed"


def test_manager_reports_to_both_departments_which_investigate_and_agree_one_line(sinopec):
    case = start(sinopec)
    sinopec.complete(
        case, "Task_ManagerInvestigate", {"findings": "涉及油品质量，站内无法判定", "outcome": "report_depts"}
    )
    assert sinopec.open_steps(case) == ["Task_QualityInvestigate", "Task_RetailInvestigate"]  # in parallel
    assert role(sinopec, case, "Task_QualityInvestigate") == "sinopec_quality_dept"
    assert role(sinopec, case, "Task_RetailInvestigate") == "sinopec_retail_dept"
    sinopec.complete(case, "Task_RetailInvestigate", {"retail_findings": "该站当日无同类投诉"})
    assert sinopec.open_steps(case) == ["Task_QualityInvestigate"]  # the unified line waits for both
    sinopec.complete(case, "Task_QualityInvestigate", {"quality_findings": "油样检测合格"})
    assert sinopec.open_steps(case) == ["Task_UnifiedExplain"]
    assert role(sinopec, case, "Task_UnifiedExplain") == "sinopec_retail_dept"
    sinopec.complete(
        case, "Task_UnifiedExplain", {"unified_line": "油品检测合格", "explanation": "已向顾客出示检测报告"}
    )
    sinopec.complete(case, "Task_Register", REGISTERED)
    assert sinopec.status(case) == "completed"
    data = sinopec.data(case)
    assert (data["quality_findings"], data["retail_findings"]) == ("油样检测合格", "该站当日无同类投诉")


# -- 一、2 service complaints: tell the customer within 24 hours how the staff member was dealt with ------------------
def test_service_complaint_staff_handling_is_told_to_the_customer_within_24_hours(sinopec):
    case = start(sinopec, complaint_type="service")
    sinopec.complete(case, "Task_ServiceExplain", EXPLAINED)
    assert sinopec.open_steps(case) == ["Task_StaffHandling"]
    assert sinopec.task(case, "Task_StaffHandling")["due_at"] == "2026-11-24T10:00:00+08:00"  # 24 h after the complaint
    assert sinopec.advance(hours=23, minutes=59) == 0
    sinopec.advance(minutes=2)
    assert sinopec.fired(case) == ["Timer_StaffHandling_24h"]
    assert sinopec.task(case, "Task_StaffHandling")["overdue"]  # late, but still to be done
    sinopec.complete(case, "Task_StaffHandling", STAFF_HANDLED)
    sinopec.complete(case, "Task_Register", REGISTERED)
    assert sinopec.status(case) == "completed"


def test_service_complaint_told_in_time_has_no_overdue(sinopec):
    case = start(sinopec, complaint_type="service")
    sinopec.complete(case, "Task_ServiceExplain", EXPLAINED)
    sinopec.advance(hours=3)
    sinopec.complete(case, "Task_StaffHandling", STAFF_HANDLED)
    assert sinopec.timers(case) == []
    assert sinopec.open_steps(case) == ["Task_Register"]


# -- 一、3 fuel-quantity disputes ----------------------------------------------------------------------------------
def test_quantity_records_are_checked_by_the_manager_or_the_metering_clerk(sinopec):
    for checker, step, expected_role in (
        ("manager", "Task_CheckRecords", "sinopec_station_manager"),
        ("metering_clerk", "Task_CheckRecordsClerk", "sinopec_metering_clerk"),
    ):
        case = start(sinopec, complaint_type="quantity")
        sinopec.complete(case, "Task_InviteToOffice", {**INVITED, "records_checked_by": checker})
        assert sinopec.open_steps(case) == [step], checker
        assert role(sinopec, case, step) == expected_role
        sinopec.complete(case, step, CHECKED)  # 已圆满解释 by default
        assert sinopec.open_steps(case) == ["Task_Register"]


def test_quantity_dispute_the_station_cannot_resolve_goes_to_the_technical_supervision_bureau(sinopec):
    case = start(sinopec, complaint_type="quantity", pump_and_amount="3 号枪，40 升，300 元")
    sinopec.complete(case, "Task_InviteToOffice", INVITED)
    sinopec.complete(case, "Task_CheckRecords", {**CHECKED, "station_resolved": False})
    assert sinopec.open_steps(case) == ["Task_InviteBureau"]
    assert role(sinopec, case, "Task_InviteBureau") == "sinopec_station_manager"
    sinopec.complete(case, "Task_InviteBureau", {"bureau_result": "技术监督局检定加油机计量合格"})
    assert sinopec.open_steps(case) == ["Task_Register"]
    sinopec.complete(case, "Task_Register", REGISTERED)
    assert sinopec.status(case) == "completed"
    assert sinopec.data(case)["depts_reported"] is True
