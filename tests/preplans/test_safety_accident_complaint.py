"""Scenarios for the safety_accident_complaint preplan (安全事故客诉的处置预案, source 002 lines 22-45).

Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states no
deadline. The scenarios follow receipt and classification, verification and interviews by the disposal team, the
disposal plan with its six required contents, the investigation team's work, disputes escalated to the leadership
group (五.3), responsibility and compensation beside public-opinion guidance, publication, summary and appraisal.
Step ids are the BPMN ids of processes/safety_accident_complaint/safety_accident_complaint.bpmn.
"""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "safety_accident_complaint"
MONDAY = "2026-11-23T10:00:00+08:00"

INTAKE = {
    "received_at": MONDAY,
    "channel": "social_media",
    "complainant_name": "刘女士",
    "contact": "13900000000",
    "summary": "商场扶梯夹伤儿童",
    "content": "微博投诉：孩子在二楼扶梯处被夹伤脚趾，要求公司说明原因并赔偿",
}
CLASSIFIED = {"request_kind": "complaint", "complainant_party": "customer", "complaint_type": "人身伤害"}
VERIFIED = {
    "accident_time": "2026-11-22T15:30:00+08:00",
    "accident_place": "二楼南侧上行扶梯",
    "persons_involved": "刘女士之子（6岁）、当班安全员王某",
}
INTERVIEWED = {"interviewees": "刘女士、安全员王某", "accident_course": "儿童蹲坐扶梯，鞋子卷入梳齿板"}
PLAN = {
    "accident_nature": "设备伤人事故",
    "accident_severity": "serious",
    "investigation_team": "安全部经理任组长，工程部、客服部各一人；负责现场勘查和责任调查",
    "investigation_time_place": "11月24日上午，二楼南侧扶梯及监控室",
    "investigation_methods": "调取监控、查阅维保记录、请第三方检测扶梯",
    "handling_and_compensation": "承担全部医疗费用并给予慰问金",
    "responsibility_plan": "根据调查结论认定维保单位和当班人员责任",
    "prevention": "增设扶梯安全提示和值守",
}
INVESTIGATED = {
    "findings": "梳齿板缺齿两处，维保记录未见更换",
    "cause_found": "维保单位未按期更换破损梳齿板",
    "responsible_persons": "维保单位、工程部主管",
    "victims": "刘女士之子，脚趾挫伤",
}
RESPONSIBILITY = {
    "responsibility_conclusion": "维保单位负主要责任，工程部主管负管理责任",
    "accountability": "按合同扣罚维保单位，工程部主管通报批评",
}
COMPENSATED = {
    "compensated_victims": "刘女士之子",
    "compensation": "已支付医疗费 3,200 元及慰问金 2,000 元",
    "legal_basis": "《消费者权益保护法》第四十九条；公司客户赔偿制度",
}
OPINION = {"guidance_measures": "官方微博致歉并说明正在调查，回应网友关切"}
PUBLISHED = {"published_content": "扶梯夹伤事故调查及处理结果"}
SUMMARY = {"course": "扶梯梳齿板破损导致儿童夹伤，已赔偿并整改", "improvements": "扶梯梳齿板每周检查"}
APPRAISED = {
    "appraised_persons": "工程部主管",
    "appraisal_result": "未履行检查职责",
    "rewards_penalties": "扣发当季绩效奖金",
}


@pytest.fixture
def safety(flow):
    return flow.ready(PREPLAN, MONDAY)


def start(flow, **changes) -> int:
    return flow.start("safety_accident_complaint", {**INTAKE, **changes})


def until_investigation(flow, case) -> None:
    for step, data in (
        ("Task_Classify", CLASSIFIED),
        ("Task_Verify", VERIFIED),
        ("Task_Interview", INTERVIEWED),
        ("Task_Plan", PLAN),
    ):
        assert flow.open_steps(case) == [step]
        flow.complete(case, step, data)


def roles(flow, case) -> dict[str, str]:
    return {t["bpmn_id"]: t["role"] for t in flow.open_tasks(case)}


# -- 四.1–四.3 receipt, classification, verification, interviews and the disposal plan ----------------------------
def test_disposal_team_receives_verifies_interviews_and_plans(safety):
    case = start(safety)
    assert safety.show(case)["title"] == "刘女士：商场扶梯夹伤儿童"
    assert roles(safety, case) == {"Task_Classify": "safety_accident_team"}
    safety.complete(case, "Task_Classify", CLASSIFIED)
    assert roles(safety, case) == {"Task_Verify": "safety_accident_team"}
    safety.complete(case, "Task_Verify", VERIFIED)
    assert roles(safety, case) == {"Task_Interview": "safety_accident_team"}
    safety.complete(case, "Task_Interview", INTERVIEWED)
    assert roles(safety, case) == {"Task_Plan": "safety_accident_team"}
    assert safety.task(case, "Task_Plan")["due_at"] is None  # the source states no deadline
    safety.complete(case, "Task_Plan", PLAN)
    assert roles(safety, case) == {"Task_Investigate": "safety_accident_investigators"}
    assert safety.show(case)["severity"] == "serious"
    data = safety.data(case)
    assert (data["request_kind"], data["accident_place"]) == ("complaint", "二楼南侧上行扶梯")


def test_report_and_enquiry_follow_the_same_procedure(safety):
    case = start(safety, channel="phone")
    safety.complete(
        case,
        "Task_Classify",
        {
            "request_kind": "report",
            "complainant_party": "employee",
            "complaint_type": "安全隐患举报",
            "sensitive": True,
        },
    )
    assert safety.open_steps(case) == ["Task_Verify"]  # 二: 投诉、举报和咨询 alike
    assert safety.data(case)["sensitive"] is True


