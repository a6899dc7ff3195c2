"""Appraisal ledgers on cases walked with a fixed clock, on SQLite and PostgreSQL: PetroChina's points, fines,
running counts and consequences (第十四条) across 2026; Vanke's closure rate per specialist per quarter (4.1.6).
Every expectation below is counted by hand from the scenario."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.errors import Forbidden, NotFound, ValidationFailed
from tests.preplans import test_petrochina_station as pc
from tests.preplans import test_vanke_complaint as vk

NAMES = {"direct_person": "张三", "station_manager_name": "李经理", "area_manager_name": "王片区"}


def keys(figure: dict) -> list[str]:
    return [c["business_key"] for c in figure["cases"]]


@pytest.fixture
def stations(flow):
    return petrochina_stations(flow)


def petrochina_stations(flow):
    """黄山分公司 with 北片区 (屯溪路, 黄山大道) and 汤口加油站 directly under the branch (no area)."""
    flow.deploy(pc.PREPLAN)
    flow.unit("hs", "黄山分公司", kind="branch")
    flow.unit("north", "北片区", parent="hs", kind="area")
    flow.unit("tunxi", "屯溪路加油站", parent="north", kind="station")
    flow.unit("dadao", "黄山大道加油站", parent="north", kind="station")
    flow.unit("tangkou", "汤口加油站", parent="hs", kind="station")
    return flow


def complaint(flow, unit: str, when: str, names: dict, *, approve: bool = True, drill: bool = False, **facts) -> str:
    """A valid complaint at ``unit`` received at ``when``, handled on time, judged the station's fault with
    ``names`` responsible; approved by the supervising department unless ``approve`` is false."""
    flow.at(when)
    case = flow.start("petrochina_station", pc.intake(received_at=when), unit=unit, drill=drill)
    pc.to_responsibility(flow, case, **facts)
    flow.complete(case, "Task_Responsibility", {**pc.OPINION, **names})
    flow.complete(case, "Task_StationOpinion", {})
    if approve:
        flow.complete(case, "Task_SupervisorApproval", {"approval_instruction": "同意"})
    return flow.show(case)["business_key"]


def test_petrochina_ledger_follows_article_14_across_the_year(stations):
    flow = stations
    first = complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)  # 三级: 800 元, −5
    second = complaint(  # 二级, the station's and 张三's 2nd: 1000 元, manager's 40 % doubled, −5
        flow, "tunxi", "2026-03-02T10:00:00+08:00", NAMES, strong_attitude_or_short_deadline=True
    )
    other = {"direct_person": "赵四", "station_manager_name": "钱经理", "area_manager_name": "王片区"}
    media = complaint(flow, "dadao", "2026-03-09T10:00:00+08:00", other, media_involved=True)  # 一级: −20, 免职
    pending = complaint(flow, "tangkou", "2026-04-06T10:00:00+08:00", {"direct_person": "孙五"}, approve=False)
    flow.at("2026-03-16T10:00:00+08:00")
    invalid = flow.start("petrochina_station", pc.intake(), unit="tunxi")
    flow.complete(invalid, "Task_Classify", {"nature": "invalid", "invalid_type": "malicious"})
    complaint(flow, "tunxi", "2026-03-17T10:00:00+08:00", NAMES, drill=True)  # a drill never counts
    complaint(flow, "tunxi", "2025-12-30T10:00:00+08:00", NAMES)  # last year: another calendar year

    year = flow.engine.ledger("petrochina_station", 2026)
    assert (year["from"], year["to"], year["month"]) == ("2026-01-01", "2026-12-31", None)
    assert year["totals"]["valid_complaints"]["value"] == 4
    assert year["totals"]["points"]["value"] == 30
    assert keys(year["totals"]["points"]) == [first, second, media]
    assert year["totals"]["fines_yuan"]["value"] == 800 + 1400

    by_station = {s["unit"]: s for s in year["stations"]}
    assert list(by_station) == ["tunxi", "dadao", "tangkou"]  # as the organisation shows them
    tunxi = by_station["tunxi"]
    assert (tunxi["area"], tunxi["points"]["value"], keys(tunxi["points"])) == ("north", 10, [first, second])
    assert [(m["month"], m["points"]["value"]) for m in tunxi["by_month"] if m["points"]["value"]] == [(1, 5), (3, 5)]
    assert (tunxi["running_count"]["value"], keys(tunxi["running_count"])) == (2, [first, second])
    assert tunxi["consequences"] == [{"code": "station_no_awards", **ref_of(flow, first)}]
    assert tunxi["honours_eligible"] is False
    tangkou = by_station["tangkou"]
    assert (tangkou["area"], tangkou["points"]["value"], tangkou["running_count"]["value"]) == ("hs", 0, 1)
    assert tangkou["honours_eligible"] is True  # its complaint is not approved yet
    assert by_station["dadao"]["points"]["value"] == 20

    areas = {a["unit"]: a for a in year["areas"]}
    assert (areas["north"]["points"]["value"], keys(areas["north"]["points"])) == (30, [first, second, media])
    assert [(m["month"], m["points"]["value"]) for m in areas["north"]["by_month"] if m["points"]["value"]] == [
        (1, 5),
        (3, 25),
    ]
    assert areas["hs"]["points"]["value"] == 0

    people = {(p["unit"], p["name"]): p for p in year["people"]}
    zhang = people["tunxi", "张三"]
    assert zhang["fines_yuan"]["value"] == 400 + 500 and zhang["fines_yuan"]["shares"] == {"direct": 900}
    assert (zhang["responsible_complaints"]["value"], keys(zhang["responsible_complaints"])) == (2, [first, second])
    assert [(c["code"], c["business_key"]) for c in zhang["consequences"]] == [
        ("direct_no_awards", first),
        ("warn_and_transfer_direct", second),
    ]
    li = people["tunxi", "李经理"]
    assert li["fines_yuan"]["shares"] == {"station_manager": 320 + 800}
    assert [(c["code"], c["business_key"]) for c in li["consequences"]] == [
        ("manager_no_awards", second),
        ("manager_fine_doubled", second),
    ]
    assert li["honours_eligible"] is False
    wang = people["north", "王片区"]  # the area manager's 10 % of both stations' fines
    assert wang["fines_yuan"]["shares"] == {"area_manager": 80 + 100}
    assert keys(wang["fines_yuan"]) == [first, second]
    zhao = people["dadao", "赵四"]
    assert zhao["fines_yuan"]["value"] == 0
    assert [c["code"] for c in zhao["consequences"]] == ["dismiss_direct", "direct_no_awards"]
    sun = people["tangkou", "孙五"]  # counted, not yet approved: no fine, no consequence
    assert (sun["responsible_complaints"]["value"], sun["consequences"], sun["honours_eligible"]) == (1, [], True)
    assert keys(sun["responsible_complaints"]) == [pending]
    assert invalid not in [c["case"] for s in year["stations"] for c in s["running_count"]["cases"]]

    march = flow.engine.ledger("petrochina_station", 2026, 3)
    assert (march["from"], march["to"], march["month"]) == ("2026-03-01", "2026-03-31", 3)
    tunxi = {s["unit"]: s for s in march["stations"]}["tunxi"]
    assert (tunxi["points"]["value"], tunxi["valid_complaints"]["value"]) == (5, 1)
    assert tunxi["running_count"]["value"] == 2  # the calendar year up to the end of March
    assert {(p["unit"], p["name"]): p["fines_yuan"]["value"] for p in march["people"]}["tunxi", "张三"] == 500
    january = flow.engine.ledger("petrochina_station", 2026, 1)
    assert [s["unit"] for s in january["stations"]] == ["tunxi"]
    assert january["stations"][0]["running_count"]["value"] == 1


def ref_of(flow, key: str) -> dict:
    return {"case": flow.show(key)["case"], "business_key": key}


def test_a_person_s_second_responsible_complaint_is_counted_with_the_form_s_default(stations):
    """The responsibility form's 属加油站责任 left at its default (yes) counts for 第十四条5."""
    flow = stations
    complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    second = complaint(flow, "tunxi", "2026-02-02T10:00:00+08:00", NAMES)
    assert flow.show(second)["data"]["person_complaints_this_year"] == 2


