"""Scenarios for the generic_4phase preplan (投诉应急预案, source 002 lines 129-153).

Four phases: 投诉接收 → 调查核实 → 处理结果 → 事后处理. Every scenario runs on SQLite and PostgreSQL (the ``flow``
fixture) with a fixed clock. The source states no deadlines ("立即", "及时" only), so there are no timers. Step ids are
the BPMN ids of processes/generic_4phase/generic_4phase.bpmn.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "generic_4phase"
FORMS = ROOT / "forms"
MONDAY = "2026-11-23T10:00:00+08:00"

INVESTIGATED = {"findings": "逐项核实，产品批次确有问题", "evidence": "检验报告"}
FEEDBACK = {"result": "退货并赔偿", "reasons": "依据《消费者权益保护法》及销售合同"}
LESSONS = {"causes": "来料检验缺失", "improvements": "完善来料检验制度"}


@pytest.fixture
def company(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    data = {
        "received_at": MONDAY,
        "location": "门店",
        "complainant_name": "陈先生",
        "subject": "产品质量",
        "content": "购买的产品使用一周即损坏",
    }
    data.update(changes)
    return flow.start("generic_4phase", data)


def test_ordinary_complaint_runs_through_the_four_phases(company):
    case = start(company)
    assert company.show(case)["title"] == "陈先生：产品质量"
    assert company.open_steps(case) == ["Task_Investigate"]  # 二.2(1): investigation starts at once
    assert company.task(case, "Task_Investigate")["role"] == "generic_4phase_dept"
    company.complete(case, "Task_Investigate", INVESTIGATED)
    assert company.open_steps(case) == ["Task_Feedback"]
    company.complete(case, "Task_Feedback", {**FEEDBACK, "founded": False})
    assert company.open_steps(case) == ["Task_Summary"]  # not founded, satisfied: no remedy, no follow-up
    assert company.task(case, "Task_Summary")["form"] == "_dining/lessons.schema.json"  # shared with onsite_complaint
    company.complete(case, "Task_Summary", LESSONS)
    assert company.status(case) == "completed"


def test_major_complaint_is_reported_to_senior_management_while_the_investigation_runs(company):
    case = start(company, major=True)
    assert company.open_steps(case) == ["Task_Investigate", "Task_LeadershipReport"]
    assert company.task(case, "Task_LeadershipReport")["role"] == "generic_4phase_leadership"
    company.complete(case, "Task_LeadershipReport", {"measures": "由副总经理牵头，当天答复客户"})
    company.complete(case, "Task_Investigate", INVESTIGATED)
    company.complete(case, "Task_Feedback", FEEDBACK)
    company.complete(case, "Task_Summary", LESSONS)
    assert company.status(case) == "completed"
    assert company.data(case)["measures"] == "由副总经理牵头，当天答复客户"


def test_legal_questions_go_to_the_legal_counsel(company):
    case = start(company)
    company.complete(case, "Task_Investigate", {**INVESTIGATED, "legal_issue": True})
    assert company.open_steps(case) == ["Task_LegalAdvice"]
    assert company.task(case, "Task_LegalAdvice")["role"] == "generic_4phase_legal"
    company.complete(case, "Task_LegalAdvice", {"legal_opinion": "应按三包规定退换"})
    assert company.open_steps(case) == ["Task_Feedback"]


def test_founded_complaint_gets_remedies_and_a_dissatisfied_complainant_is_followed_up(company):
    case = start(company)
    company.complete(case, "Task_Investigate", INVESTIGATED)
    company.complete(case, "Task_Feedback", {**FEEDBACK, "founded": True, "complainant_satisfied": False})
    assert company.open_steps(case) == ["Task_Remedy"]
    company.complete(case, "Task_Remedy", {"remedy": "更换新品并补偿100元", "complainant_satisfied": False})
    # 二.4: summing up and following up the dissatisfied complainant run side by side
    assert company.open_steps(case) == ["Task_FollowUp", "Task_Summary"]
    company.complete(case, "Task_Summary", LESSONS)
    company.complete(case, "Task_FollowUp", {"communication": "电话沟通", "conflict_resolved": False})
    assert company.open_steps(case) == ["Task_FollowUp"]  # until the conflict is defused
    company.complete(case, "Task_FollowUp", {"communication": "上门回访", "conflict_resolved": True})
    assert company.status(case) == "completed"


def test_satisfaction_after_the_remedy_counts(company):
    case = start(company)
    company.complete(case, "Task_Investigate", INVESTIGATED)
    company.complete(case, "Task_Feedback", {**FEEDBACK, "founded": True, "complainant_satisfied": False})
    company.complete(case, "Task_Remedy", {"remedy": "退款"})  # default: satisfied once remedied
    assert company.open_steps(case) == ["Task_Summary"]


def form_of(task) -> dict:
    own = FORMS / "generic_4phase" / task["form"]
    return json.loads((own if own.exists() else FORMS / task["form"]).read_text(encoding="utf-8"))
