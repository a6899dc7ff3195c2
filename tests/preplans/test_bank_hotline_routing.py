"""Scenarios for the bank_hotline_routing preplan (客户投诉管理制度, source 000 篇三 lines 45-57 + 篇五 lines 66-77,
TRUNCATED at 第六条).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. No
deadline survives in the truncated text, so no step has a due time. Step ids are the BPMN ids of
processes/bank_hotline_routing/bank_hotline_routing.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "bank_hotline_routing"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "service_hotline",
    "complainant_name": "孙先生",
    "contact": "13600000000",
    "unit": "城西支行",
    "subject": "attitude",
    "summary": "柜员服务态度生硬",
    "content": "办理挂失时柜员态度生硬，拒绝解释",
}
ACCEPTED = {"business_category": "personal", "acceptance_notes": "已记录客户诉求"}
FEEDBACK = {"result": "已向客户致歉，对柜员进行教育", "feedback_way": "phone"}


@pytest.fixture
def bank(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("bank_hotline_routing", {**INTAKE, **changes})


def completed_steps(flow, case) -> list[str]:
    return [e["details"].get("bpmn_id") for e in flow.events(case, "completed")]


# -- 第四条 the three lines: 客服热线 forwards, 客户援助电话 handles 本级, 服务监督电话 handles 全行 -------------------
def test_hotline_forwards_to_the_assistance_line_which_handles_an_own_level_complaint(bank):
    case = start(bank)
    assert bank.show(case)["title"] == "孙先生：柜员服务态度生硬"
    bank.only_step(case, "Task_HotlineForward", {"forward_to": "assistance_line"}, "bank_hotline_service_hotline")
    bank.only_step(case, "Task_AssistanceAccept", ACCEPTED, "bank_hotline_assistance")
    assert bank.show(case)["severity"] == "general"
    assert bank.data(case)["handler"] == "business_dept"  # 第五条 对口处理
    bank.only_step(
        case,
        "Task_BusinessHandle",
        {"department": "个人金融部", "handling": "约谈柜员并整改"},
        "bank_hotline_business_dept",
    )
    bank.only_step(case, "Task_AssistanceFeedback", FEEDBACK, "bank_hotline_assistance")
    assert bank.status(case) == "completed"
    assert "Task_CallBack" not in completed_steps(bank, case)  # only the supervision line calls back


def test_hotline_forwards_to_the_supervision_line_the_group_screens_and_the_line_calls_back(bank):
    case = start(bank)
    bank.only_step(case, "Task_HotlineForward", {"forward_to": "supervision_line"}, "bank_hotline_service_hotline")
    bank.only_step(case, "Task_SupervisionAccept", ACCEPTED, "bank_hotline_supervision")
    assert bank.data(case)["handler"] == "quality_group"  # 第五条（一）全行投诉
    bank.only_step(
        case,
        "Task_QualityGroup",
        {"facts": "属实", "screening": "有效投诉，柜员责任", "handling": "通报批评"},
        "bank_hotline_quality_group",
    )
    bank.only_step(case, "Task_SupervisionFeedback", FEEDBACK, "bank_hotline_supervision")
    bank.only_step(case, "Task_CallBack", {"called_back": True, "customer_opinion": "满意"}, "bank_hotline_supervision")
    assert bank.status(case) == "completed"
    assert bank.data(case)["handling_line"] == "supervision_line"


@pytest.mark.parametrize(
    ("channel", "step", "role"),
    [
        ("assistance_line", "Task_AssistanceAccept", "bank_hotline_assistance"),
        ("supervision_line", "Task_SupervisionAccept", "bank_hotline_supervision"),
    ],
)
def test_a_call_to_the_assistance_or_supervision_line_is_handled_by_that_line(bank, channel, step, role):
    case = start(bank, channel=channel)
    assert bank.open_steps(case) == [step]  # no forwarding
    assert bank.task(case, step)["role"] == role
    bank.complete(case, step, ACCEPTED)
    assert bank.data(case)["handling_line"] == channel


@pytest.mark.parametrize("channel", ["department", "comment_book", "quality_supervisor", "news_media", "report_letter"])
def test_other_channels_are_registered_by_the_unit_officer_and_passed_to_a_line(bank, channel):
    case = start(bank, channel=channel)
    bank.only_step(case, "Task_DeskForward", {"forward_to": "supervision_line"}, "bank_hotline_desk")
    assert bank.open_steps(case) == ["Task_SupervisionAccept"]


# -- 第五条（七）重大投诉报告制度 -------------------------------------------------------------------------------------
def test_major_complaint_is_reported_before_it_is_routed(bank):
    case = start(bank, channel="assistance_line")
    bank.complete(case, "Task_AssistanceAccept", {**ACCEPTED, "complaint_level": "major"})
    assert bank.show(case)["severity"] == "major"
    bank.only_step(
        case,
        "Task_MajorReport",
        {"report_content": "客户扬言向媒体反映", "reported_to": "总行人力资源部"},
        "bank_hotline_desk",
    )
    assert bank.open_steps(case) == ["Task_BusinessHandle"]


# -- 第五条（五）（六）routing by content: the decision table ----------------------------------------------------------
ROUTES = [  # (inputs, handler); FIRST hit in the order of the clause's items
    ({"discipline_matter": True, "media_exposed": False, "handling_line": "assistance_line"}, "discipline_office"),
    ({"discipline_matter": True, "media_exposed": True, "handling_line": "supervision_line"}, "discipline_office"),
    ({"discipline_matter": False, "media_exposed": True, "handling_line": "assistance_line"}, "hr_media"),
    ({"discipline_matter": False, "media_exposed": True, "handling_line": "supervision_line"}, "hr_media"),
    ({"discipline_matter": False, "media_exposed": False, "handling_line": "supervision_line"}, "quality_group"),
    ({"discipline_matter": False, "media_exposed": False, "handling_line": "assistance_line"}, "business_dept"),
]


def test_route_decision_follows_article_5(bank):
    with bank.engine.db.read() as session:
        for data, handler in ROUTES:
            assert decide(session, bank.engine.settings, "bank_hotline_routing/route", data) == {"handler": handler}


def test_discipline_matter_goes_to_the_discipline_inspection_office(bank):
    case = start(bank, channel="assistance_line")
    bank.complete(case, "Task_AssistanceAccept", {**ACCEPTED, "discipline_matter": True, "media_exposed": True})
    bank.only_step(
        case,
        "Task_DisciplineInvestigate",
        {"facts": "柜员索要好处费属实", "handling_opinion": "移交处分"},
        "bank_hotline_discipline",
    )
    bank.only_step(case, "Task_AssistanceFeedback", FEEDBACK, "bank_hotline_assistance")
    assert bank.status(case) == "completed"


def test_media_exposure_hr_and_business_departments_investigate_together(bank):
    case = start(bank, channel="supervision_line")
    bank.complete(case, "Task_SupervisionAccept", {**ACCEPTED, "media_exposed": True})
    assert bank.open_steps(case) == ["Task_BusinessMedia", "Task_HRMedia"]  # 会同: at the same time
    assert bank.task(case, "Task_HRMedia")["role"] == "bank_hotline_hr"
    assert bank.task(case, "Task_BusinessMedia")["role"] == "bank_hotline_business_dept"
    bank.complete(
        case, "Task_HRMedia", {"facts": "报道属实", "responsible": "城西支行 柜员甲", "handling_opinion": "警告"}
    )
    assert bank.open_steps(case) == ["Task_BusinessMedia"]  # feedback waits for both
    bank.complete(case, "Task_BusinessMedia", {"department": "个人金融部", "findings": "挂失流程解释不到位"})
    bank.only_step(case, "Task_SupervisionFeedback", FEEDBACK, "bank_hotline_supervision")
    bank.only_step(
        case,
        "Task_CallBack",
        {"called_back": False, "no_call_back_reason": "客户明确表示无需回访"},
        "bank_hotline_supervision",
    )
    assert bank.status(case) == "completed"
