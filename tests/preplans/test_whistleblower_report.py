"""Scenarios for the whistleblower_report preplan (举报事故处理制度模板, source 002 lines 46-67, TRUNCATED at
"七、违规处理 1.").

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
one deadline of the source is 五、1: the safety-production department verifies a report within 24 (clock) hours of
receiving it. Step ids are the BPMN ids of processes/whistleblower_report/whistleblower_report.bpmn.
"""

from __future__ import annotations

import pytest

from engine.cases.views import list_tasks
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "whistleblower_report"
MONDAY = "2026-11-23T10:00:00+08:00"

REPORT = {
    "received_at": MONDAY,
    "channel": "safety_dept",
    "mode": "written",
    "reporter_name": "周工",
    "reporter_contact": "13600000000",
    "subject": "二号车间压力容器超期未检",
    "categories": ["equipment"],
    "report_content": "二号车间 3 号储气罐检验合格证已过期半年，仍在使用",
}
VERIFIED = {"verification": "现场查看，检验合格证确已过期", "initial_judgment": "属实，涉及重大隐患"}
INVESTIGATED = {"facts": "设备科未安排定期检验", "evidence": "检验台账、现场照片"}
PROTECTED = {"protection_measures": "举报材料由部门负责人单独保管，调查中不透露举报人"}
PROPOSED = {
    "findings": "设备科未按规定安排压力容器定期检验",
    "responsible_persons": "设备科科长",
    "proposal": "给予设备科科长记过处分，立即停用并送检",
}
DECIDED = {"decision": "同意处理建议，储气罐停用送检"}
NOTICE = {"notice": "您反映的问题经调查属实，已作出处理", "delivery": "letter"}


