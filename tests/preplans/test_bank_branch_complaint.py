"""Scenarios for the bank_branch_complaint preplan (银行关于客户投诉的应急预案, source 001 lines 128-139).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source states no numeric deadline (only "立即" / "及时"), so no step has a due time. Step ids are the BPMN ids of
processes/bank_branch_complaint/bank_branch_complaint.bpmn.
"""

from __future__ import annotations

import pytest

from engine.errors import Conflict, ValidationFailed
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "bank_branch_complaint"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "phone",
    "complainant_name": "钱女士",
    "contact": "13900000000",
    "branch": "城东支行营业部",
    "summary": "柜台办理转账被多收手续费",
    "content": "柜员未说明收费标准，多收取转账手续费 50 元",
}
VERIFIED = {
    "background": "客户在城东支行营业部柜台办理跨行转账",
    "verified_content": "属实：按旧收费标准收取",
    "identity_method": "核对身份证件",
}
JUDGED = {"initial_judgment": "收费标准更新未落实到柜面", "responsible_dept": "operations"}
INVESTIGATED = {"facts": "柜面系统未更新收费参数", "causes": "参数维护遗漏"}
SOLUTION = {"solution": "退还多收的手续费并致歉"}
TRACKED = {"tracking": "手续费已退回客户账户"}
FEEDBACK = {"result": "已退还 50 元手续费，客户表示满意", "feedback_way": "phone"}
SUMMARY = {"analysis": "收费参数维护遗漏，已全行排查", "report_to_group": "本月一般投诉 1 件，已办结"}
REPORT = {"report_content": "同一收费问题在多个网点出现"}
COORDINATED = {"departments": ["operations", "it"], "coordination_plan": "运营管理部牵头全行排查，信息科技部更新参数"}


