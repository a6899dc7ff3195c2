"""Scenarios for the tiered_emergency_3level preplan (投诉突发事件应急处置预案, source 002 lines 110-128).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. The
source states no deadline. The reception staff's record gives the level (2. 突发事件分类及级别, decision table
``level``); the level picks the disposal plan; every task owner executes the plan in parallel with the allocation of
resources. Step ids are the BPMN ids of processes/tiered_emergency_3level/tiered_emergency_3level.bpmn.
"""

from __future__ import annotations

import re

import pytest

from engine.cases.views import list_tasks
from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "tiered_emergency_3level"
MONDAY = "2026-11-23T10:00:00+08:00"

RECEIVED = {
    "received_at": MONDAY,
    "complainant_name": "幸福小区业主委员会",
    "contact": "13500000000",
    "summary": "小区供暖中断三天",
    "description": "寒潮期间小区整体停暖三天，多户老人身体不适",
    "loss": "none",
    "illegal_conduct": "none",
    "public_attention": "none",
}
CONVENED = {"group_leader": "客服部经理", "members": "客服部、工程部、法务部人员"}
ASSESSED = {"impact_scope": "全小区 600 户", "consequences": "可能引发集体上访", "response_measures": "抢修并临时供暖"}
OWNERS = [
    {"owner": "工程部王工", "task": "抢修供暖管道", "steps": "排查、更换阀门、试压"},
    {"owner": "客服部李主管", "task": "逐户走访安抚", "steps": ""},
    {"owner": "行政部赵经理", "task": "发放电暖器"},
]
PLAN = {"plan": "24 小时抢修，同时临时供暖", "assignments": OWNERS, "resources_needed": "抢修队两支、电暖器 100 台"}
RESOURCES = {"resources_allocated": "调集抢修队两支、电暖器 100 台"}
FEEDBACK = {
    "handling_course": "接诉后组成小组抢修",
    "result": "第二天恢复供暖",
    "solution": "更换老化阀门，减免当月供暖费",
}
REVIEW = {"course": "停暖三天，抢修一天恢复", "improvements": "入冬前全面检修供暖管网"}
NOTHING = {
    "loss": "none",
    "illegal_conduct": "none",
    "personal_safety": False,
    "public_attention": "none",
    "many_complaints": False,
}


@pytest.fixture
def tiered(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("tiered_emergency_3level", {**RECEIVED, **changes})


def until_plan(flow, case) -> None:
    flow.complete(case, "Task_Convene", CONVENED)
    flow.complete(case, "Task_Assess", ASSESSED)


def execute_all(flow, case, owners=OWNERS) -> None:
    flow.complete_each(case, "Task_Execute", [{"execution_result": f"{owner['task']}：已完成"} for owner in owners])


def completed_steps(flow, case) -> list[str]:
    with flow.engine.db.read() as session:
        return sorted(
            t["bpmn_id"]
            for t in list_tasks(session, flow.engine.tz, case_id=case, include_closed=True)
            if t["status"] == "completed"
        )


# -- 2. 突发事件分类及级别: the decision table -------------------------------------------------------------------------
LEVELS = [
    ({"loss": "major"}, 1),
    ({"illegal_conduct": "serious"}, 1),
    ({"personal_safety": True}, 1),
    ({"loss": "large"}, 2),
    ({"illegal_conduct": "illegal"}, 2),
    ({"public_attention": "large"}, 2),
    ({"loss": "general"}, 3),
    ({"many_complaints": True}, 3),
    ({"public_attention": "some"}, 3),
    ({}, 3),  # no criterion marked: the lowest level (choice in README)
    # the most severe level that applies wins
    ({"loss": "general", "personal_safety": True}, 1),
    ({"many_complaints": True, "public_attention": "large"}, 2),
    ({"loss": "large", "illegal_conduct": "serious", "public_attention": "some"}, 1),
]


def test_level_follows_section_2(tiered):
    with tiered.engine.db.read() as session:
        for changes, expected in LEVELS:
            result = decide(session, tiered.engine.settings, "tiered_emergency_3level/level", {**NOTHING, **changes})
            assert result == {"event_level": expected}, changes


# -- 3.1 receive and mark; 3.2.1 the person in charge forms the group; 3.2.2 assessment ----------------------------
def test_reception_marks_the_level_and_the_person_in_charge_forms_the_group(tiered):
    case = start(tiered, personal_safety=True)
    shown = tiered.show(case)
    assert shown["title"] == "幸福小区业主委员会：小区供暖中断三天"
    assert shown["severity"] == "1"  # 做相应标注: the case list shows the level
    assert tiered.open_steps(case) == ["Task_Convene"]
    assert tiered.task(case, "Task_Convene")["role"] == "tiered_head"
    tiered.complete(case, "Task_Convene", CONVENED)
    assert tiered.open_steps(case) == ["Task_Assess"]
    assert tiered.task(case, "Task_Assess")["role"] == "tiered_emergency_group"
    assert tiered.task(case, "Task_Assess")["due_at"] is None  # the source states no deadline


# -- 3.2.3 the level picks the disposal plan -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("criteria", "level", "plan_step"),
    [
        ({"illegal_conduct": "serious"}, 1, "Task_PlanLevel1"),
        ({"public_attention": "large"}, 2, "Task_PlanLevel2"),
        ({"many_complaints": True}, 3, "Task_PlanLevel3"),
    ],
)
def test_each_level_has_its_own_disposal_plan(tiered, criteria, level, plan_step):
    case = start(tiered, **criteria)
    assert tiered.data(case)["event_level"] == level
    until_plan(tiered, case)
    assert tiered.open_steps(case) == [plan_step]
    assert tiered.task(case, plan_step)["role"] == "tiered_emergency_group"


