"""Scenarios for the soy_food_quality preplan (客訴處理管理辦法 of a soy-food maker, source 003 lines 356-526,
TRUNCATED at 11.2.2 c).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. 2026-11-23 is a Monday. Step
ids are the BPMN ids of processes/soy_food_quality/soy_food_quality.bpmn. The contract of the decision
``soy_food_quality/compensation`` (9.1 / 9.2) is asserted first.
"""

from __future__ import annotations

import json

import pytest
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "soy_food_quality"
FORMS = ROOT / "forms"
MONDAY = "2026-11-23T10:00:00+08:00"

A_DEFECTS = ("fermented_or_moldy", "foreign_matter", "abnormal_color")
B_DEFECTS = ("empty_or_short_pack", "dirty_or_incomplete_surface", "missing_production_date")
C_DEFECTS = ("package_damaged", "underweight_or_broken", "water_leak", "color_difference")

# Form submissions a user would make.
INVESTIGATED = {
    "findings": "顾客开袋后发现豆腐发红，批号 20261120-3",
    "cause": "manufacturing",
    "health_harm": "none",
    "abnormal_item": "sour_moldy",
}
EMERGENCY = {"measures": "同批号产品停止销售，库存隔离待检"}
TRANSMITTED = {"transmitted_to": "生产该品种班组、煮浆人员"}
TRACKED = {"tracking": "已复核煮浆温度记录，纠正预防措施已落实"}
RESOLVED = {"solution": "致电道歉，按 1:10 赠送豆制品", "apology": "phone", "gift_quantity": 10}
SATISFIED = {"result_tracking": "一周后回访，顾客已收到赠品", "satisfaction": "satisfied"}


def record(**changes) -> dict:
    data = {
        "received_at": MONDAY,
        "received_by": "qc_dept",
        "channel": "phone",
        "customer_name": "王女士",
        "contact": "13900000000",
        "complaint_source": "consumer",
        "complained_dept": "生产部",
        "product": "盒装嫩豆腐",
        "batch_no": "20261120-3",
        "defect": "abnormal_color",
        "facts": "购买的嫩豆腐开盒后发红",
    }
    data.update(changes)
    return data


