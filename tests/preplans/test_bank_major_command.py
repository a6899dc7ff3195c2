"""Scenarios for the bank_major_command preplan (农商银行重大投诉应急预案, source 001 lines 26-39, TRUNCATED at
"六、舆论引导 1. 信息发布").

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source states no numeric deadline ("及时", "立即" only), so no step has a due time. Step ids are the BPMN ids of
processes/bank_major_command/bank_major_command.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "bank_major_command"
MONDAY = "2026-11-23T10:00:00+08:00"

REPORT = {
    "received_at": MONDAY,
    "reporting_department": "营业部",
    "complainant_name": "城东支行代发工资客户",
    "complainant_count": 40,
    "summary": "代发工资账户被重复收取年费",
    "content": "四十余名客户到网点集体投诉重复收费",
    "group_complaint": True,
}
ACTIVATE = {"nature": "收费投诉，群体性", "impact": "四十余人聚集网点，已有自媒体转发", "activate": True}
GROUPS = {"commander": "行长张某", "deputy_commander": "分管行长李某"}
INVESTIGATED = {"facts": "系统参数错误导致代发账户重复扣收年费"}
MEASURES = {
    "measures": ["apologise", "refund", "hold_accountable"],
    "measure_details": "逐户道歉并退还重复收取的年费",
    "refund_amount": 4000,
}
COMMUNICATED = {"progress_reported": "已退费到账", "customer_understanding": True}
GROUP_STEPS = {  # optional working group -> (flag in the set-up form, step, role, a submission)
    "publicity": (
        "publicity_group",
        "Task_Publicity",
        "rcb_publicity_group",
        {"opinion_trends": "本地论坛有转发", "information_released": "发布情况说明"},
    ),
    "legal": ("legal_group", "Task_Legal", "rcb_legal_group", {"legal_advice": "退费不构成法律纠纷"}),
    "customer": (
        "customer_relations_group",
        "Task_CustomerRelations",
        "rcb_customer_group",
        {"soothing": "大堂安排座位、茶水，逐一解释"},
    ),
    "security": ("security_group", "Task_Security", "rcb_security_group", {"site_order": "网点秩序正常"}),
}
NO_CRITERION = {"group_complaint": False, "major_violation": False, "internal_management": False, "other_major": False}


@pytest.fixture
def bank(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("bank_major_command", {**REPORT, **changes})


def activate(flow, case, **groups) -> None:
    flow.complete(case, "Task_Activate", ACTIVATE)
    flow.complete(case, "Task_SetUpGroups", {**GROUPS, **groups})


def complaint_group(flow, case) -> None:
    """五、1–3: investigation, measures, communication until the measures are carried out."""
    flow.complete(case, "Task_Investigate", INVESTIGATED)
    flow.complete(case, "Task_Measures", MEASURES)
    flow.complete(case, "Task_Communicate", COMMUNICATED)


def completed_steps(flow, case) -> list[str]:
    from engine.cases.views import list_tasks

    with flow.engine.db.read() as session:
        return sorted(
            t["bpmn_id"]
            for t in list_tasks(session, flow.engine.tz, case_id=case, include_closed=True)
            if t["status"] == "completed"
        )


# -- 二、适用范围: the decision table -----------------------------------------------------------------------------------
SCOPE = [
    ({"group_complaint": True}, "group_complaint"),
    ({"major_violation": True}, "major_violation"),
    ({"internal_management": True}, "internal_management"),
    ({"other_major": True}, "other"),
    ({}, "not_listed"),
    # several apply: the first situation in the order of the source names the incident
    ({"internal_management": True, "major_violation": True}, "major_violation"),
    ({"other_major": True, "group_complaint": True, "internal_management": True}, "group_complaint"),
]


def test_scope_decision_names_the_situation_of_section_2(bank):
    with bank.engine.db.read() as session:
        for changes, expected in SCOPE:
            result = decide(session, bank.engine.settings, "bank_major_command/scope", {**NO_CRITERION, **changes})
            assert result == {"incident_type": expected}, changes


# -- 四、1–2 information report and activation --------------------------------------------------------------------
def test_department_report_reaches_the_command_hq_which_decides_activation(bank):
    case = start(bank, group_complaint=False, major_violation=True)
    shown = bank.show(case)
    assert shown["title"] == "城东支行代发工资客户：代发工资账户被重复收取年费"
    assert shown["severity"] == "major_violation"  # the case list shows the situation of 二、2
    assert bank.open_steps(case) == ["Task_Activate"]
    task = bank.task(case, "Task_Activate")
    assert task["role"] == "rcb_command_hq"
    assert task["form"] == "_major/activation.schema.json"  # the shared step of the major-complaint preplans
    assert task["due_at"] is None  # "及时" / "立即": no deadline to count
    assert bank.show(case)["timers"] == []


def test_not_activated_the_department_handles_the_complaint_normally(bank):
    case = start(bank, group_complaint=False)
    assert bank.show(case)["severity"] == "not_listed"
    bank.complete(case, "Task_Activate", {**ACTIVATE, "activate": False, "decision_notes": "按一般投诉处理"})
    assert bank.open_steps(case) == ["Task_NormalHandling"]
    assert bank.task(case, "Task_NormalHandling")["role"] == "rcb_dept"
    bank.complete(case, "Task_NormalHandling", {"handling": "营业部已为客户退费"})
    assert bank.status(case) == "completed"
    assert completed_steps(bank, case) == ["Task_Activate", "Task_NormalHandling"]  # no working group was set up


# -- 三、2 / 四、3 activation: every working group enters emergency status at once --------------------------------------
def test_activation_sets_up_the_five_working_groups_which_act_at_once(bank):
    case = start(bank)
    bank.complete(case, "Task_Activate", ACTIVATE)
    assert bank.open_steps(case) == ["Task_SetUpGroups"]
    assert bank.task(case, "Task_SetUpGroups")["role"] == "rcb_command_hq"
    bank.complete(case, "Task_SetUpGroups", GROUPS)  # by default every group is set up
    expected = {"Task_Investigate": "rcb_complaint_group"} | {step: role for _, step, role, _ in GROUP_STEPS.values()}
    assert bank.open_steps(case) == sorted(expected)
    assert {step: bank.task(case, step)["role"] for step in expected} == expected
    assert all(bank.task(case, step)["due_at"] is None for step in expected)


def test_the_case_ends_only_when_every_group_has_finished(bank):
    case = start(bank)
    activate(bank, case)
    for _, step, _, data in GROUP_STEPS.values():  # the four groups finish first, in any order
        bank.complete(case, step, data)
    assert bank.open_steps(case) == ["Task_Investigate"]
    bank.complete(case, "Task_Investigate", INVESTIGATED)
    bank.complete(case, "Task_Measures", MEASURES)
    assert bank.status(case) == "running"
    bank.complete(case, "Task_Communicate", COMMUNICATED)
    assert bank.status(case) == "completed"
    data = bank.data(case)
    assert data["measures"] == ["apologise", "refund", "hold_accountable"] and data["refund_amount"] == 4000


def test_only_the_groups_the_hq_sets_up_take_part(bank):
    case = start(bank)
    activate(bank, case, publicity_group=True, legal_group=False, customer_relations_group=True, security_group=False)
    assert bank.open_steps(case) == ["Task_CustomerRelations", "Task_Investigate", "Task_Publicity"]
    complaint_group(bank, case)
    assert bank.open_steps(case) == ["Task_CustomerRelations", "Task_Publicity"]
    bank.complete(case, "Task_Publicity", GROUP_STEPS["publicity"][3])
    bank.complete(case, "Task_CustomerRelations", GROUP_STEPS["customer"][3])
    assert bank.status(case) == "completed"
    assert "Task_Legal" not in completed_steps(bank, case) and "Task_Security" not in completed_steps(bank, case)


def test_complaint_group_alone_when_no_other_group_is_needed(bank):
    case = start(bank)
    activate(bank, case, **{flag: False for flag, *_ in GROUP_STEPS.values()})
    assert bank.open_steps(case) == ["Task_Investigate"]  # 投诉处理组 is always set up (五 gives it the handling)
    complaint_group(bank, case)
    assert bank.status(case) == "completed"


# -- 五、3 沟通协调: keep communicating until the measures are carried out -----------------------------------------------
def test_complaint_group_keeps_reporting_progress_until_handling_is_complete(bank):
    case = start(bank)
    activate(bank, case, **{flag: False for flag, *_ in GROUP_STEPS.values()})
    bank.complete(case, "Task_Investigate", INVESTIGATED)
    bank.complete(case, "Task_Measures", MEASURES)
    bank.complete(case, "Task_Communicate", {"progress_reported": "退费已审批，三日内到账", "handling_complete": False})
    assert bank.open_steps(case) == ["Task_Communicate"]  # loop: report progress again
    assert bank.task(case, "Task_Communicate")["role"] == "rcb_complaint_group"
    bank.complete(case, "Task_Communicate", {"progress_reported": "退费已到账", "handling_complete": False})
    assert bank.open_steps(case) == ["Task_Communicate"]
    bank.complete(case, "Task_Communicate", COMMUNICATED)
    assert bank.status(case) == "completed"
    assert bank.data(case)["progress_reported"] == "已退费到账"