# -- 3.3 / 4: every task owner executes at once, beside the allocation of resources ----------------------------------
def test_every_task_owner_gets_a_step_in_parallel_with_resource_allocation(tiered):
    case = start(tiered, loss="large")
    until_plan(tiered, case)
    tiered.complete(case, "Task_PlanLevel2", PLAN)
    assert tiered.open_steps(case) == ["Task_Execute"] * 3 + ["Task_Resources"]
    assert {t["role"] for t in tiered.instances(case, "Task_Execute")} == {"tiered_task_owner"}
    assert [t["name"] for t in tiered.instances(case, "Task_Execute")] == [
        "执行处置任务（工程部王工）",
        "执行处置任务（客服部李主管）",
        "执行处置任务（行政部赵经理）",
    ]
    assert tiered.task(case, "Task_Resources")["role"] == "tiered_head"
    execute_all(tiered, case)
    assert tiered.open_steps(case) == ["Task_Resources"]  # feedback waits for the resources as well
    tiered.complete(case, "Task_Resources", RESOURCES)
    assert tiered.open_steps(case) == ["Task_Feedback"]
    assert sorted(tiered.data(case)["execution_results"]) == [
        "发放电暖器：已完成",
        "抢修供暖管道：已完成",
        "逐户走访安抚：已完成",
    ]


def test_a_single_owner_plan_and_resources_first(tiered):
    case = start(tiered)
    until_plan(tiered, case)
    tiered.complete(case, "Task_PlanLevel3", {"plan": "客服部单独处理", "assignments": [OWNERS[1]]})
    tiered.complete(case, "Task_Resources", RESOURCES)
    assert tiered.open_steps(case) == ["Task_Execute"]
    execute_all(tiered, case, [OWNERS[1]])
    assert tiered.open_steps(case) == ["Task_Feedback"]


# -- 3.4 feedback by the person in charge; 5 review by the group -----------------------------------------------------
def test_feedback_with_course_result_and_solution_then_review_closes_the_case(tiered):
    case = start(tiered, loss="major")
    until_plan(tiered, case)
    tiered.complete(case, "Task_PlanLevel1", PLAN)
    tiered.complete(case, "Task_Resources", RESOURCES)
    execute_all(tiered, case)
    assert tiered.task(case, "Task_Feedback")["role"] == "tiered_head"
    tiered.complete(case, "Task_Feedback", FEEDBACK)
    assert tiered.open_steps(case) == ["Task_Review"]
    task = tiered.task(case, "Task_Review")
    assert task["role"] == "tiered_emergency_group" and task["form"] == "_major/summary_report.schema.json"
    tiered.complete(case, "Task_Review", REVIEW)
    assert tiered.status(case) == "completed"
    assert tiered.timers(case) == []
    data = tiered.data(case)  # the feedback and the review keep their own records
    assert (data["handling_course"], data["course"]) == (FEEDBACK["handling_course"], REVIEW["course"])
    assert completed_steps(tiered, case) == sorted(
        [
            "Task_Convene",
            "Task_Assess",
            "Task_PlanLevel1",
            "Task_Resources",
            *["Task_Execute"] * 3,
            "Task_Feedback",
            "Task_Review",
        ]
    )


def test_each_owner_s_step_shows_their_own_task(tiered):
    case = start(tiered, loss="large")
    until_plan(tiered, case)
    tiered.complete(case, "Task_PlanLevel2", PLAN)
    tiered.user("wang", "tiered_task_owner")
    page = tiered.page("wang", f"/tasks/{tiered.instances(case, 'Task_Execute')[0]['id']}")
    instructions = re.search(r'<section class="card instructions".*?</section>', page, re.S).group(0)
    assert "本步骤的责任人：工程部王工；任务：抢修供暖管道；工作步骤：排查、更换阀门、试压" in instructions
    assert "逐户走访安抚" not in instructions, "another owner's task is not this step's instruction"