@pytest.fixture
def soy(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("soy_food_quality", record(**changes))


def role(flow, case, step) -> str:
    return flow.task(case, step)["role"]


def instructions(flow, case, step) -> str:
    """The step's instructions as the task page shows them (the diagram's template over the case data)."""
    root = etree.parse(str(PREPLAN / "soy_food_quality.bpmn"))
    (template,) = root.xpath(f"//*[@id='{step}']//*[local-name()='instructionsForEndUser']/text()")
    return SandboxedEnvironment().from_string(template).render(**flow.data(case))


def to_approval(flow, case, *, assign=None, **investigation) -> None:
    """6.2/6.3 investigation, 6.4 emergency measures, 4.4 responsible departments: the record waits for approval."""
    flow.complete(case, "Task_Investigate", {**INVESTIGATED, **investigation})
    flow.complete(case, "Task_Emergency", EMERGENCY)
    flow.complete(case, "Task_Assign", assign or {})
    assert flow.open_steps(case) == ["Task_Approve"]


def approve(flow, case, decision="approved") -> None:
    flow.complete(case, "Task_Approve", {"approval": decision, "approval_opinion": "同意"})


def departments_act(flow, case) -> None:
    step = "Task_DeptCAPA"
    flow.complete_each(
        case,
        step,
        [{"department": "production_team", "handling": "已查明原因", "capa": "加强煮浆温度监控"}]
        * len(flow.instances(case, step)),
    )


def finish(flow, case) -> None:
    """After approval with a calm customer and no company approval: transmit, CAPA, resolve, satisfaction."""
    flow.complete(case, "Task_Transmit", TRANSMITTED)
    departments_act(flow, case)
    flow.complete(case, "Task_TrackCAPA", TRACKED)
    flow.complete(case, "Task_Resolve", RESOLVED)
    assert flow.open_steps(case) == ["Task_Satisfaction"]
    flow.complete(case, "Task_Satisfaction", SATISFIED)
    assert flow.status(case) == "completed"


# -- 9 客诉赔付标准: the decision contract ----------------------------------------------------------------------------
def expected_compensation(defect: str, harm: str) -> dict:
    if defect in A_DEFECTS and harm in ("serious", "minor"):  # 9.2.1 a) / b)
        return {"class": "A", "gift_ratio": None, "needs_company_approval": True, "visit": True, "medical_costs": True}
    if defect in A_DEFECTS:  # 9.2.1 c)
        return {"class": "A", "gift_ratio": 10, "needs_company_approval": False, "visit": False, "medical_costs": False}
    if defect in B_DEFECTS:  # 9.2.2
        return {"class": "B", "gift_ratio": 2, "needs_company_approval": False, "visit": False, "medical_costs": False}
    return {"class": "C", "gift_ratio": 1, "needs_company_approval": False, "visit": False, "medical_costs": False}


def test_compensation_decision_follows_clauses_9_1_and_9_2(soy):
    with soy.engine.db.read() as session:
        for defect in A_DEFECTS + B_DEFECTS + C_DEFECTS:
            for harm in ("serious", "minor", "none"):
                result = decide(
                    session,
                    soy.engine.settings,
                    "soy_food_quality/compensation",
                    {"defect": defect, "health_harm": harm},
                )
                assert result == expected_compensation(defect, harm), (defect, harm)


def test_every_defect_of_the_record_form_has_a_class():
    schema = json.loads((FORMS / "soy_food_quality" / "record.schema.json").read_text(encoding="utf-8"))
    assert [o["const"] for o in schema["properties"]["defect"]["oneOf"]] == list(A_DEFECTS + B_DEFECTS + C_DEFECTS)


RESPONSIBILITY = [  # (客诉类别, 异常现象, suggested departments, clause) — 10.1
    ("consumer", "equipment_parts", ["production_team", "facilities_dept"], "10.1.1.1 a) 消费客诉 A类（重大）"),
    (
        "consumer",
        "same_batch_symptoms",
        ["production_team", "pulping_staff", "qc_dept"],
        "10.1.1.1 b) 消费客诉 A类（重大）",
    ),
    (
        "consumer",
        "equipment_batch",
        ["production_team", "facilities_dept", "qc_dept"],
        "10.1.1.1 g) 消费客诉 A类（重大）",
    ),
    ("consumer", "design_standard", ["design_centre"], "10.1.1.1 h) 消费客诉 A类（重大）"),
    ("consumer", "black_spots", ["production_team"], "10.1.1.2 c) 消费客诉 B类（一般）"),
    ("consumer", "date_error", ["production_team"], "10.1.1.3 c) 消费客诉 C类（一般）"),
    ("channel", "rain_mold", ["marketing_dept"], "10.1.2.1 a) 通路客诉 A类（重大）"),
    ("channel", "compensation_late", ["marketing_dept"], "10.1.2.2 c) 通路客诉 B类（一般）"),
    ("channel", "badly_broken", ["marketing_dept"], "10.1.2.3 b) 通路客诉 C类（一般）"),
    ("channel", "equipment_parts", [], "表中未列出，由质检部确定"),  # a consumer phenomenon on a channel complaint
    ("consumer", "not_listed", [], "表中未列出，由质检部确定"),
]


def test_responsibility_table_follows_clause_10_1(soy):
    with soy.engine.db.read() as session:
        for source, item, departments, clause in RESPONSIBILITY:
            result = decide(
                session,
                soy.engine.settings,
                "soy_food_quality/responsibility",
                {"complaint_source": source, "abnormal_item": item},
            )
            assert result == {"suggested_departments": departments, "attribution": clause}, (source, item)


# -- 4.3 / 6.1-6.3 receipt, record and investigation -----------------------------------------------------------------
def test_the_record_opens_the_investigation_of_the_quality_department(soy):
    case = start(soy)
    assert soy.open_steps(case) == ["Task_Investigate"]
    assert role(soy, case, "Task_Investigate") == "soy_qc_dept"
    assert soy.show(case)["title"] == "盒装嫩豆腐：王女士"
    assert soy.timers(case) == []
    soy.complete(case, "Task_Investigate", INVESTIGATED)
    data = soy.data(case)
    assert (data["class"], data["gift_ratio"], data["valid_complaint"]) == ("A", 10, True)
    assert data["suggested_departments"] == ["pulping_staff", "production_team"]
    assert soy.open_steps(case) == ["Task_Emergency"]  # 6.4


def test_another_department_may_receive_and_record_the_complaint(soy):
    user = soy.user("门店", "soy_other_dept")
    case = soy.start("soy_food_quality", record(received_by="other_dept"), user=user)
    assert soy.open_steps(case) == ["Task_Investigate"]  # the quality department takes over (3.2)


def test_a_complaint_without_contact_or_unverified_is_not_a_valid_complaint(soy):
    case = start(soy, contact="")
    soy.complete(case, "Task_Investigate", INVESTIGATED)
    assert soy.data(case)["valid_complaint"] is False
    case = start(soy)
    soy.complete(case, "Task_Investigate", {**INVESTIGATED, "verified": False})
    assert soy.data(case)["valid_complaint"] is False
    assert soy.open_steps(case) == ["Task_Emergency"]  # handled all the same (8.1 顾客满意第一)


def test_special_situation_is_coordinated_first_and_the_record_completed_afterwards(soy):
    case = start(soy, record_later=True, facts="顾客在门店情绪激动", contact="")
    assert soy.open_steps(case) == ["Task_CoordinateFirst"]  # 7.2 特殊情况下可先协调解决后补写
    soy.complete(case, "Task_CoordinateFirst", {"coordination": "店长先行为顾客更换产品"})
    assert soy.open_steps(case) == ["Task_CompleteRecord"]
    soy.complete(
        case,
        "Task_CompleteRecord",
        {"facts": "嫩豆腐开盒发红，顾客保留实物", "contact": "13900000000", "sample_available": True},
    )
    assert soy.open_steps(case) == ["Task_Investigate"]
    assert soy.data(case)["facts"] == "嫩豆腐开盒发红，顾客保留实物"


# -- 4.4 approval and transmission within 1 hour -------------------------------------------------------------------
def test_record_is_approved_by_the_direct_superior_and_transmitted_within_one_hour(soy):
    case = start(soy)
    to_approval(soy, case)
    assert role(soy, case, "Task_Approve") == "soy_superior"
    soy.at("2026-11-23T10:40:00+08:00")
    approve(soy, case)
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]
    assert role(soy, case, "Task_Transmit") == "soy_qc_dept"
    assert soy.task(case, "Task_Transmit")["due_at"] == "2026-11-23T11:40:00+08:00"  # 1 clock hour after approval
    assert soy.advance(minutes=59) == 0
    soy.advance(minutes=2)
    assert soy.fired(case) == ["Timer_Transmit_1h"]
    assert soy.task(case, "Task_Transmit")["overdue"]  # late, still to be done
    soy.complete(case, "Task_Transmit", TRANSMITTED)
    assert sorted(t["bpmn_id"] for t in soy.open_tasks(case)) == ["Task_DeptCAPA", "Task_DeptCAPA", "Task_Resolve"]


