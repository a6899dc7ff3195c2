"""Scenarios for the major_three_class preplan (重大投诉应急预案 一般/重大/紧急, source 001 lines 63-88).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline and no criteria for the three classes: the handling centre chooses the class in 投诉分析, and the class
decides who handles the complaint (四.3). Step ids are the BPMN ids of
processes/major_three_class/major_three_class.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "major_three_class"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "sms",
    "complainant_name": "赵先生",
    "contact": "13700000000",
    "summary": "产品批量质量问题",
    "content": "购买的一批设备全部无法启动，影响生产",
}
ANALYSIS = {"nature": "产品质量", "severity_assessment": "影响客户生产"}
FEEDBACK = {"result": "已更换全部设备", "complainant_satisfied": True}
TRACKED = {"tracking": "一个月后回访，设备运行正常"}
SUMMARY = {"course": "批量设备故障，更换处理", "improvements": "加强出厂检验"}
TRAINING = {"training_plan": "组织质检人员培训出厂检验规范"}


@pytest.fixture
def three(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("major_three_class", {**INTAKE, **changes})


def analyse(flow, case, complaint_class: str) -> None:
    flow.complete(case, "Task_Analyse", {**ANALYSIS, "complaint_class": complaint_class})


def departments_report(flow, case, step, field, results: dict[str, str]) -> None:
    """Each department completes its own instance of a multi-instance step."""
    flow.complete_each(case, step, [{"department": d, field: result} for d, result in results.items()])


def close(flow, case) -> None:
    """四.4–四.5 after handling: feedback (satisfied), tracking, summary, training."""
    for step, data in (
        ("Task_Feedback", FEEDBACK),
        ("Task_Track", TRACKED),
        ("Task_Summary", SUMMARY),
        ("Task_Training", TRAINING),
    ):
        assert flow.open_steps(case) == [step]
        assert flow.task(case, step)["role"] == "three_class_centre"
        flow.complete(case, step, data)
    assert flow.status(case) == "completed"


# -- 四.1–四.2 intake and classification ------------------------------------------------------------------------------
def test_centre_registers_and_classifies_and_the_class_shows_on_the_case(three):
    case = start(three)
    assert three.show(case)["title"] == "赵先生：产品批量质量问题"
    assert three.open_steps(case) == ["Task_Analyse"]
    assert three.task(case, "Task_Analyse")["role"] == "three_class_centre"
    three.complete(case, "Task_Analyse", ANALYSIS)  # default class: 一般
    assert three.show(case)["severity"] == "general"
    assert three.open_steps(case) == ["Task_TeamHandle"]


# -- 四.3 routing by class -----------------------------------------------------------------------------------------
def test_general_complaint_is_handled_by_the_task_group(three):
    case = start(three)
    analyse(three, case, "general")
    assert three.task(case, "Task_TeamHandle")["role"] == "three_class_team"
    three.complete(case, "Task_TeamHandle", {"handling": "更换设备", "reply": "已电话回复客户"})
    close(three, case)


def test_major_complaint_is_led_by_the_leadership_group_with_the_departments(three):
    case = start(three)
    analyse(three, case, "major")
    assert three.show(case)["severity"] == "major"
    assert three.open_steps(case) == ["Task_LeadMajor"]
    assert three.task(case, "Task_LeadMajor")["role"] == "three_class_leadership"
    three.complete(
        case, "Task_LeadMajor", {"departments": ["quality", "after_sales"], "plan": "质量部检测，售后部更换"}
    )
    assert three.open_steps(case) == ["Task_DeptJoint", "Task_DeptJoint"]  # one per department, in parallel
    assert [t["name"] for t in three.instances(case, "Task_DeptJoint")] == [
        "相关部门共同处理（质量管理部门）",
        "相关部门共同处理（售后服务部门）",
    ]  # named by the form's labels
    assert {t["role"] for t in three.instances(case, "Task_DeptJoint")} == {"three_class_dept"}
    departments_report(
        three, case, "Task_DeptJoint", "joint_result", {"quality": "检测确认为批次缺陷", "after_sales": "已全部更换"}
    )
    assert sorted(three.data(case)["joint_results"]) == ["已全部更换", "检测确认为批次缺陷"]
    close(three, case)


def test_urgent_complaint_activates_the_preplan_and_all_departments_act_together(three):
    case = start(three)
    analyse(three, case, "urgent")
    assert three.show(case)["severity"] == "urgent"
    assert three.open_steps(case) == ["Task_ActivateUrgent"]
    three.complete(
        case, "Task_ActivateUrgent", {"command": "总经理任总指挥，各部门即刻到位"}
    )  # default: every department
    assert len(three.data(case)["departments"]) == 12
    assert three.instances(case, "Task_Command")[0]["role"] == "three_class_leadership"
    assert len(three.instances(case, "Task_DeptCombat")) == 12  # 各部门协同作战, in parallel with the command


def test_urgent_command_and_departments_must_all_finish_before_feedback(three):
    case = start(three)
    analyse(three, case, "urgent")
    three.complete(
        case,
        "Task_ActivateUrgent",
        {
            "departments": ["production", "logistics", "public_relations"],
            "command": "生产部返工，物流部加急配送，公关部对外沟通",
        },
    )
    assert three.open_steps(case) == ["Task_Command"] + ["Task_DeptCombat"] * 3
    three.complete(case, "Task_Command", {"command_log": "每两小时调度一次"})
    assert three.open_steps(case) == ["Task_DeptCombat"] * 3
    departments_report(
        three,
        case,
        "Task_DeptCombat",
        "combat_result",
        {"production": "已返工", "logistics": "已送达", "public_relations": "已发布说明"},
    )
    close(three, case)


# -- 四.4 feedback: an unsatisfied complainant sends the complaint back to analysis ------------------------------------
def test_unsatisfied_complainant_gets_a_new_analysis_and_may_be_raised_to_major(three):
    case = start(three)
    analyse(three, case, "general")
    three.complete(case, "Task_TeamHandle", {"handling": "建议客户自行重启", "reply": "已回复"})
    three.complete(
        case,
        "Task_Feedback",
        {"result": "建议自行重启", "complainant_satisfied": False, "complainant_view": "问题未解决"},
    )
    assert three.open_steps(case) == ["Task_Analyse"]
    analyse(three, case, "major")
    three.complete(case, "Task_LeadMajor", {"departments": ["technical"], "plan": "技术部上门检修"})
    departments_report(three, case, "Task_DeptJoint", "joint_result", {"technical": "已上门修复"})
    assert three.show(case)["severity"] == "major"
    close(three, case)
    assert three.timers(case) == []  # the source states no deadline
