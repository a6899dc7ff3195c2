"""Scenarios for the market_complaint preplan (市场投诉应急预案 第1篇, source 004 lines 12-78).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source's one time rule is "相关部门应在规定时间内完成处理工作" without a value: the investigator proposes the prescribed
completion time with the handling opinion, the leadership group approves it, and it is the execution step's deadline.
Step ids are the BPMN ids of processes/market_complaint/market_complaint.bpmn.
"""

from __future__ import annotations

import pytest

from engine.cases.views import list_tasks
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "market_complaint"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "complainant_name": "刘女士",
    "contact": "13800000000",
    "complaint_type": "quality",
    "summary": "购买的电饭煲三天即坏",
    "content": "在 B 区 12 号摊位购买电饭煲，使用三天无法加热，商户拒绝退换",
    "place": "B 区 12 号摊位",
    "persons_involved": "摊主陈某",
}
INVESTIGATED = {"facts": "电饭煲加热盘故障，商户未履行三包义务", "evidence": "购物小票、现场检测"}
OPINION = {
    "plan": "商户为消费者退货退款",
    "executing_department": "市场管理部",
    "handling_deadline": "2026-11-25T18:00:00+08:00",
}
APPROVED = {"approval": "approved"}
EXECUTED = {"handling_done": "商户已退款 299 元"}
SATISFIED = {"result": "已退款", "complainant_satisfied": True}
UNSATISFIED = {"result": "已退款", "complainant_satisfied": False, "complainant_view": "要求赔偿误工费"}
ARCHIVED = {"process_record": "受理、调查、批准、执行、反馈全过程记录"}


