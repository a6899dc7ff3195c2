"""The organisation on both databases: a PetroChina branch with two stations, a manager at each, the branch CSC and
supervisor, and a second branch. Each person sees exactly their work; a moved case changes who sees it; notices go
to the unit's people; deactivation hands claimed work back."""

from __future__ import annotations

import pytest

from engine.cases.sight import Sight
from engine.cases.stats import statistics
from engine.cases.worklist import case_list, work_list
from engine.errors import Forbidden, NotFound
from engine.people.org import Org
from engine.people.users import get_user
from engine.service import Engine
from engine.store.db import Database
from engine.store.models import Notification
from tests.conftest import ROOT
from tests.flow import Flow

PETROCHINA = ROOT / "processes" / "petrochina_station"
MONDAY = "2026-11-23T10:00:00+08:00"
VALID = {"nature": "valid", "category": "station_service"}
TRANSMITTED = {"handling_method": "由加油站调查处理", "written_notice": "请调查处理"}


def intake(customer: str = "刘女士", when: str = MONDAY) -> dict:
    return {
        "received_at": when,
        "channel": "hotline_400",
        "customer_name": customer,
        "contact": "13900000000",
        "station": "—",
        "description": "加油员服务态度差",
        "customer_request": "要求道歉",
    }


@pytest.fixture
def branch(flow: Flow) -> Flow:
    flow.deploy(PETROCHINA)
    flow.at(MONDAY)
    flow.unit("hs", "黄山分公司", kind="branch")
    flow.unit("tunxi", "屯溪路加油站", parent="hs", kind="station")
    flow.unit("daodao", "黄山大道加油站", parent="hs", kind="station")
    flow.unit("wx", "芜湖分公司", kind="branch")
    flow.user("csc", "petrochina_csc", unit="hs")
    flow.user("manager_a", "petrochina_gas_station", unit="tunxi")
    flow.user("manager_b", "petrochina_gas_station", unit="daodao")
    flow.user("boss_hs", "supervisor", unit="hs")
    flow.user("boss_wx", "supervisor", unit="wx")
    flow.user("csc_wx", "petrochina_csc", unit="wx")
    return flow


def at_station(flow: Flow, unit: str, customer: str = "刘女士") -> int:
    """A case started by the branch CSC for a station, classified and handed to the station."""
    case = flow.start("petrochina_station", intake(customer), user="csc", unit=unit)
    flow.complete(case, "Task_Classify", VALID, user="csc")
    flow.complete(case, "Task_Transmit", TRANSMITTED, user="csc")
    return case


def visible_keys(flow: Flow, name: str) -> set[str]:
    with flow.engine.db.read() as session:
        seen = Sight(session, flow.engine.versions, get_user(session, name))
        return {c["business_key"] for c in case_list(session, flow.engine.tz, seen, per_page=100).items}


def work(flow: Flow, name: str) -> list[tuple[str, str]]:
    with flow.engine.db.read() as session:
        user = get_user(session, name)
        page = work_list(session, flow.engine.tz, user, Org.load(session), reminder_share=0.75)
        return [(t["business_key"], t["bpmn_id"]) for t in page.items]


def key(flow: Flow, case: int) -> str:
    return flow.show(case)["business_key"]


def test_each_person_sees_exactly_their_work(branch):
    a, b = at_station(branch, "tunxi"), at_station(branch, "daodao", "王先生")
    ka, kb = key(branch, a), key(branch, b)
    assert branch.task(a, "Task_StationInvestigate")["unit"] == "tunxi"  # routed to the station complained about
    assert work(branch, "manager_a") == [(ka, "Task_StationInvestigate")]
    assert work(branch, "manager_b") == [(kb, "Task_StationInvestigate")]
    assert work(branch, "csc") == []  # the steps the CSC completed are history, not work
    assert visible_keys(branch, "manager_a") == {ka} and visible_keys(branch, "manager_b") == {kb}
    assert visible_keys(branch, "csc") == {ka, kb} == visible_keys(branch, "boss_hs")
    assert visible_keys(branch, "boss_wx") == set() and visible_keys(branch, "csc_wx") == set()
    # one who may not see a case gets the answer a case that does not exist gets
    with branch.engine.db.read() as session:
        stranger = Sight(session, branch.engine.versions, get_user(session, "manager_b"))
        with pytest.raises(NotFound) as hidden:
            stranger.case(ka)
        with pytest.raises(NotFound) as missing:
            stranger.case("TS-20991231-0001")
        assert str(hidden.value) == f"no case {ka}" and str(missing.value) == "no case TS-20991231-0001"
        (figures,) = statistics(session, Sight(session, branch.engine.versions, get_user(session, "manager_a")))
        assert figures["cases"] == {"running": 1}
        assert statistics(session, Sight(session, branch.engine.versions, get_user(session, "boss_wx"))) == []
    # work of another station is not found; the branch CSC sees it but is no candidate: refused with the rule
    task = branch.task(a, "Task_StationInvestigate")["id"]
    with pytest.raises(NotFound):
        branch.engine.claim(task, user="manager_b")
    with pytest.raises(Forbidden, match="屯溪路加油站"):
        branch.engine.claim(task, user="csc")
    assert branch.task(a, "Task_StationInvestigate")["assignee"] is None
    with pytest.raises(NotFound):
        branch.engine.terminate(str(a), "不是我们的", user="boss_wx")
    branch.engine.terminate(str(a), "重复登记", user="boss_hs")
    assert branch.status(a) == "terminated"