def test_transmitted_in_time_leaves_no_timer(soy):
    case = start(soy)
    to_approval(soy, case)
    approve(soy, case)
    soy.advance(minutes=30)
    soy.complete(case, "Task_Transmit", TRANSMITTED)
    assert soy.timers(case) == []
    assert soy.fired(case) == []


def test_superior_may_send_the_departments_back(soy):
    case = start(soy)
    to_approval(soy, case)
    approve(soy, case, "rejected")
    assert soy.open_steps(case) == ["Task_Assign"]
    soy.complete(case, "Task_Assign", {"accept_suggestion": False, "departments_chosen": ["production_team"]})
    approve(soy, case)
    assert soy.data(case)["departments"] == ["production_team"]
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]


def test_approval_with_changes_goes_ahead(soy):
    case = start(soy)
    to_approval(soy, case)
    approve(soy, case, "approved_with_changes")
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]


# -- 6.6 / 6.7 / 7.4 responsible departments ------------------------------------------------------------------------
def test_each_responsible_department_acts_and_the_quality_department_tracks_it(soy):
    case = start(soy)
    to_approval(soy, case, abnormal_item="equipment_batch")
    approve(soy, case)
    assert soy.data(case)["departments"] == ["production_team", "facilities_dept", "qc_dept"]
    soy.complete(case, "Task_Transmit", TRANSMITTED)
    tasks = soy.instances(case, "Task_DeptCAPA")
    assert len(tasks) == 3 and {t["role"] for t in tasks} == {"soy_responsible_dept"}
    done = [("qc_dept", "增加抽检"), ("facilities_dept", "更换脱落零件"), ("production_team", "调整模具")]
    for task, (dept, measure) in zip(tasks, done, strict=False):
        soy.engine.complete(
            task["id"], {"department": dept, "handling": "已处理", "capa": measure}, user=soy.user_for(task["role"])
        )
    assert "Task_TrackCAPA" in soy.open_steps(case)
    assert role(soy, case, "Task_TrackCAPA") == "soy_qc_dept"
    assert soy.data(case)["capa_results"] == [{"department": d, "handling": "已处理", "capa": m} for d, m in done]
    assert "设施保障部：更换脱落零件" in instructions(soy, case, "Task_TrackCAPA")