@pytest.fixture
def market(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("market_complaint", {**INTAKE, **changes})


def until_execution(flow, case, **opinion) -> None:
    flow.complete(case, "Task_Investigate", INVESTIGATED)
    flow.complete(case, "Task_Opinion", {**OPINION, **opinion})
    flow.complete(case, "Task_Approve", APPROVED)


def until_feedback(flow, case) -> None:
    until_execution(flow, case)
    flow.complete(case, "Task_Execute", EXECUTED)


def archive(flow, case) -> None:
    assert flow.open_steps(case) == ["Task_Archive"]
    assert flow.task(case, "Task_Archive")["role"] == "market_complaint_recorder"
    flow.complete(case, "Task_Archive", ARCHIVED)
    assert flow.status(case) == "completed"


def completed_steps(flow, case) -> list[str]:
    with flow.engine.db.read() as session:
        return sorted(
            t["bpmn_id"]
            for t in list_tasks(session, flow.engine.tz, case_id=case, include_closed=True)
            if t["status"] == "completed"
        )


# -- 四、1–2 intake by the clerk, investigation by the investigator -----------------------------------------------------
def test_clerk_registers_and_the_investigator_investigates_at_once(market):
    case = start(market)
    shown = market.show(case)
    assert shown["title"] == "刘女士：购买的电饭煲三天即坏"
    assert shown["severity"] == "quality"  # the case list shows the complaint type of 二
    assert market.open_steps(case) == ["Task_Investigate"]
    task = market.task(case, "Task_Investigate")
    assert task["role"] == "market_complaint_investigator"
    assert task["form"] == "_major/investigation.schema.json" and task["due_at"] is None  # "尽快": no number
    market.complete(case, "Task_Investigate", INVESTIGATED)
    assert market.open_steps(case) == ["Task_Opinion"]
    assert market.task(case, "Task_Opinion")["role"] == "market_complaint_investigator"


# -- 四、3(1) approval by the leadership group ----------------------------------------------------------------------
def test_handling_opinion_needs_the_leadership_groups_approval(market):
    case = start(market)
    market.complete(case, "Task_Investigate", INVESTIGATED)
    market.complete(case, "Task_Opinion", OPINION)
    assert market.open_steps(case) == ["Task_Approve"]
    assert market.task(case, "Task_Approve")["role"] == "market_complaint_leadership"
    market.complete(case, "Task_Approve", APPROVED)
    assert market.open_steps(case) == ["Task_Execute"]  # no mediation by default
    assert market.task(case, "Task_Execute")["role"] == "market_complaint_dept"


def test_a_rejected_opinion_goes_back_to_the_investigator(market):
    case = start(market)
    market.complete(case, "Task_Investigate", INVESTIGATED)
    market.complete(case, "Task_Opinion", {**OPINION, "plan": "批评教育商户"})
    market.complete(case, "Task_Approve", {"approval": "rejected", "approval_opinion": "应当退货退款"})
    assert market.open_steps(case) == ["Task_Opinion"]  # a new opinion, not a new investigation
    market.complete(case, "Task_Opinion", OPINION)
    market.complete(case, "Task_Approve", {"approval": "approved_with_changes", "approval_opinion": "另补偿 50 元"})
    assert market.open_steps(case) == ["Task_Execute"]
    assert market.data(case)["plan"] == "商户为消费者退货退款"


# -- 三、3(3) mediation between the parties --------------------------------------------------------------------------
def test_the_mediator_brings_the_parties_to_a_settlement_before_execution(market):
    case = start(market)
    until_execution(market, case, mediation_needed=True)
    assert market.open_steps(case) == ["Task_Mediate"]
    assert market.task(case, "Task_Mediate")["role"] == "market_complaint_mediator"
    market.complete(
        case, "Task_Mediate", {"mediation_record": "组织双方面谈", "settled": True, "agreement": "退款并赠送配件"}
    )
    assert market.open_steps(case) == ["Task_Execute"]


# -- 四、3(2) execution within the prescribed time -------------------------------------------------------------------
def test_execution_is_due_at_the_prescribed_time_of_the_approved_opinion(market):
    case = start(market)
    until_execution(market, case)
    assert market.task(case, "Task_Execute")["due_at"] == "2026-11-25T18:00:00+08:00"
    assert market.timers(case) == ["Timer_Execute_Deadline"]


def test_execution_past_the_prescribed_time_is_flagged_and_stays_with_the_department(market):
    case = start(market)
    until_execution(market, case)
    market.at("2026-11-25T18:00:00+08:00")
    assert market.fire() == 0  # fires strictly after the due time
    market.at("2026-11-25T18:00:01+08:00")
    market.fire()
    assert market.fired(case) == ["Timer_Execute_Deadline"]
    task = market.task(case, "Task_Execute")
    assert task["overdue"] and task["role"] == "market_complaint_dept"
    market.complete(case, "Task_Execute", EXECUTED)
    assert market.open_steps(case) == ["Task_Feedback"]


def test_execution_in_time_cancels_the_deadline(market):
    case = start(market)
    until_execution(market, case)
    market.advance(hours=30)
    market.complete(case, "Task_Execute", EXECUTED)
    assert market.timers(case) == []
    market.advance(days=3)
    assert market.fired(case) == []


# -- 四、4 feedback by the clerk; 申诉 to the leadership group ---------------------------------------------------------
def test_satisfied_consumer_the_recorder_files_the_case(market):
    case = start(market)
    until_feedback(market, case)
    assert market.open_steps(case) == ["Task_Feedback"]
    assert market.task(case, "Task_Feedback")["role"] == "market_complaint_clerk"
    market.complete(case, "Task_Feedback", SATISFIED)
    archive(market, case)
    assert "Task_AppealRequest" not in completed_steps(market, case)


def test_unsatisfied_consumer_who_does_not_appeal_is_filed(market):
    case = start(market)
    until_feedback(market, case)
    market.complete(case, "Task_Feedback", UNSATISFIED)
    assert market.open_steps(case) == ["Task_AppealRequest"]
    assert market.task(case, "Task_AppealRequest")["role"] == "market_complaint_clerk"
    market.complete(case, "Task_AppealRequest", {"appeal_filed": False})
    archive(market, case)


def test_appeal_upheld_by_the_leadership_group_ends_in_the_file(market):
    case = start(market)
    until_feedback(market, case)
    market.complete(case, "Task_Feedback", UNSATISFIED)
    market.complete(case, "Task_AppealRequest", {"appeal_reasons": "要求赔偿误工费"})  # 提出申诉 by default
    assert market.open_steps(case) == ["Task_Appeal"]
    assert market.task(case, "Task_Appeal")["role"] == "market_complaint_leadership"
    market.complete(case, "Task_Appeal", {"appeal_opinion": "误工费无依据，维持原处理结果"})
    archive(market, case)
    assert market.data(case)["appeal_outcome"] == "uphold"


def test_appeal_reopens_the_investigation_until_the_consumer_is_satisfied(market):
    case = start(market)
    until_feedback(market, case)
    market.complete(case, "Task_Feedback", UNSATISFIED)
    market.complete(case, "Task_AppealRequest", {"appeal_reasons": "商户还有其他质量问题"})
    market.complete(case, "Task_Appeal", {"appeal_outcome": "reinvestigate", "appeal_opinion": "重新调查同批次商品"})
    assert market.open_steps(case) == ["Task_Investigate"]  # 申诉 → a new round from the investigation
    assert market.task(case, "Task_Investigate")["role"] == "market_complaint_investigator"
    market.complete(case, "Task_Investigate", {"facts": "同批次商品均有缺陷"})
    market.complete(
        case,
        "Task_Opinion",
        {**OPINION, "plan": "同批次全部下架，另赔偿", "handling_deadline": "2026-11-30T18:00:00+08:00"},
    )
    market.complete(case, "Task_Approve", APPROVED)
    assert market.task(case, "Task_Execute")["due_at"] == "2026-11-30T18:00:00+08:00"  # the new prescribed time
    market.complete(case, "Task_Execute", {"handling_done": "已下架并赔偿"})
    market.complete(case, "Task_Feedback", SATISFIED)
    archive(market, case)
