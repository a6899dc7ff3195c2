"""Confidential fields are hidden from everyone but their roles, everywhere; counts come from the case history of
the unit (drills, terminated cases and other units apart, the natural year in Asia/Shanghai), and a clerk corrects
one only with a reason, which is audited. Both databases."""

from __future__ import annotations

import json

import pytest

from engine.cases.sight import Sight
from engine.cases.views import case_view, recorded_steps
from engine.errors import ValidationFailed
from engine.people.users import get_user
from engine.preplans.conventions import HIDDEN
from engine.store.models import Notification
from tests.conftest import ROOT
from tests.engine.test_organisation import intake
from tests.flow import Flow

WHISTLE = ROOT / "processes" / "whistleblower_report"
PETROCHINA = ROOT / "processes" / "petrochina_station"
VANKE = ROOT / "processes" / "vanke_complaint"
REPORT = {
    "received_at": "2026-11-23T10:00:00+08:00",
    "channel": "safety_dept",
    "mode": "written",
    "reporter_name": "周工",
    "reporter_contact": "13600000000",
    "subject": "二号车间压力容器超期未检",
    "categories": ["equipment"],
    "report_content": "二号车间 3 号储气罐检验合格证已过期半年，仍在使用",
}


def seen_by(flow: Flow, name: str, case: int) -> dict:
    """The case page's data as ``name`` sees it (``show --as``)."""
    with flow.engine.db.read() as session:
        sight = Sight(session, flow.engine.versions, get_user(session, name))
        found = sight.case(case)
        hidden = sight.hidden(found)
        view = case_view(session, found, flow.engine.tz, hidden)
        return {**view, "steps": recorded_steps(session, found, flow.engine.tz, hidden)}


def test_a_whistleblower_is_known_only_to_the_people_who_handle_the_report(flow):
    flow.deploy(WHISTLE)
    flow.at("2026-11-23T10:00:00+08:00")
    flow.user("safety", "whistle_safety_dept")
    flow.user("leader", "whistle_company_leader")
    flow.user("root_admin", "admin", "supervisor")
    case = flow.start("whistleblower_report", REPORT, user="safety")
    for reader in ("safety", "leader"):
        assert seen_by(flow, reader, case)["data"]["reporter_name"] == "周工"
    as_admin = seen_by(flow, "root_admin", case)
    assert as_admin["data"]["reporter_name"] == HIDDEN and as_admin["data"]["reporter_contact"] == HIDDEN
    assert as_admin["data"]["subject"] == REPORT["subject"]  # only the confidential fields are hidden
    assert "周工" not in json.dumps(as_admin, ensure_ascii=False)  # not in data, events or steps either
    assert "13600000000" not in json.dumps(as_admin, ensure_ascii=False)
    with flow.engine.db.read() as session:
        notices = " ".join(n.subject + n.body for n in session.query(Notification))
    assert notices and "周工" not in notices


def petrochina(flow: Flow) -> Flow:
    flow.deploy(PETROCHINA)
    flow.unit("hs", "黄山分公司", kind="branch")
    flow.unit("tunxi", "屯溪路加油站", parent="hs", kind="station")
    flow.unit("daodao", "黄山大道加油站", parent="hs", kind="station")
    flow.user("csc", "petrochina_csc", unit="hs")
    return flow


QUALITY = {"nature": "valid", "category": "quantity_quality", "quantity_quality_kind": "quality"}


def quality_complaint(flow: Flow, when: str, unit: str = "tunxi", *, drill: bool = False, **facts) -> dict:
    """A quality complaint received at ``when``, classified; returns what the case recorded."""
    flow.at(when)
    case = flow.engine.start("petrochina_station", intake(when=when), user="csc", unit=unit, drill=drill)["case"]
    flow.complete(case, "Task_Classify", {**QUALITY, **facts}, user="csc")
    return {"case": case, **flow.data(case)}


def test_counts_follow_the_natural_year_the_unit_and_leave_drills_out(flow):
    petrochina(flow)
    december = quality_complaint(flow, "2026-12-31T23:30:00+08:00")  # 2026 in Shanghai (15:30 UTC)
    assert december["quality_complaints_count"] == 1 and december["level"] == 3  # only itself
    quality_complaint(flow, "2027-01-01T09:00:00+08:00", drill=True)  # a drill never counts
    quality_complaint(flow, "2027-01-01T09:30:00+08:00", unit="daodao")  # nor does another station
    ended = quality_complaint(flow, "2027-01-01T09:40:00+08:00")
    flow.engine.terminate(str(ended["case"]), "重复登记")  # nor a case terminated as a mistake
    january = quality_complaint(flow, "2027-01-02T10:00:00+08:00")
    assert january["quality_complaints_count"] == 1  # a new year: last December's complaint is not counted
    second = quality_complaint(flow, "2027-01-03T10:00:00+08:00")
    assert second["quality_complaints_count"] == 2 and second["level"] == 1  # 多起质量类投诉 → 一级 (第五条)
    assert second["quantity_complaints_same_station"] == 0  # not a quantity complaint
    (counted,) = [
        e for e in flow.events(second["case"], "counted") if e["details"]["field"] == "quality_complaints_count"
    ]
    assert [c["key"] for c in counted["details"]["cases"]] == [flow.show(january["case"])["business_key"]]


