"""Scenarios for the market_emergency_liaison preplan (市场投诉应急预案 第2篇, source 004 lines 80-160).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source states no deadline for a complaint. The scenarios follow receipt and report by the emergency liaison, analysis
by the complaint team, the leadership group's meeting on a major incident, the departments carrying out the
measures, feedback with reasonable demands, the summary, and the drill duty of 六: a drill case (YL-) ends with the
leadership group's drill review, and after the drill interval it opens the organisation of the next drill. Step ids
are the BPMN ids of processes/market_emergency_liaison/market_emergency_liaison.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "market_emergency_liaison"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "email",
    "complainant_name": "吴先生",
    "contact": "wu@example.com",
    "summary": "促销赠品未兑现",
    "content": "参加双十一促销购买空调，承诺的赠品至今未发",
    "demands": "补发赠品",
}
REPORTED = {"reported_at": MONDAY, "reported_to": "应急领导小组副组长（分管副总经理）"}
ANALYSED = {
    "complaint_causes": "赠品库存不足，市场部未及时补货",
    "involved_departments": ["market", "logistics"],
    "handling_approach": "调货补发赠品并致歉",
}
MEASURES = {"measures": "市场部三日内调货，物流部加急配送"}
FED_BACK = {"result": "赠品已送达"}
SUMMARY = {"course": "促销赠品库存不足，未按承诺发放", "improvements": "促销前核实赠品库存"}
REVIEWED = {
    "drill_feasibility": "流程可行，各环节衔接顺畅",
    "drill_effectiveness": "联络人汇报及时，部门执行到位",
    "drill_problems": "物流部响应较慢",
    "preplan_optimisation": "明确物流部配合时限",
    "drill_interval": "P3M",
}


@pytest.fixture
def market(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("market_emergency_liaison", {**INTAKE, **changes})


def executed(flow, case, results: dict[str, str]) -> None:
    """Each department completes its own instance of the multi-instance step."""
    flow.complete_each(case, "Task_DeptExecute", [{"department": d, "execution": r} for d, r in results.items()])


def handle(flow, case) -> None:
    """四.1–四.5(1) for an ordinary complaint without further demands."""
    flow.complete(case, "Task_Report", REPORTED)
    flow.complete(case, "Task_Analyse", ANALYSED)
    flow.complete(case, "Task_Measures", MEASURES)
    executed(flow, case, {"market": "已调货", "logistics": "已加急配送"})
    flow.complete(case, "Task_Feedback", FED_BACK)
    flow.complete(case, "Task_Summary", SUMMARY)


# -- 四.1–四.3 receipt, report, analysis, handling by the departments -----------------------------------------------
def test_liaison_receives_and_reports_then_the_team_analyses(market):
    case = start(market)
    assert market.show(case)["title"] == "吴先生：促销赠品未兑现"
    assert market.open_steps(case) == ["Task_Report"]
    assert market.task(case, "Task_Report")["role"] == "market_liaison"
    assert market.task(case, "Task_Report")["due_at"] is None  # "及时": no period is stated
    market.complete(case, "Task_Report", REPORTED)
    assert market.open_steps(case) == ["Task_Analyse"]
    assert market.task(case, "Task_Analyse")["role"] == "market_complaint_team"
    market.complete(case, "Task_Analyse", ANALYSED)  # default level: 一般投诉
    assert market.show(case)["severity"] == "general"
    assert market.open_steps(case) == ["Task_Measures"]
    market.complete(case, "Task_Measures", MEASURES)
    assert market.open_steps(case) == ["Task_DeptExecute", "Task_DeptExecute"]  # the departments involved, in parallel
    assert {t["role"] for t in market.open_tasks(case)} == {"market_departments"}
    executed(market, case, {"market": "已调货", "logistics": "已加急配送"})
    assert sorted(market.data(case)["execution_results"]) == ["已加急配送", "已调货"]
    assert market.open_steps(case) == ["Task_Feedback"]
    assert market.task(case, "Task_Feedback")["role"] == "market_liaison"


def test_major_incident_is_studied_at_a_leadership_meeting(market):
    case = start(market)
    market.complete(case, "Task_Report", REPORTED)
    market.complete(case, "Task_Analyse", {**ANALYSED, "incident_level": "major"})
    assert market.show(case)["severity"] == "major"
    assert market.open_steps(case) == ["Task_Meeting"]
    assert market.task(case, "Task_Meeting")["role"] == "market_leadership"
    market.complete(
        case, "Task_Meeting", {"solution": "全部促销订单统一补发赠品并公开致歉", "attendees": "总经理、各部门负责人"}
    )
    assert market.open_steps(case) == ["Task_Measures"]
    assert market.data(case)["solution"] == "全部促销订单统一补发赠品并公开致歉"


# -- 四.4–四.5 feedback, reasonable demands, summary ------------------------------------------------------------------
def test_reasonable_demands_are_met_before_the_summary(market):
    case = start(market)
    market.complete(case, "Task_Report", REPORTED)
    market.complete(case, "Task_Analyse", ANALYSED)
    market.complete(case, "Task_Measures", MEASURES)
    executed(market, case, {"market": "已调货", "logistics": "已加急配送"})
    market.complete(case, "Task_Feedback", {**FED_BACK, "reasonable_demands": True, "demand_details": "要求补偿运费"})
    assert market.open_steps(case) == ["Task_SatisfyDemands"]
    assert market.task(case, "Task_SatisfyDemands")["role"] == "market_complaint_team"
    market.complete(case, "Task_SatisfyDemands", {"demands_met": "已退还运费 50 元"})
    assert market.open_steps(case) == ["Task_Summary"]
    assert market.task(case, "Task_Summary")["role"] == "market_complaint_team"


def test_real_complaint_ends_after_the_summary(market):
    case = start(market)
    handle(market, case)
    assert market.status(case) == "completed"
    assert market.timers(case) == []
    assert not market.show(case)["is_drill"]
    assert market.show(case)["business_key"].startswith("TS-")


# -- 六 应急演练 -----------------------------------------------------------------------------------------------------
def test_drill_case_ends_with_review_and_the_next_drill_after_its_interval(market):
    organiser = market.user("总经理", "market_leadership")
    case = market.engine.start("market_emergency_liaison", INTAKE, user=organiser, drill=True)["case"]
    assert market.show(case)["business_key"].startswith("YL-")
    handle(market, case)
    assert market.open_steps(case) == ["Task_DrillReview"]  # 六.2 检验可行性和有效性, 六.3 优化应急预案
    assert market.task(case, "Task_DrillReview")["role"] == "market_leadership"
    market.complete(case, "Task_DrillReview", REVIEWED)
    assert market.open_steps(case) == []
    assert [(t["bpmn_id"], t["due_at"]) for t in market.show(case)["timers"]] == [
        ("Timer_NextDrill", "2027-02-23T10:00:00+08:00")
    ]  # 每季度: three calendar months after the review
    market.at("2027-02-23T10:00:00+08:00")
    assert market.fire() == 0  # fires strictly after its time
    market.at("2027-02-23T10:00:01+08:00")
    assert market.fire() == 1
    assert market.open_steps(case) == ["Task_OrganiseDrill"]  # 六.1 定期组织应急演练
    assert market.task(case, "Task_OrganiseDrill")["role"] == "market_leadership"
    market.complete(case, "Task_OrganiseDrill", {"drill_plan": "模拟媒体曝光的重大投诉"})
    assert market.status(case) == "completed"


def test_drill_clock_jumps_to_the_next_drill_without_touching_real_cases(market):
    real = start(market)
    drill = market.start("market_emergency_liaison", INTAKE, drill=True)
    handle(market, drill)
    market.complete(drill, "Task_DrillReview", {**REVIEWED, "drill_interval": "P1M"})
    result = market.engine.advance_drill(drill, to_next_deadline=True)
    assert result["now"] == "2026-12-23T10:00:01+08:00" and result["fired"] == 1  # 每月: one calendar month later
    assert market.open_steps(drill) == ["Task_OrganiseDrill"]
    assert market.open_steps(real) == ["Task_Report"]
