"""Scenarios for the complaint_drill_notice preplan (消费投诉应急演练通知 篇一 + 篇二, source 000 lines 1-44).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The notice goes out on Monday
2026-11-23; the drill is on Friday 2026-11-27, 上午 9:00-11:00 (二、时间和地点). Preparation is due before the drill
starts (五 "提前"); the drill waits for 09:00; 11:00 is the end of its slot. Step ids are the BPMN ids of
processes/complaint_drill_notice/complaint_drill_notice.bpmn.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "complaint_drill_notice"
MONDAY = "2026-11-23T10:00:00+08:00"
DRILL_START = "2026-11-27T09:00:00+08:00"
DRILL_END = "2026-11-27T11:00:00+08:00"

NOTICE = {"drill_date": "2026-11-27", "location": "公司会议室", "departments": ["customer_service", "sales"]}
ROSTER = {"customer_service": ("客服部全体 12 人", "王经理"), "sales": ("销售部 8 人", "李经理")}
PLAN = {"plan": "9:00 流程演练，10:00 突发情况演练，10:40 点评"}
MATERIALS = {"materials_notes": "投影、话筒、3 个模拟案例、模拟冲突道具"}
STEP = {"performance": "按实际情况真实模拟，流程完整"}
SUDDEN = {"scenarios_run": "顾客在前台聚集争吵", "reaction": "前台、保安、客服主管协同到位"}
EVALUATION = {
    "summary": "演练按计划完成",
    "evaluation": "各岗位熟悉流程，突发情况反应稍慢",
    "problems": "保安到场慢",
    "improvements": "明确保安呼叫方式",
}
IMPROVED = {"improvement_done": "已在前台张贴保安呼叫号码"}


@pytest.fixture
def drill(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("complaint_drill_notice", {**NOTICE, **changes})


def name_participants(flow, case) -> None:
    """四: each department names its participants and a person in charge (one step per department, at once)."""
    assert {t["role"] for t in flow.instances(case, "Task_NameParticipants")} == {"drill_dept_head"}
    flow.complete_each(
        case,
        "Task_NameParticipants",
        [
            {"department": department, "participants": people, "organiser": organiser}
            for department, (people, organiser) in ROSTER.items()
        ],
    )


def prepare(flow, case, training_step="Task_TrainProcess", training=None) -> None:
    """五: the person in charge plans and gets the materials ready; each department head trains (or prepares cases)."""
    flow.complete(case, "Task_PlanDrill", PLAN)
    flow.complete(case, "Task_Materials", MATERIALS)
    flow.complete_each(
        case,
        training_step,
        [{"department": department, **(training or {"training": "讲解投诉处理流程"})} for department in ROSTER],
    )


def exercise_first_drill(flow, case) -> None:
    """三.1 篇一: the four links of the complaint process, then 三.2 sudden situations."""
    for step in ("Task_Accept", "Task_Verify", "Task_Negotiate", "Task_FollowUp"):
        assert flow.open_steps(case) == [step]
        assert flow.task(case, step)["role"] == "drill_staff"
        flow.complete(case, step, STEP)
    flow.complete(case, "Task_SuddenDrill", SUDDEN)


# -- 一、二、四: the notice, the schedule and the departments' participants ---------------------------------------
def test_notice_fixes_the_drill_slot_and_each_department_names_its_participants(drill):
    case = start(drill)
    shown = drill.show(case)
    assert shown["title"] == "消费投诉应急演练 2026-11-27（公司会议室）"
    assert shown["severity"] == "first"  # 篇一 by default
    data = drill.data(case)
    assert (data["drill_start"], data["drill_end"], data["drill_number"]) == (DRILL_START, DRILL_END, 1)
    assert drill.open_steps(case) == ["Task_NameParticipants", "Task_NameParticipants"]
    name_participants(drill, case)
    assert drill.data(case)["rosters"] == [
        {"department": "customer_service", "participants": "客服部全体 12 人", "organiser": "王经理"},
        {"department": "sales", "participants": "销售部 8 人", "organiser": "李经理"},
    ]


# -- 五: preparation in parallel, due before the drill starts --------------------------------------------------------
def test_preparation_runs_in_parallel_and_is_due_when_the_drill_starts(drill):
    case = start(drill)
    name_participants(drill, case)
    assert drill.open_steps(case) == ["Task_Materials", "Task_PlanDrill", "Task_TrainProcess", "Task_TrainProcess"]
    for step in ("Task_PlanDrill", "Task_Materials"):
        assert drill.task(case, step)["role"] == "drill_lead"
        assert drill.task(case, step)["due_at"] == DRILL_START  # "提前": before 09:00 on the drill day
    assert {t["role"] for t in drill.instances(case, "Task_TrainProcess")} == {"drill_dept_head"}
    assert [t["due_at"] for t in drill.instances(case, "Task_TrainProcess")] == [DRILL_START] * 2  # each department
    assert sorted(t["due_at"] for t in drill.show(case)["timers"]) == [DRILL_START] * 3


def test_preparation_not_done_when_the_drill_starts_is_overdue_but_stays_open(drill):
    case = start(drill)
    name_participants(drill, case)
    drill.complete(case, "Task_PlanDrill", PLAN)
    drill.at("2026-11-27T09:00:00+08:00")
    assert drill.fire() == 0  # strictly after the due time
    drill.at("2026-11-27T09:00:01+08:00")
    drill.fire()
    assert sorted(drill.fired(case)) == ["Timer_Materials_Start", "Timer_TrainProcess_Start"]
    assert drill.task(case, "Task_Materials")["overdue"]
    assert all(t["overdue"] for t in drill.instances(case, "Task_TrainProcess"))
    assert drill.open_steps(case) == ["Task_Materials", "Task_TrainProcess", "Task_TrainProcess"]
    prepare_rest = list(drill.open_tasks(case))
    for task in prepare_rest:
        data = MATERIALS if task["bpmn_id"] == "Task_Materials" else {"department": "sales", "training": "补训"}
        drill.engine.complete(task["id"], data, user=drill.user_for(task["role"]))
    drill.fire()  # the drill's start time has passed: it begins as soon as preparation is complete
    assert drill.open_steps(case) == ["Task_Accept"]


# -- 二、三、六: the drill waits for 09:00 and has its slot until 11:00 -------------------------------------------
def test_drill_starts_at_nine_on_the_drill_day_and_rehearses_the_complaint_process(drill):
    case = start(drill)
    name_participants(drill, case)
    prepare(drill, case)
    assert drill.open_steps(case) == []  # prepared on Monday: waiting for the drill
    assert drill.timers(case) == ["Timer_DrillStart"]
    drill.at("2026-11-27T08:59:00+08:00")
    assert drill.fire() == 0
    drill.at("2026-11-27T09:00:01+08:00")
    drill.fire()
    assert drill.fired(case) == ["Timer_DrillStart"]
    assert drill.timers(case) == ["Timer_Exercise_End"]
    assert drill.show(case)["timers"][0]["due_at"] == DRILL_END
    exercise_first_drill(drill, case)  # 接受投诉 → 调查核实 → 协商解决 → 跟进处理 → 应对突发情况
    assert drill.open_steps(case) == ["Task_Evaluate"]
    assert drill.timers(case) == []  # finished within the slot


def test_drill_running_past_eleven_is_flagged_and_goes_on(drill):
    case = start(drill)
    name_participants(drill, case)
    prepare(drill, case)
    drill.at("2026-11-27T09:00:01+08:00")
    drill.fire()
    for step in ("Task_Accept", "Task_Verify", "Task_Negotiate"):
        drill.complete(case, step, STEP)
    drill.at("2026-11-27T11:00:01+08:00")
    drill.fire()
    assert drill.fired(case) == ["Timer_DrillStart", "Timer_Exercise_End"]
    assert drill.open_steps(case) == ["Task_FollowUp"]  # not taken away
    drill.complete(case, "Task_FollowUp", STEP)
    drill.complete(case, "Task_SuddenDrill", SUDDEN)
    assert drill.open_steps(case) == ["Task_Evaluate"]


# -- 六.2 summary, evaluation and improvement; 篇二 the next drill consolidates the results -------------------------
def run_to_evaluation(flow, case) -> None:
    name_participants(flow, case)
    prepare(flow, case)
    flow.at("2026-11-27T09:00:01+08:00")
    flow.fire()
    exercise_first_drill(flow, case)


def test_problems_found_in_the_evaluation_are_improved_then_the_company_closes_the_drill(drill):
    case = start(drill)
    run_to_evaluation(drill, case)
    assert drill.task(case, "Task_Evaluate")["role"] == "drill_lead"
    drill.complete(case, "Task_Evaluate", EVALUATION)  # default conclusion: 发现问题，需要改进
    assert drill.open_steps(case) == ["Task_Improve"]
    assert drill.task(case, "Task_Improve")["role"] == "drill_dept_head"
    drill.complete(case, "Task_Improve", IMPROVED)
    assert drill.task(case, "Task_DecideNext")["role"] == "drill_company"
    drill.complete(case, "Task_DecideNext", {})  # default: no further drill
    assert drill.status(case) == "completed"


def test_evaluation_without_problems_skips_improvement(drill):
    case = start(drill)
    run_to_evaluation(drill, case)
    drill.complete(case, "Task_Evaluate", {**EVALUATION, "conclusion": "no_issue"})
    assert drill.open_steps(case) == ["Task_DecideNext"]


def test_next_drill_consolidates_the_results_with_case_analysis(drill):
    case = start(drill)
    run_to_evaluation(drill, case)
    drill.complete(case, "Task_Evaluate", {**EVALUATION, "conclusion": "no_issue"})
    drill.complete(case, "Task_DecideNext", {"next_drill": True, "next_drill_reason": "巩固本次演练成果"})
    assert drill.task(case, "Task_NextNotice")["role"] == "drill_company"
    drill.complete(case, "Task_NextNotice", {**NOTICE, "drill_date": "2026-12-18"})
    data = drill.data(case)
    assert (data["drill_round"], data["drill_number"]) == ("follow_up", 2)
    assert (data["drill_start"], data["drill_end"]) == ("2026-12-18T09:00:00+08:00", "2026-12-18T11:00:00+08:00")
    assert data["rosters"] == []  # a new round collects new rosters
    assert drill.show(case)["severity"] == "follow_up"
    name_participants(drill, case)
    assert len(drill.data(case)["rosters"]) == 2
    prepare(
        drill,
        case,
        "Task_PrepareCases",  # 篇二 五.1: cases and scenarios instead of the process training
        {"cases": "上月 3 起真实投诉", "scenarios": "顾客情绪失控", "training": "案例讲解"},
    )
    assert drill.show(case)["timers"][0]["due_at"] == "2026-12-18T09:00:00+08:00"
    drill.at("2026-12-18T09:00:01+08:00")
    drill.fire()
    assert drill.open_steps(case) == ["Task_CaseAnalysis"]  # 篇二 三.1
    drill.complete(case, "Task_CaseAnalysis", {"cases_analysed": "3 起真实投诉", "findings": "先安抚后处理"})
    drill.complete(case, "Task_SuddenDrill", SUDDEN)
    drill.complete(case, "Task_Evaluate", {**EVALUATION, "conclusion": "no_issue"})
    drill.complete(case, "Task_DecideNext", {"next_drill": False})
    assert drill.status(case) == "completed"