def test_unlisted_phenomenon_uses_the_departments_chosen_or_else_the_quality_department(soy):
    case = start(soy)
    to_approval(soy, case, abnormal_item="not_listed", assign={"departments_chosen": ["design_centre"]})
    approve(soy, case)
    assert soy.data(case)["departments"] == ["design_centre"]
    case = start(soy)
    to_approval(soy, case, abnormal_item="not_listed")
    approve(soy, case)
    assert soy.data(case)["departments"] == ["qc_dept"]


# -- 9.2 compensation and 6.5 a mutually satisfactory solution -------------------------------------------------------
def test_class_a_with_serious_harm_needs_the_company_before_compensation(soy):
    case = start(soy, defect="foreign_matter")
    to_approval(soy, case, health_harm="serious")
    data = soy.data(case)
    assert {k: data[k] for k in ("class", "gift_ratio", "needs_company_approval", "visit", "medical_costs")} == {
        "class": "A",
        "gift_ratio": None,
        "needs_company_approval": True,
        "visit": True,
        "medical_costs": True,
    }
    approve(soy, case)
    assert soy.open_steps(case) == ["Task_CompanyApprove", "Task_Transmit"]
    assert role(soy, case, "Task_CompanyApprove") == "soy_company"
    assert "赠送慰问品" in instructions(soy, case, "Task_CompanyApprove")
    soy.complete(case, "Task_CompanyApprove", {"company_agrees": True, "approved_measures": "拜访并承担检查费用"})
    assert "Task_Resolve" in soy.open_steps(case)
    soy.complete(
        case,
        "Task_Resolve",
        {
            "solution": "诚挚拜访，支付医疗检查费用 300 元，赠送慰问品",
            "apology": "visit",
            "medical_costs_paid": 300,
            "comfort_gift": "果篮",
        },
    )
    soy.complete(case, "Task_Transmit", TRANSMITTED)
    departments_act(soy, case)
    soy.complete(case, "Task_TrackCAPA", TRACKED)
    soy.complete(case, "Task_Satisfaction", SATISFIED)
    assert soy.status(case) == "completed"


def test_class_a_with_minor_harm_also_needs_the_company(soy):
    case = start(soy, defect="fermented_or_moldy")
    to_approval(soy, case, health_harm="minor")
    approve(soy, case)
    assert soy.open_steps(case) == ["Task_CompanyApprove", "Task_Transmit"]
    assert "赠送慰问品" not in instructions(soy, case, "Task_CompanyApprove")


