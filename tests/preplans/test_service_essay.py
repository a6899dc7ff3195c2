"""Scenarios for the service_essay preplan (服务投诉处理应急预案, an essay; source 002 lines 154-173).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
essay asks a preplan to fix "投诉处理的时间节点" but gives none, so the handler sets the time point of each complaint
(`handling_due`) when assigning the dedicated person; handling and feedback are due then. Step ids are the BPMN ids of
processes/service_essay/service_essay.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "service_essay"
MONDAY = "2026-11-23T10:00:00+08:00"
DUE = "2026-11-25T18:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "phone",
    "complainant_name": "郑女士",
    "contact": "13800000001",
    "summary": "酒店房间未按约定升级",
    "content": "预订时承诺免费升级，入住时未兑现",
    "demands": "兑现升级或补偿",
}
ASSIGNED = {
    "agent": "前厅经理 陈某",
    "agent_contact": "分机 8001",
    "handling_due": DUE,
    "division": "前厅沟通，客房部落实",
}
TALKED = {"details": "预订系统漏记升级承诺", "opinion": "兑现升级", "solution": "今晚升级为套房"}
FEEDBACK = {"result": "已升级为套房并致歉", "complainant_satisfied": True}
RECORD = {
    "record": "预订漏记升级承诺；已兑现",
    "departments_informed": "前厅部、客房部、预订中心",
    "root_cause": "service_process",
}


@pytest.fixture
def service(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow) -> int:
    case = flow.start("service_essay", INTAKE)
    assert flow.show(case)["title"] == "郑女士：酒店房间未按约定升级"
    assert flow.open_steps(case) == ["Task_Assign"]
    assert flow.task(case, "Task_Assign")["role"] == "service_essay_handler"
    flow.complete(case, "Task_Assign", ASSIGNED)  # 第一时间关注，派专人；时间节点、责任分工
    assert flow.task(case, "Task_Communicate")["role"] == "service_essay_agent"
    return case


def finish(flow, case) -> None:
    flow.complete(case, "Task_Feedback", FEEDBACK)
    assert flow.task(case, "Task_Record")["role"] == "service_essay_handler"
    flow.complete(case, "Task_Record", RECORD)
    assert flow.status(case) == "completed"


def test_dedicated_person_settles_it_and_gives_feedback_by_the_time_point(service):
    case = start(service)
    service.complete(case, "Task_Communicate", TALKED)  # default: no department needed
    task = service.task(case, "Task_Feedback")
    assert (task["role"], task["due_at"]) == ("service_essay_agent", DUE)
    finish(service, case)
    assert service.timers(case) == []
    assert service.data(case)["root_cause"] == "service_process"


def test_department_handles_when_the_solution_needs_it_by_the_same_time_point(service):
    case = start(service)
    service.complete(case, "Task_Communicate", {**TALKED, "needs_department": True})
    task = service.task(case, "Task_DeptHandle")
    assert (task["role"], task["due_at"]) == ("service_essay_dept", DUE)
    service.complete(case, "Task_DeptHandle", {"department": "客房部", "handling": "已安排套房"})
    assert service.task(case, "Task_Feedback")["due_at"] == DUE
    finish(service, case)


def test_missed_time_point_marks_the_step_overdue_and_it_stays_open(service):
    case = start(service)
    service.complete(case, "Task_Communicate", {**TALKED, "needs_department": True})
    service.at("2026-11-25T18:00:00+08:00")
    assert service.fire() == 0  # strictly after the due time
    service.at("2026-11-25T18:00:01+08:00")
    service.fire()
    assert service.fired(case) == ["Timer_DeptHandle_Due"]
    assert service.task(case, "Task_DeptHandle")["overdue"]
    service.complete(case, "Task_DeptHandle", {"department": "客房部", "handling": "次日补偿房费"})
    service.fire()  # feedback opens after the time point: its deadline has passed as well
    assert service.fired(case) == ["Timer_DeptHandle_Due", "Timer_Feedback_Due"]
    assert service.task(case, "Task_Feedback")["overdue"]
    finish(service, case)
