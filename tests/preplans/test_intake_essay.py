"""Scenarios for the intake_essay preplan (投诉受理应急处置预案, an essay; source 002 lines 2-21).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The essay states no deadline
("及时", "立即" only), so no step has a due time. Step ids are the BPMN ids of processes/intake_essay/intake_essay.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "intake_essay"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "online",
    "complainant_name": "吴先生",
    "contact": "wu@example.com",
    "summary": "网购商品与描述不符",
    "content": "收到的外套颜色与网页描述不一致",
}
CLASSIFIED = {"record": "已登记，网购商品描述问题", "departments_notified": "电商运营部"}
EVALUATED = {"supervision": "处理及时", "evaluation": "处理结果合理", "improvements": "核对商品图片色差"}


@pytest.fixture
def essay(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow) -> int:
    case = flow.start("intake_essay", INTAKE)
    assert flow.show(case)["title"] == "吴先生：网购商品与描述不符"
    return case


def evaluate_and_close(flow, case, revise: bool) -> None:
    flow.only_step(case, "Task_Evaluate", {**EVALUATED, "revise_plan": revise}, "intake_essay_intake_dept")
    if revise:
        flow.only_step(case, "Task_Revise", {"revision": "补充网购投诉的受理程序"}, "intake_essay_intake_dept")
    assert flow.status(case) == "completed"


# -- 第10-14行: intake, classification, handling by type ----------------------------------------------------------------
def test_general_complaint_is_settled_by_negotiation_or_mediation(essay):
    case = start(essay)
    essay.only_step(case, "Task_Classify", CLASSIFIED, "intake_essay_intake_dept")  # default: 一般性
    assert essay.show(case)["severity"] == "general"
    essay.only_step(case, "Task_Mediate", {"method": "negotiation", "outcome": "同意换货"}, "intake_essay_related_dept")
    evaluate_and_close(essay, case, revise=False)


def test_serious_complaint_is_investigated_and_may_need_a_public_apology(essay):
    case = start(essay)
    essay.complete(case, "Task_Classify", {**CLASSIFIED, "complaint_type": "serious"})
    assert essay.show(case)["severity"] == "serious"
    essay.only_step(
        case, "Task_Investigate", {"facts": "批量商品图片色差严重", "causes": "拍摄未校色"}, "intake_essay_related_dept"
    )
    essay.only_step(
        case,
        "Task_SeriousHandle",
        {"public_apology": True, "apology": "在店铺首页发布致歉声明", "measures": "为全部买家办理退换"},
        "intake_essay_related_dept",
    )
    assert essay.data(case)["public_apology"] is True
    evaluate_and_close(essay, case, revise=True)  # 第18行 修订和完善预案


def test_general_complaint_that_mediation_cannot_settle_is_investigated(essay):
    case = start(essay)
    essay.complete(case, "Task_Classify", CLASSIFIED)
    essay.complete(case, "Task_Mediate", {"method": "mediation", "outcome": "投诉人不接受换货", "resolved": False})
    assert essay.open_steps(case) == ["Task_Investigate"]
    essay.complete(case, "Task_Investigate", {"facts": "商品确有色差"})
    essay.complete(case, "Task_SeriousHandle", {"measures": "退货退款"})
    assert essay.open_steps(case) == ["Task_Evaluate"]


# -- 第16-18行: supervision, evaluation, revision ------------------------------------------------------------------------
def test_evaluation_without_revision_closes_the_case(essay):
    case = start(essay)
    essay.complete(case, "Task_Classify", CLASSIFIED)
    essay.complete(case, "Task_Mediate", {"outcome": "已协商解决"})
    evaluate_and_close(essay, case, revise=False)
    completed = [e["details"].get("bpmn_id") for e in essay.events(case, "completed")]
    assert "Task_Revise" not in completed