def test_a_count_is_corrected_only_with_a_reason_which_is_audited(flow):
    petrochina(flow)
    flow.at("2026-11-23T10:00:00+08:00")
    case = flow.engine.start("petrochina_station", intake(), user="csc", unit="tunxi")["case"]
    task = flow.task(case, "Task_Classify")["id"]
    with pytest.raises(ValidationFailed) as refused:
        flow.engine.complete(task, {**QUALITY, "quality_complaints_count": 3}, user="csc")
    assert refused.value.kinds["quality_complaints_count"] == ("counted", 1)
    assert flow.open_steps(case) == ["Task_Classify"]  # nothing changed
    reason = "同月另两起质量投诉在系统启用前登记"
    flow.engine.complete(
        task, {**QUALITY, "quality_complaints_count": 3}, user="csc", corrections={"quality_complaints_count": reason}
    )
    assert flow.data(case)["quality_complaints_count"] == 3 and flow.data(case)["level"] == 1
    (audited,) = [e for e in flow.events(case, "counted") if e["details"]["field"] == "quality_complaints_count"]
    assert audited["actor"] == "csc"
    assert (audited["details"]["value"], audited["details"]["corrected_to"], audited["details"]["reason"]) == (
        1,
        3,
        reason,
    )


VANKE_INTAKE = {
    "channel": "phone",
    "complainant_name": "张三",
    "customer_class": "owner",
    "content_type": "engineering_quality",
    "description": "卫生间漏水",
    "complainant_count": 1,
}


def test_vanke_counts_different_complainants_of_the_same_issue_in_thirty_days(flow):
    flow.deploy(VANKE)
    flow.unit("sh", "上海万科", kind="company")
    flow.unit("jinyu", "金域华府", parent="sh", kind="project")
    flow.user("sh_csc", "vanke_csc", unit="sh")

    def complaint(when: str, contact: str, content: str = "engineering_quality") -> dict:
        flow.at(when)
        data = {**VANKE_INTAKE, "received_at": when, "contact": contact, "project": "金域华府", "content_type": content}
        case = flow.engine.start("vanke_complaint", data, user="sh_csc", unit="jinyu")["case"]
        return flow.data(case)

    complaint("2026-10-20T10:00:00+08:00", "13800000001")  # more than 30 days before: not counted
    complaint("2026-11-02T10:00:00+08:00", "13800000002")
    complaint("2026-11-10T10:00:00+08:00", "138 0000 0002")  # the same complainant again
    complaint("2026-11-12T10:00:00+08:00", "13800000003", "property_management")  # another issue
    third = complaint("2026-11-23T10:00:00+08:00", "13800000004")
    assert third["same_issue_complainants_30d"] == 2 and third["severity"] == "general"
    hot = complaint("2026-11-24T10:00:00+08:00", "13800000005")
    assert hot["same_issue_complainants_30d"] == 3 and hot["severity"] == "hot"  # 5.5.1.2: 3 人以上 → 热点


def test_vanke_hands_the_complaint_to_the_unit_the_csc_chooses(flow):
    flow.deploy(VANKE)
    flow.unit("sh", "上海万科", kind="company")
    flow.unit("jinyu", "金域华府", parent="sh", kind="project")
    flow.unit("engineering", "工程管理部", parent="sh", kind="department")
    flow.user("sh_csc", "vanke_csc", unit="sh")
    flow.user("engineer", "vanke_specialist", unit="engineering")
    flow.user("jinyu_specialist", "vanke_specialist", unit="jinyu")
    flow.at("2026-11-23T10:00:00+08:00")
    data = {**VANKE_INTAKE, "received_at": "2026-11-23T10:00:00+08:00", "contact": "138", "project": "金域华府"}
    case = flow.engine.start("vanke_complaint", data, user="sh_csc", unit="jinyu")["case"]
    assert flow.task(case, "Task_Dispatch")["unit"] == "sh"
    with pytest.raises(ValidationFailed) as refused:
        flow.complete(case, "Task_Dispatch", {"dispatch_to_type": "department_owner", "dispatch_to": "nowhere"})
    assert refused.value.kinds["dispatch_to"] == ("unit", None)
    flow.complete(case, "Task_Dispatch", {"dispatch_to_type": "department_owner", "dispatch_to": "engineering"})
    written = flow.task(case, "Task_WrittenReport")
    assert written["unit"] == "engineering"  # 转达: the chosen department's specialist, not the project's
    with pytest.raises(Exception, match="工程管理部"):
        flow.engine.claim(written["id"], user="jinyu_specialist")
    flow.engine.claim(written["id"], user="engineer")
