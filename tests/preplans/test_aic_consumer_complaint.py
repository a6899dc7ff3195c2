"""Scenarios for the aic_consumer_complaint preplan (工商行政管理部门处理消费者投诉办法, source 000 篇六 lines 78-88,
TRUNCATED after 第七条).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. Only 第一章 总则 and 第二章 管辖
survive: scope (第二条), mediation of civil disputes (第四条), negotiated settlement (第五条), jurisdiction (第六条) and
delegation to a field office (第七条). No time limit survives, so no step has a due time. Step ids are the BPMN ids of
processes/aic_consumer_complaint/aic_consumer_complaint.bpmn.
"""

from __future__ import annotations

import pytest

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "aic_consumer_complaint"
MONDAY = "2026-11-23T10:00:00+08:00"

COMPLAINT = {
    "received_at": MONDAY,
    "consumer_name": "周女士",
    "contact": "13500000000",
    "business_name": "某电器商场",
    "business_location": "本区人民路 1 号",
    "conduct_place": "本区人民路 1 号",
    "purchase": "购买冰箱一台",
    "dispute": "冰箱一周内故障，商场拒绝退换",
    "demands": "退货退款",
}
MEDIATED = {"mediation_record": "双方同意更换新机", "negotiated_settlement": False}
CRITERIA = {
    "for_living_consumption": True,
    "business_located_here": True,
    "conduct_here": False,
    "within_powers": True,
    "civil_dispute": True,
}


@pytest.fixture
def aic(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow) -> int:
    case = flow.start("aic_consumer_complaint", COMPLAINT)
    assert flow.open_steps(case) == ["Task_Review"]
    task = flow.task(case, "Task_Review")
    assert (task["role"], task["due_at"]) == ("aic_county", None)
    return case


# -- 第二条 / 第四条 / 第六条: the handling decision -------------------------------------------------------------------
HANDLING = [  # (changes to the review, handling); FIRST hit: scope, then jurisdiction, then mediation
    ({}, "mediation"),
    ({"business_located_here": False, "conduct_here": True}, "mediation"),  # 经营行为发生地 is enough (第六条)
    ({"for_living_consumption": False}, "not_applicable"),
    ({"for_living_consumption": False, "business_located_here": False}, "not_applicable"),
    ({"business_located_here": False, "conduct_here": False}, "no_jurisdiction"),
    ({"business_located_here": False, "conduct_here": False, "civil_dispute": False}, "no_jurisdiction"),
    ({"civil_dispute": False}, "not_stated"),
    ({"within_powers": False}, "not_stated"),
]


def test_handling_decision_follows_articles_2_6_and_4(aic):
    with aic.engine.db.read() as session:
        for changes, handling in HANDLING:
            result = decide(session, aic.engine.settings, "aic_consumer_complaint/handling", {**CRITERIA, **changes})
            assert result == {"handling": handling}, changes


# -- 第四条 / 第五条 / 第七条: mediation by the department or by its field office -------------------------------------
def test_civil_dispute_in_its_area_is_mediated_by_the_department(aic):
    case = start(aic)
    assert aic.show(case)["title"] == "周女士 投诉 某电器商场"
    aic.complete(case, "Task_Review", {"review_notes": "属本区管辖的民事争议"})  # defaults: 生活消费、本辖区、民事争议
    assert aic.show(case)["severity"] == "mediation"
    assert aic.open_steps(case) == ["Task_Mediate"]
    assert aic.task(case, "Task_Mediate")["role"] == "aic_county"
    aic.complete(case, "Task_Mediate", MEDIATED)
    assert aic.status(case) == "completed"  # the text stops here: 调解结束（后续程序原文缺失）


def test_the_department_may_authorise_its_field_office(aic):
    case = start(aic)
    aic.complete(case, "Task_Review", {"delegate_to_field_office": True, "field_office": "人民路工商所"})
    assert aic.open_steps(case) == ["Task_FieldMediate"]
    assert aic.task(case, "Task_FieldMediate")["role"] == "aic_field_office"
    aic.complete(case, "Task_FieldMediate", {"mediation_record": "经营者同意退货", "negotiated_settlement": True})
    assert aic.status(case) == "completed"
    assert aic.data(case)["negotiated_settlement"] is True  # 第五条 协商和解


@pytest.mark.parametrize(
    ("changes", "handling"),
    [
        ({"for_living_consumption": False}, "not_applicable"),
        ({"business_located_here": False, "conduct_here": False}, "no_jurisdiction"),
        ({"civil_dispute": False}, "not_stated"),
    ],
)
def test_complaints_outside_scope_jurisdiction_or_mediation_end_where_the_text_ends(aic, changes, handling):
    case = start(aic)
    aic.complete(case, "Task_Review", changes)
    assert aic.status(case) == "completed"
    assert aic.show(case)["severity"] == handling
    assert aic.open_steps(case) == []
    assert "Task_Mediate" not in [e["details"].get("bpmn_id") for e in aic.events(case, "completed")]