def test_the_plan_needs_all_six_contents(safety):
    case = start(safety)
    for step, data in (("Task_Classify", CLASSIFIED), ("Task_Verify", VERIFIED), ("Task_Interview", INTERVIEWED)):
        safety.complete(case, step, data)
    incomplete = {k: v for k, v in PLAN.items() if k != "prevention"}  # ⑥ 事故预防措施及改进建议 missing
    with pytest.raises(ValidationFailed):
        safety.complete(case, "Task_Plan", incomplete)
    assert safety.open_steps(case) == ["Task_Plan"]


# -- 四.4–四.5 investigation, handling beside opinion guidance, publication ---------------------------------------
def test_after_the_investigation_handling_and_opinion_guidance_run_in_parallel(safety):
    case = start(safety)
    until_investigation(safety, case)
    safety.complete(case, "Task_Investigate", INVESTIGATED)
    assert roles(safety, case) == {
        "Task_Responsibility": "safety_accident_team",
        "Task_GuideOpinion": "safety_accident_team",
    }
    safety.complete(case, "Task_GuideOpinion", OPINION)
    safety.complete(case, "Task_Responsibility", RESPONSIBILITY)
    assert safety.open_steps(case) == ["Task_Compensate"]
    safety.complete(case, "Task_Compensate", COMPENSATED)
    assert safety.open_steps(case) == ["Task_Publish"]  # results are published once both branches are done


def test_publication_waits_for_opinion_guidance(safety):
    case = start(safety)
    until_investigation(safety, case)
    safety.complete(case, "Task_Investigate", INVESTIGATED)
    safety.complete(case, "Task_Responsibility", RESPONSIBILITY)
    safety.complete(case, "Task_Compensate", COMPENSATED)
    assert safety.open_steps(case) == ["Task_GuideOpinion"]
    safety.complete(case, "Task_GuideOpinion", OPINION)
    assert safety.open_steps(case) == ["Task_Publish"]


# -- 五.3 disputes go to the leadership group ------------------------------------------------------------------------
def test_dispute_in_the_investigation_is_coordinated_by_the_leadership_and_may_reopen_it(safety):
    case = start(safety)
    until_investigation(safety, case)
    safety.complete(
        case,
        "Task_Investigate",
        {**INVESTIGATED, "investigation_dispute": True, "investigation_dispute_details": "维保单位不认可检测结论"},
    )
    assert roles(safety, case) == {"Task_DisputeInvestigation": "safety_accident_leadership"}
    safety.complete(
        case,
        "Task_DisputeInvestigation",
        {"investigation_dispute_outcome": "reinvestigate", "investigation_dispute_resolution": "请第三方机构重新检测"},
    )
    assert roles(safety, case) == {"Task_Investigate": "safety_accident_investigators"}  # 重新调查
    safety.complete(
        case,
        "Task_Investigate",
        {**INVESTIGATED, "investigation_dispute": True, "investigation_dispute_details": "维保单位要求减轻责任"},
    )
    safety.complete(case, "Task_DisputeInvestigation", {"investigation_dispute_resolution": "维持第三方检测结论"})
    assert safety.open_steps(case) == ["Task_GuideOpinion", "Task_Responsibility"]  # default: resolved, go on


def test_dispute_over_responsibility_or_compensation_may_redo_them(safety):
    case = start(safety)
    until_investigation(safety, case)
    safety.complete(case, "Task_Investigate", INVESTIGATED)
    safety.complete(case, "Task_GuideOpinion", OPINION)
    safety.complete(case, "Task_Responsibility", RESPONSIBILITY)
    safety.complete(
        case,
        "Task_Compensate",
        {**COMPENSATED, "handling_dispute": True, "handling_dispute_details": "受害者家属认为慰问金过低"},
    )
    assert roles(safety, case) == {"Task_DisputeHandling": "safety_accident_leadership"}
    safety.complete(
        case,
        "Task_DisputeHandling",
        {"handling_dispute_outcome": "redo", "handling_dispute_resolution": "按医院诊断重新核定赔偿"},
    )
    assert safety.open_steps(case) == ["Task_Responsibility"]
    safety.complete(case, "Task_Responsibility", RESPONSIBILITY)
    safety.complete(
        case,
        "Task_Compensate",
        {**COMPENSATED, "handling_dispute": True, "handling_dispute_details": "家属要求书面道歉"},
    )
    safety.complete(
        case,
        "Task_DisputeHandling",
        {"handling_dispute_outcome": "resolved", "handling_dispute_resolution": "同意书面道歉"},
    )
    assert safety.open_steps(case) == ["Task_Publish"]
    assert safety.data(case)["handling_dispute_resolution"] == "同意书面道歉"


# -- 四.6 summary and appraisal -------------------------------------------------------------------------------------
def test_whole_case_ends_with_the_leadership_appraisal(safety):
    case = start(safety)
    until_investigation(safety, case)
    safety.complete(case, "Task_Investigate", INVESTIGATED)
    safety.complete(case, "Task_GuideOpinion", OPINION)
    safety.complete(case, "Task_Responsibility", RESPONSIBILITY)
    safety.complete(case, "Task_Compensate", COMPENSATED)
    safety.complete(case, "Task_Publish", PUBLISHED)
    assert safety.data(case)["confidentiality_checked"] is True  # 五.2, checked by default
    assert roles(safety, case) == {"Task_Summary": "safety_accident_team"}
    safety.complete(case, "Task_Summary", SUMMARY)
    assert roles(safety, case) == {"Task_Appraise": "safety_accident_leadership"}
    safety.complete(case, "Task_Appraise", APPRAISED)
    assert safety.status(case) == "completed"
    assert safety.timers(case) == []
    assert safety.data(case)["rewards_penalties"] == "扣发当季绩效奖金"