@pytest.mark.parametrize("defect, ratio", [("abnormal_color", 10), ("empty_or_short_pack", 2), ("color_difference", 1)])
def test_apology_and_gift_ratio_without_company_approval(soy, defect, ratio):
    case = start(soy, defect=defect)
    to_approval(soy, case)
    approve(soy, case)
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]  # no company approval
    assert f"原则上可 1:{ratio} 赠送礼品豆制品" in instructions(soy, case, "Task_Resolve")
    assert soy.show(case)["severity"] == "ABC"[(10, 2, 1).index(ratio)]  # the class is the case's severity
    finish(soy, case)


def test_negotiation_continues_until_both_sides_are_satisfied(soy):
    case = start(soy)
    to_approval(soy, case)
    approve(soy, case)
    soy.complete(case, "Task_Resolve", {"solution": "按 1:10 赠送", "customer_agrees": False})
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]  # 6.5 again
    assert "改变谈判对象或结构" in instructions(soy, case, "Task_Resolve")
    finish(soy, case)


# -- 8.3 an agitated customer ------------------------------------------------------------------------------------------
def test_agitated_customer_is_calmed_and_a_salesperson_apologises_in_person(soy):
    case = start(soy)
    to_approval(soy, case, customer_agitated=True)
    approve(soy, case)
    assert soy.open_steps(case) == ["Task_Calm", "Task_Transmit"]
    soy.complete(case, "Task_Calm", {"emotion_cause": "孩子食用后腹泻", "delegate_salesperson": True})
    assert "Task_SalesVisit" in soy.open_steps(case)
    assert role(soy, case, "Task_SalesVisit") == "soy_sales"
    soy.complete(case, "Task_SalesVisit", {"visit_result": "已上门了解并致歉"})
    assert "Task_Resolve" in soy.open_steps(case)
    finish(soy, case)


def test_agitated_customer_calmed_without_a_visit(soy):
    case = start(soy)
    to_approval(soy, case, customer_agitated=True)
    approve(soy, case)
    soy.complete(case, "Task_Calm", {"emotion_cause": "多次购买均有问题"})
    assert soy.open_steps(case) == ["Task_Resolve", "Task_Transmit"]


# -- 11 special complaints (in parallel with the normal handling) -----------------------------------------------------
def test_regulator_feedback_alerts_sales_and_may_go_to_the_general_manager(soy):
    case = start(soy, special_type="regulator_feedback", channel="regulator")
    assert soy.open_steps(case) == ["Task_Investigate", "Task_SpecialPR"]
    assert role(soy, case, "Task_SpecialPR") == "soy_sales"
    soy.complete(case, "Task_SpecialPR", {"coordination": "与经销商共同向质监局说明", "report_to_gm": True})
    assert role(soy, case, "Task_GMBriefed") == "soy_general_manager"
    soy.complete(case, "Task_GMBriefed", {"gm_instructions": "准备出厂检验报告"})
    assert role(soy, case, "Task_RegulatorResponse") == "soy_sales"
    soy.complete(case, "Task_RegulatorResponse", {"evidence": "防疫检验报告", "outcome": "监管部门认可整改措施"})
    assert soy.open_steps(case) == ["Task_Investigate"]  # the normal handling goes on
    to_approval(soy, case)
    approve(soy, case)
    finish(soy, case)


def test_consumer_complaint_to_the_consumer_association_without_the_general_manager(soy):
    case = start(soy, special_type="regulator_complaint")
    soy.complete(case, "Task_SpecialPR", {"coordination": "已通知销售经理、业务员"})
    assert soy.open_steps(case) == ["Task_Investigate", "Task_RegulatorResponse"]


def test_extortion_crisis_is_handled_by_the_company_and_ends_where_the_source_stops(soy):
    case = start(soy, special_type="extortion")
    assert soy.open_steps(case) == ["Task_Crisis", "Task_Investigate"]
    assert role(soy, case, "Task_Crisis") == "soy_company"
    assert "原文在此截断" in instructions(soy, case, "Task_Crisis")
    soy.complete(
        case, "Task_Crisis", {"warning_signs": "顾客索要高额赔偿并威胁曝光", "isolation": "统一由公司对外发言"}
    )
    assert soy.open_steps(case) == ["Task_Investigate"]