def test_the_ledger_counts_only_the_cases_the_reader_may_see(stations):
    flow = stations
    complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    seen = complaint(flow, "dadao", "2026-01-13T10:00:00+08:00", NAMES)
    flow.user("dadao_csc", "petrochina_csc", unit="dadao")
    flow.user("clerk", "petrochina_gas_station", unit="dadao")
    ledger = flow.engine.ledger("petrochina_station", 2026, user="dadao_csc")
    assert [s["unit"] for s in ledger["stations"]] == ["dadao"]
    assert keys(ledger["totals"]["points"]) == [seen]
    with pytest.raises(Forbidden):
        flow.engine.ledger("petrochina_station", 2026, user="clerk")
    with pytest.raises(NotFound):
        flow.engine.ledger("restaurant_scenarios", 2026)
    with pytest.raises(ValidationFailed):
        flow.engine.ledger("petrochina_station", 2026, 13)


@pytest.fixture
def specialists(flow):
    return vanke_specialists(flow)


def vanke_specialists(flow):
    """工程管理部 with the specialists chen and lin."""
    flow.deploy(vk.PREPLAN)
    flow.unit("vanke_engineering", "工程管理部", kind="department")
    for name in ("chen", "lin"):
        flow.user(name, "vanke_specialist", unit="vanke_engineering")
    return flow