def test_the_branch_steps_go_to_the_branch_of_the_station(branch):
    case = branch.start("petrochina_station", intake(), user="csc", unit="daodao")
    assert branch.task(case, "Task_Classify")["unit"] == "hs"  # { above = "branch" }
    at_root = branch.start("petrochina_station", intake())  # no unit chosen by the system: the root
    assert branch.show(at_root)["unit"] == "root" and branch.task(at_root, "Task_Classify")["unit"] == "root"


def test_starting_needs_a_starter_role_in_the_unit_or_above(branch):
    with pytest.raises(Forbidden, match="芜湖分公司"):
        branch.engine.start("petrochina_station", intake(), user="csc", unit="wx")
    with pytest.raises(NotFound, match="no unit nowhere"):
        branch.engine.start("petrochina_station", intake(), user="csc", unit="nowhere")
    assert branch.engine.start("petrochina_station", intake(), user="csc")["unit"] == "hs"  # the starter's own unit
    with pytest.raises(Forbidden):  # a station manager starts nothing
        branch.engine.start("petrochina_station", intake(), user="manager_a", unit="tunxi")


def test_a_moved_case_changes_who_sees_it_and_who_does_its_open_step(branch):
    case = at_station(branch, "tunxi")
    task = branch.task(case, "Task_StationInvestigate")["id"]
    branch.engine.claim(task, user="manager_a")
    with pytest.raises(Forbidden):  # a station manager may not move it
        branch.engine.move(case, "daodao", "投诉的是另一个站", user="manager_a")
    branch.engine.move(case, "daodao", "客户说的是黄山大道加油站", user="csc")
    moved = branch.task(case, "Task_StationInvestigate")
    assert (moved["unit"], moved["assignee"]) == ("daodao", None)  # back in the pool, for the new station
    assert visible_keys(branch, "manager_a") == set() and key(branch, case) in visible_keys(branch, "manager_b")
    assert work(branch, "manager_b") == [(key(branch, case), "Task_StationInvestigate")]
    kinds = [e["kind"] for e in branch.events(case)]
    assert kinds[-2:] == ["moved", "rerouted"]
    assert branch.events(case, "moved")[0]["details"]["reason"] == "客户说的是黄山大道加油站"
    with branch.engine.db.read() as session:
        told = {n.user for n in session.query(Notification).filter_by(task_id=task, kind="assigned")}
    assert told == {"manager_a", "manager_b"}  # the first opening, then the new station


def test_a_new_step_is_announced_to_the_people_of_its_unit_only(branch):
    case = at_station(branch, "tunxi")
    task = branch.task(case, "Task_StationInvestigate")["id"]
    with branch.engine.db.read() as session:
        told = {n.user for n in session.query(Notification).filter_by(task_id=task)}
    assert told == {"manager_a"}
    branch.advance(hours=2, minutes=1)  # the station's 2-hour deadline passes (第十条)
    branch.engine.sweep_deadlines()
    with branch.engine.db.read() as session:
        late = {(n.user, n.kind) for n in session.query(Notification).filter(Notification.kind != "assigned")}
    assert late and {user for user, _ in late} <= {"manager_a", "csc"}


def test_a_deactivated_user_loses_access_and_their_claimed_work_goes_back(branch):
    branch.user("deputy_a", "petrochina_gas_station", unit="tunxi")
    case = at_station(branch, "tunxi")
    task = branch.task(case, "Task_StationInvestigate")["id"]
    branch.engine.claim(task, user="manager_a")
    result = branch.engine.deactivate_user("manager_a")
    assert result["released"] == [task]
    assert branch.task(case, "Task_StationInvestigate")["assignee"] is None
    with pytest.raises(NotFound):
        branch.engine.claim(task, user="manager_a")
    with branch.engine.db.read() as session:
        told = [n.user for n in session.query(Notification).filter_by(task_id=task, kind="assigned")]
    assert told.count("deputy_a") == 2  # when the step opened, and when it came back to the pool
    assert branch.events(case, "released")[0]["details"]["user"] == "manager_a"


def test_a_change_to_the_organisation_reaches_the_processes_that_hold_it(branch):
    """A process keeps the tree it read; a unit moved by another process routes its next step anew."""
    case = branch.start("petrochina_station", intake(), user="csc", unit="daodao")
    classify = branch.task(case, "Task_Classify")["id"]
    branch.engine.claim(classify, user="csc")  # this process now holds the tree: 黄山大道 under 黄山
    other = Engine(Database(branch.engine.db.url), branch.engine.settings)
    try:
        other.update_unit("daodao", parent="wx", user=None)
    finally:
        other.db.dispose()
    branch.engine.complete(classify, VALID, user="csc")
    assert branch.task(case, "Task_Transmit")["unit"] == "wx"  # the branch it belongs to now
