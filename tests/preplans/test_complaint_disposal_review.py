"""Scenarios for the complaint_disposal_review preplan (投诉处置应急预案范文, source 001 lines 89-106).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline. The scenarios follow registration and classification by the office, the emergency activation of a
major incident (五), investigation and handling opinion by the special task group, the office's review, feedback,
the 复议 loop and the archive. Step ids are the BPMN ids of
processes/complaint_disposal_review/complaint_disposal_review.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "complaint_disposal_review"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "letter",
    "complainant_name": "孙女士",
    "contact": "13600000000",
    "summary": "合同条款争议",
    "content": "认为合同中的违约金条款不合理",
    "demands": "修改合同并退还违约金",
}
CLASSIFIED = {"complaint_type": "contract", "department": "法务部", "group_leader": "周经理"}
INVESTIGATED = {"facts": "违约金条款符合法律规定，但签约时未充分说明"}
OPINION = {"plan": "退还一半违约金，并完善签约说明"}
APPROVED = {"approval": "approved"}
FED_BACK = {"result": "退还一半违约金", "complainant_satisfied": True}
ARCHIVED = {"archive_number": "TS-2026-118"}


@pytest.fixture
def disposal(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("complaint_disposal_review", {**INTAKE, **changes})


def handle(flow, case) -> None:
    """四.3: the special task group investigates and proposes; the office approves."""
    flow.complete(case, "Task_Investigate", INVESTIGATED)
    flow.complete(case, "Task_Opinion", OPINION)
    flow.complete(case, "Task_Review", APPROVED)


def unsatisfied(flow, case) -> None:
    flow.complete(
        case, "Task_Feedback", {"result": "维持原合同", "complainant_satisfied": False, "complainant_view": "不接受"}
    )


# -- 四.1–四.2 registration, classification and routing --------------------------------------------------------------
def test_office_registers_classifies_and_routes_to_the_task_group(disposal):
    case = start(disposal)
    assert disposal.show(case)["title"] == "孙女士：合同条款争议"
    assert disposal.open_steps(case) == ["Task_Classify"]
    assert disposal.task(case, "Task_Classify")["role"] == "disposal_office"
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    assert disposal.show(case)["severity"] == "ordinary"
    assert disposal.open_steps(case) == ["Task_Investigate"]
    assert disposal.task(case, "Task_Investigate")["role"] == "disposal_team"
    assert disposal.data(case)["department"] == "法务部"


# -- 五 major incidents ----------------------------------------------------------------------------------------------
def test_major_incident_activates_the_preplan_then_the_office_organises(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", {**CLASSIFIED, "incident_level": "major"})
    assert disposal.show(case)["severity"] == "major"
    assert disposal.open_steps(case) == ["Task_Activate"]
    assert disposal.task(case, "Task_Activate")["role"] == "disposal_leadership"
    assert disposal.task(case, "Task_Activate")["due_at"] is None  # 立即: no period is stated
    disposal.complete(case, "Task_Activate", {"emergency_measures": "成立应急处理小组，当日答复投诉人"})
    assert disposal.open_steps(case) == ["Task_OrganiseEmergency"]
    assert disposal.task(case, "Task_OrganiseEmergency")["role"] == "disposal_office"
    disposal.complete(case, "Task_OrganiseEmergency", {"arrangements": "法务部、销售部组成专责小组"})
    assert disposal.open_steps(case) == ["Task_Investigate"]


# -- 四.3 review --------------------------------------------------------------------------------------------------------
def test_review_returns_the_opinion_to_the_task_group(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    disposal.complete(case, "Task_Investigate", INVESTIGATED)
    disposal.complete(case, "Task_Opinion", {"plan": "不予处理"})
    assert disposal.task(case, "Task_Review")["role"] == "disposal_office"
    disposal.complete(case, "Task_Review", {"approval": "rejected", "approval_opinion": "签约说明不充分，应部分退还"})
    assert disposal.open_steps(case) == ["Task_Opinion"]  # not a new investigation
    disposal.complete(case, "Task_Opinion", OPINION)
    disposal.complete(
        case, "Task_Review", {"approval": "approved_with_changes", "approval_opinion": "退还比例写明依据"}
    )
    assert disposal.open_steps(case) == ["Task_Feedback"]  # approved with a change: no further round
    assert disposal.data(case)["plan"] == OPINION["plan"]


# -- 四.4 feedback and 复议, 四.5 archive -----------------------------------------------------------------------------
def test_satisfied_complainant_case_is_archived(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    handle(disposal, case)
    disposal.complete(case, "Task_Feedback", FED_BACK)
    assert disposal.open_steps(case) == ["Task_Archive"]
    disposal.complete(case, "Task_Archive", ARCHIVED)
    assert disposal.status(case) == "completed"
    assert disposal.data(case)["archived_documents"] == [
        "registration",
        "investigation_report",
        "handling_opinion",
        "feedback_record",
    ]  # 四.5(2)


def test_unsatisfied_complainant_without_reconsideration_is_archived(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    handle(disposal, case)
    unsatisfied(disposal, case)
    assert disposal.open_steps(case) == ["Task_Request"]
    disposal.complete(case, "Task_Request", {"reconsideration_requested": False})
    assert disposal.open_steps(case) == ["Task_Archive"]


def test_reconsideration_upheld_is_told_to_the_complainant_and_archived(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    handle(disposal, case)
    unsatisfied(disposal, case)
    disposal.complete(case, "Task_Request", {"request_reasons": "条款显失公平"})  # default: requested
    assert disposal.open_steps(case) == ["Task_Reconsider"]
    assert disposal.task(case, "Task_Reconsider")["role"] == "disposal_leadership"
    disposal.complete(case, "Task_Reconsider", {"reconsideration_opinion": "原处理意见合法合理"})  # default: uphold
    assert disposal.open_steps(case) == ["Task_ReconReply"]
    disposal.complete(case, "Task_ReconReply", {"reconsideration_reply": "复议维持原处理结果"})
    disposal.complete(
        case,
        "Task_Archive",
        {
            **ARCHIVED,
            "archived_documents": [
                "registration",
                "investigation_report",
                "handling_opinion",
                "feedback_record",
                "reconsideration",
            ],
        },
    )
    assert disposal.status(case) == "completed"


def test_reconsideration_may_send_the_case_back_to_investigation_until_satisfied(disposal):
    case = start(disposal)
    disposal.complete(case, "Task_Classify", CLASSIFIED)
    handle(disposal, case)
    unsatisfied(disposal, case)
    disposal.complete(case, "Task_Request", {"reconsideration_requested": True, "request_reasons": "事实认定有误"})
    disposal.complete(
        case, "Task_Reconsider", {"reconsideration_outcome": "redo", "reconsideration_opinion": "重新调查签约过程"}
    )
    assert disposal.open_steps(case) == ["Task_Investigate"]
    handle(disposal, case)
    disposal.complete(case, "Task_Feedback", FED_BACK)
    disposal.complete(case, "Task_Archive", ARCHIVED)
    assert disposal.status(case) == "completed"
    assert disposal.timers(case) == []  # the source states no deadline