def taken(flow, when: str, specialist: str, *, validity: str = "valid", resolve_at: str | None = None) -> str:
    """A complaint received at ``when``, judged by ``specialist`` and, at ``resolve_at``, handled to the end."""
    case = vk.start(flow, when)
    flow.complete(case, "Task_Dispatch", vk.DISPATCH)
    flow.complete(case, "Task_WrittenReport", vk.WRITTEN)
    flow.complete(case, "Task_ConfirmSeverity", {})
    flow.complete(case, "Task_Assess", {**vk.VALID, "validity": validity}, user=specialist)
    if resolve_at is not None:
        flow.at(resolve_at)
        flow.complete(case, "Task_Investigate", vk.INVESTIGATED)
        flow.complete(case, "Task_Resolve", vk.RESOLVED, user=specialist)
    return flow.show(case)["business_key"]


def test_vanke_closure_rate_per_specialist_per_quarter(specialists):
    flow = specialists
    a = taken(flow, "2026-01-05T10:00:00+08:00", "chen", resolve_at="2026-01-06T10:00:00+08:00")
    b = taken(flow, "2026-02-02T10:00:00+08:00", "chen", resolve_at="2026-04-01T10:00:00+08:00")  # after Q1 ended
    c = taken(flow, "2026-03-02T10:00:00+08:00", "chen")
    d = taken(flow, "2026-03-03T10:00:00+08:00", "lin", resolve_at="2026-03-04T10:00:00+08:00")
    taken(flow, "2026-03-04T10:00:00+08:00", "lin", validity="invalid", resolve_at="2026-03-05T10:00:00+08:00")
    e = taken(flow, "2026-04-06T10:00:00+08:00", "lin", resolve_at="2026-04-07T10:00:00+08:00")

    q1 = flow.engine.ledger("vanke_complaint", 2026, 1)
    assert (q1["quarter"], [q["quarter"] for q in q1["quarters"]]) == (1, [1])
    assert (q1["quarters"][0]["from"], q1["quarters"][0]["to"]) == ("2026-01-01", "2026-03-31")
    lines = {s["specialist"]: s for s in q1["quarters"][0]["specialists"]}
    assert (lines["chen"]["valid"]["value"], lines["chen"]["closed"]["value"], lines["chen"]["closure_rate"]) == (
        3,
        1,
        0.3333,
    )
    assert keys(lines["chen"]["closed"]) == [a] and keys(lines["chen"]["open"]) == [b, c]
    assert (keys(lines["lin"]["valid"]), lines["lin"]["closure_rate"]) == ([d], 1.0)  # the invalid one not counted

    year = flow.engine.ledger("vanke_complaint", 2026)
    assert year["quarter"] is None and [q["quarter"] for q in year["quarters"]] == [1, 2, 3, 4]
    q2 = {s["specialist"]: s for s in year["quarters"][1]["specialists"]}
    assert list(q2) == ["lin"] and keys(q2["lin"]["closed"]) == [e]


def test_ledger_command_line_contract(sqlite_flow, capsys):
    flow = sqlite_flow
    flow.deploy(pc.PREPLAN)
    flow.unit("tunxi", "屯溪路加油站", kind="station")
    first = complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    url = flow.engine.settings.database_url

    def run(*args: str) -> tuple[int, dict]:
        code = main(["--database-url", url, "ledger", *args])
        return code, json.loads(capsys.readouterr().out)

    code, out = run("petrochina_station", "--year", "2026", "--month", "1", "--json")
    assert code == 0 and (out["preplan"], out["year"], out["month"]) == ("petrochina_station", 2026, 1)
    assert set(out) == {"preplan", "year", "month", "from", "to", "totals", "stations", "areas", "people"}
    assert out["stations"][0]["points"] == {"value": 5, "cases": [ref_of(flow, first)]}
    code, out = run("vanke_complaint", "--year", "2026", "--quarter", "2", "--json")
    assert code == 0 and out == {
        "preplan": "vanke_complaint",
        "year": 2026,
        "quarter": 2,
        "quarters": [{"quarter": 2, "from": "2026-04-01", "to": "2026-06-30", "specialists": []}],
    }
    code, out = run("vanke_complaint", "--year", "2026", "--month", "1", "--json")
    assert code == 1 and out["error"] == "validation"
    code, out = run("petrochina_station", "--year", "2026", "--as", "nobody", "--json")
    assert code == 1 and out["error"] == "not_found"