@pytest.fixture
def bank(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("bank_branch_complaint", {**INTAKE, **changes})


def summarise(flow, case) -> None:
    flow.only_step(case, "Task_Summary", SUMMARY, "bank_branch_centre")
    assert flow.status(case) == "completed"


def coordinate(flow, case, results: dict[str, str]) -> None:
    """四.2(2) / 五.1(3) / 五.2(2): the leadership group organises; each department concerned handles its part."""
    flow.only_step(case, "Task_Coordinate", {**COORDINATED, "departments": list(results)}, "bank_branch_leadership")
    assert flow.open_steps(case) == ["Task_DeptHandle"] * len(results)  # one step per department, at once
    assert {t["role"] for t in flow.open_tasks(case)} == {"bank_branch_related_dept"}
    flow.complete_each(case, "Task_DeptHandle", [{"department": d, "dept_result": r} for d, r in results.items()])


# -- 四.1 intake and 四.2(1) ordinary handling at the branch or outlet -------------------------------------------
def test_centre_registers_and_passes_an_ordinary_complaint_to_the_branch(bank):
    case = start(bank)
    shown = bank.show(case)
    assert shown["title"] == "城东支行营业部：钱女士"
    assert shown["severity"] == "general"  # 投诉情形 defaults to 一般投诉
    assert bank.open_steps(case) == ["Task_Verify"]
    assert bank.task(case, "Task_Verify")["role"] == "bank_branch_group"


def test_ordinary_complaint_runs_a_to_e_then_feedback_and_summary(bank):
    case = start(bank)
    bank.only_step(case, "Task_Verify", VERIFIED, "bank_branch_group")  # a 确认投诉人身份
    bank.only_step(case, "Task_Judge", JUDGED, "bank_branch_group")  # b 明确责任部门
    bank.only_step(case, "Task_Investigate", INVESTIGATED, "bank_branch_resp_dept")  # c 责任部门调查、核实
    bank.only_step(case, "Task_Solution", SOLUTION, "bank_branch_group")  # d 制定解决方案并反馈
    bank.only_step(case, "Task_Track", TRACKED, "bank_branch_group")  # e 跟踪（默认已解决）
    bank.only_step(case, "Task_Feedback", FEEDBACK, "bank_branch_group")  # 四.3(1) 反馈并做好记录
    summarise(bank, case)  # 四.3(2) 中心汇总、分析、报告
    data = bank.data(case)
    assert data["identity_confirmed"] is True
    assert (data["responsible_dept"], data["result"]) == ("operations", FEEDBACK["result"])


def test_unresolved_problem_is_investigated_again_until_it_is_resolved(bank):
    case = start(bank)
    bank.complete(case, "Task_Verify", VERIFIED)
    bank.complete(case, "Task_Judge", JUDGED)
    for attempt in range(2):  # 四.2(1)e 确保问题得到有效解决
        bank.complete(case, "Task_Investigate", INVESTIGATED)
        bank.complete(case, "Task_Solution", {"solution": f"第 {attempt + 1} 次方案"})
        bank.complete(case, "Task_Track", {"tracking": "客户账户仍未收到退款", "resolved": False})
        assert bank.open_steps(case) == ["Task_Investigate"]  # back to the responsible department
        assert bank.task(case, "Task_Investigate")["role"] == "bank_branch_resp_dept"
    bank.complete(case, "Task_Investigate", {"facts": "退款被系统拦截"})
    bank.complete(case, "Task_Solution", {"solution": "人工退款并致歉"})
    bank.complete(case, "Task_Track", {"tracking": "退款到账", "resolved": True})
    assert bank.open_steps(case) == ["Task_Feedback"]
    assert bank.data(case)["solution"] == "人工退款并致歉"
    bank.complete(case, "Task_Feedback", FEEDBACK)
    summarise(bank, case)


# -- 四.2(2) / 五.2 major and systemic complaints -------------------------------------------------------------------
@pytest.mark.parametrize("situation", ["major", "systemic"])
def test_major_or_systemic_complaint_is_reported_at_once_and_coordinated_by_the_group(bank, situation):
    case = start(bank, situation=situation)
    assert bank.show(case)["severity"] == situation
    bank.only_step(case, "Task_ReportGroup", REPORT, "bank_branch_centre")  # 五.2(1) 立即上报
    coordinate(bank, case, {"operations": "已全行排查收费参数", "it": "系统参数已更新"})
    bank.only_step(case, "Task_TrackFeedback", FEEDBACK, "bank_branch_centre")  # 五.2(3) 跟踪并反馈投诉人
    summarise(bank, case)
    data = bank.data(case)
    assert sorted(data["dept_results"]) == ["已全行排查收费参数", "系统参数已更新"]
    assert "Task_Verify" not in [e["details"].get("bpmn_id") for e in bank.events(case, "completed")]


# -- 五.1 sudden incidents: an event sub-process any running case can start ----------------------------------------
INCIDENT = {"description": "十余名客户在网点大厅聚集", "reported_by": "网点负责人"}


def test_a_sudden_incident_can_break_out_at_any_time_and_runs_beside_the_complaint(bank):
    case = start(bank)
    bank.complete(case, "Task_Verify", VERIFIED)
    group = bank.user_for("bank_branch_group")
    answer = bank.engine.send_message(case, "sudden_incident", INCIDENT, user=group)
    assert answer["caught"] == [{"bpmn_id": "Start_SuddenIncident", "name": "发生突发事件"}]
    assert bank.open_steps(case) == ["Task_ActivatePlan", "Task_Judge"]  # the complaint's handling goes on
    assert bank.data(case)["incident_notice"] == INCIDENT  # the message's data, as its instructions show it
    bank.complete(
        case, "Task_ActivatePlan", {"incident": "十余名客户在大厅聚集", "measures": "启动网点应急预案，疏导客户"}
    )  # 五.1(2) 立即启动、控制事态
    bank.complete(case, "Task_ReportIncident", {"report_content": "已疏导，无人员受伤"})  # 五.1(3) 上报
    leadership = bank.task(case, "Task_IncidentCoordinate")
    assert leadership["role"] == "bank_branch_leadership"
    bank.complete(case, "Task_IncidentCoordinate", {**COORDINATED, "departments": ["security"]})
    bank.complete_each(case, "Task_IncidentDeptHandle", [{"department": "security", "dept_result": "加强大厅秩序维护"}])
    assert bank.open_steps(case) == ["Task_Judge"]
    for step, data in [
        ("Task_Judge", JUDGED),
        ("Task_Investigate", INVESTIGATED),
        ("Task_Solution", SOLUTION),
        ("Task_Track", TRACKED),
        ("Task_Feedback", FEEDBACK),
    ]:
        bank.complete(case, step, data)
    summarise(bank, case)


def test_a_sudden_incident_is_no_longer_a_choice_at_registration(bank):
    with pytest.raises(ValidationFailed):
        start(bank, situation="sudden")


def test_each_incident_starts_its_own_handling_and_a_closed_case_takes_none(bank):
    case = start(bank, situation="major")
    for _ in range(2):
        bank.engine.send_message(case, "sudden_incident", INCIDENT)
    assert bank.open_steps(case).count("Task_ActivatePlan") == 2
    closed = start(bank)
    bank.engine.terminate(closed, "客户撤诉")
    with pytest.raises(Conflict, match="it takes no message"):
        bank.engine.send_message(closed, "sudden_incident", INCIDENT)