@pytest.fixture
def whistle(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("whistleblower_report", {**REPORT, **changes})


def completed_steps(flow, case) -> list[str]:
    with flow.engine.db.read() as session:
        return sorted(
            t["bpmn_id"]
            for t in list_tasks(session, flow.engine.tz, case_id=case, include_closed=True)
            if t["status"] == "completed"
        )


# -- 三 channels; 五、1 verification within 24 hours -----------------------------------------------------------------
def test_report_is_registered_by_the_safety_department_without_naming_the_reporter(whistle):
    case = start(whistle, channel="union", mode="oral")
    shown = whistle.show(case)
    assert shown["title"] == "安全生产举报：二号车间压力容器超期未检"
    assert "周工" not in shown["title"]  # 五、5 对举报人保密: the case lists never show the reporter
    assert whistle.open_steps(case) == ["Task_Verify"]
    assert whistle.task(case, "Task_Verify")["role"] == "whistle_safety_dept"


def test_verification_is_due_24_clock_hours_after_receipt(whistle):
    case = start(whistle)
    assert whistle.task(case, "Task_Verify")["due_at"] == "2026-11-24T10:00:00+08:00"
    assert whistle.timers(case) == ["Timer_Verify_24h"]


def test_the_24_hours_count_from_receipt_not_from_registration_and_ignore_weekends(whistle):
    """Received through a leader on Saturday 20:30, registered on Sunday: due Sunday 20:30 (clock hours)."""
    whistle.at("2026-11-29T09:00:00+08:00")
    case = start(whistle, channel="company_leader", received_at="2026-11-28T20:30:00+08:00")
    assert whistle.task(case, "Task_Verify")["due_at"] == "2026-11-29T20:30:00+08:00"


def test_a_late_verification_is_flagged_overdue_and_stays_with_the_department(whistle):
    case = start(whistle)
    assert whistle.advance(hours=23, minutes=59) == 0
    assert not whistle.task(case, "Task_Verify")["overdue"]
    whistle.advance(minutes=2)
    assert whistle.fired(case) == ["Timer_Verify_24h"]
    task = whistle.task(case, "Task_Verify")  # non-interrupting: still to be done, by the same department
    assert task["overdue"] and task["role"] == "whistle_safety_dept"
    whistle.complete(case, "Task_Verify", VERIFIED)
    assert whistle.open_steps(case) == ["Task_Investigate", "Task_Protect"]


def test_verification_in_time_cancels_the_deadline(whistle):
    whistle.advance(hours=5)
    case = start(whistle, received_at=MONDAY)  # registered 5 h after receipt: 19 h left
    assert whistle.task(case, "Task_Verify")["due_at"] == "2026-11-24T10:00:00+08:00"
    whistle.complete(case, "Task_Verify", VERIFIED)
    assert whistle.timers(case) == []
    whistle.advance(days=2)
    assert whistle.fired(case) == []


# -- 五、1 decide whether to investigate ----------------------------------------------------------------------------
def test_no_investigation_the_reporter_is_told_in_writing_and_the_case_ends(whistle):
    case = start(whistle)
    whistle.complete(
        case,
        "Task_Verify",
        {**VERIFIED, "investigate": False, "no_investigation_reason": "该储气罐已于上周送检，合格证已更新"},
    )
    assert whistle.open_steps(case) == ["Task_NoticeNoInvestigation"]
    assert whistle.task(case, "Task_NoticeNoInvestigation")["role"] == "whistle_safety_dept"
    whistle.complete(case, "Task_NoticeNoInvestigation", {**NOTICE, "notice": "经核实，合格证已更新，不予调查"})
    assert whistle.status(case) == "completed"
    assert completed_steps(whistle, case) == ["Task_NoticeNoInvestigation", "Task_Verify"]


# -- 五、2–5 investigation with protection of the reporter, decision, written notice -------------------------------
def test_investigation_and_protection_of_the_reporter_run_in_parallel(whistle):
    case = start(whistle)
    whistle.complete(case, "Task_Verify", VERIFIED)  # 需要调查 by default
    assert whistle.open_steps(case) == ["Task_Investigate", "Task_Protect"]
    assert whistle.task(case, "Task_Investigate")["form"] == "_major/investigation.schema.json"
    whistle.complete(case, "Task_Protect", PROTECTED)
    assert whistle.open_steps(case) == ["Task_Investigate"]  # the proposal waits for the investigation
    whistle.complete(case, "Task_Investigate", INVESTIGATED)
    assert whistle.open_steps(case) == ["Task_Propose"]


def test_leaders_decide_and_the_safety_department_tells_the_reporter_in_writing(whistle):
    case = start(whistle)
    whistle.complete(case, "Task_Verify", VERIFIED)
    whistle.complete(case, "Task_Investigate", INVESTIGATED)
    whistle.complete(case, "Task_Protect", PROTECTED)
    whistle.complete(case, "Task_Propose", PROPOSED)
    assert whistle.open_steps(case) == ["Task_Decide"]
    assert whistle.task(case, "Task_Decide")["role"] == "whistle_company_leader"
    whistle.complete(
        case,
        "Task_Decide",
        {
            **DECIDED,
            "violations": [{"employee": "设备科科长", "conduct": "调查期间向他人打听举报人", "sanction": "warning"}],
        },
    )
    assert whistle.open_steps(case) == ["Task_NotifyResult"]  # the decision goes back to the safety department
    assert whistle.task(case, "Task_NotifyResult")["role"] == "whistle_safety_dept"
    whistle.complete(case, "Task_NotifyResult", NOTICE)
    assert whistle.status(case) == "completed"
    data = whistle.data(case)
    assert data["violations"][0]["sanction"] == "warning" and data["confidentiality_kept"] is True
    # the report and the investigation keep their own records
    assert (data["report_content"], data["facts"]) == (REPORT["report_content"], INVESTIGATED["facts"])
    assert whistle.timers(case) == []


def test_only_the_safety_department_and_the_leaders_hold_roles(whistle):
    """The engine shows a case to every role of its preplan; keeping the reporter's identity confidential means no
    role for the persons investigated, the investigators or the channels that only pass a report on."""
    case = start(whistle)
    whistle.complete(case, "Task_Verify", VERIFIED)
    whistle.complete(case, "Task_Investigate", INVESTIGATED)
    whistle.complete(case, "Task_Protect", PROTECTED)
    whistle.complete(case, "Task_Propose", PROPOSED)
    whistle.complete(case, "Task_Decide", DECIDED)
    whistle.complete(case, "Task_NotifyResult", NOTICE)
    with whistle.engine.db.read() as session:
        roles = {t["role"] for t in list_tasks(session, whistle.engine.tz, case_id=case, include_closed=True)}
    assert roles == {"whistle_safety_dept", "whistle_company_leader"}
