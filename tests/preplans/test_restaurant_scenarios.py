"""Scenarios for the restaurant_scenarios preplan (顧客投訴處理辦法, source 003 lines 198-354).

One case per situation the server meets: the start form names which of the 20 scenarios it is, the diagram routes
to that scenario's steps, and every case ends in the cashier lane, where compensation.dmn says whether the bill
changes. Every scenario runs on SQLite and PostgreSQL (the ``flow`` fixture) with a fixed clock. The source states
no deadlines, so there are no timers. Step ids are the BPMN ids of processes/restaurant_scenarios.
"""

from __future__ import annotations

import json

import pytest

from engine.errors import Forbidden
from engine.preplans.decisions import decide
from tests.conftest import ROOT

PREPLAN = ROOT / "processes" / "restaurant_scenarios"
FORMS = ROOT / "forms" / "restaurant_scenarios"
LUNCH = "2026-11-23T12:00:00+08:00"  # a Monday


def start(flow, scenario: str, **changes) -> int:
    data = {"scenario": scenario, "table": "8号桌", "summary": "客人反映情况"}
    data.update(changes)
    return flow.start("restaurant_scenarios", data)


@pytest.fixture
def restaurant(flow):
    return flow.ready(PREPLAN, LUNCH)


def run(flow, scenario: str, steps: list[tuple[str, dict]]) -> int:
    """Start a case for ``scenario`` and complete ``steps`` in order; each must be the only open step."""
    case = start(flow, scenario)
    for step, data in steps:
        assert flow.open_steps(case) == [step], (scenario, step)
        flow.complete(case, step, data)
    return case


def settle(flow, case: int) -> None:
    assert flow.open_steps(case) == ["Task_Settle"]
    assert flow.task(case, "Task_Settle")["role"] == "restaurant_cashier"
    flow.complete(case, "Task_Settle", {"bill_adjustment": "按处理结果调整"})


# -- the decision tables on their own ----------------------------------------------------------------------------
QUALITY = [  # (raised_at, issue, confirmed, regular_guest) -> remedy (rule 14)
    (("meal", "fixable", True, False), "recook"),  # a) 口味偏淡、成熟度不够
    (("meal", "fixable", False, True), "recook"),
    (("meal", "spoiled", True, False), "replace"),  # b) 原料变质
    (("meal", "serious_error", False, False), "replace"),  # b) 烹饪的严重失误
    (("checkout", "fixable", True, True), "discount"),  # c) 结账时提出，属实，主顾
    (("checkout", "spoiled", True, True), "discount"),
    (("checkout", "spoiled", False, True), "none"),  # not true: the source gives nothing
    (("checkout", "fixable", True, False), "none"),  # not a regular guest
]


def test_quality_remedy_follows_rule_14(restaurant):
    with restaurant.engine.db.read() as session:
        for (raised_at, issue, confirmed, regular), expected in QUALITY:
            facts = {"raised_at": raised_at, "issue": issue, "confirmed": confirmed, "regular_guest": regular}
            assert decide(session, restaurant.engine.settings, "restaurant_scenarios/quality_remedy", facts) == {
                "quality_remedy": expected
            }, facts


NOTHING = {
    "scenario": "",
    "gift": "none",
    "property_damaged": False,
    "guest_started": False,
    "guest_buys": False,
    "cleaning_accepted": False,
    "quality_remedy": "none",
    "returning_guest": False,
    "extra_agreed": False,
}

COMPENSATION = [  # (scenario and facts, compensation, bill changes)
    ({"scenario": "double_booking", "gift": "dish"}, "free_gift", True),
    ({"scenario": "double_booking", "gift": "fruit_plate"}, "free_gift", True),
    ({"scenario": "double_booking"}, "none", False),  # "可" 赠送: nothing given
    ({"scenario": "drunk_guest", "property_damaged": True}, "damage_compensation", True),
    ({"scenario": "drunk_guest"}, "none", False),
    ({"scenario": "broken_tableware"}, "breakage_compensation", True),
    ({"scenario": "wrong_dish", "guest_started": True}, "complimentary_dish", True),
    ({"scenario": "wrong_dish", "guest_started": True, "guest_buys": True}, "wrong_dish_bought", True),
    ({"scenario": "wrong_dish"}, "none", False),  # not touched: taken back, the ordered dish served
    ({"scenario": "soiled_clothes", "cleaning_accepted": True}, "free_dry_cleaning", False),
    ({"scenario": "dish_quality", "quality_remedy": "replace"}, "replacement_dish", True),
    ({"scenario": "dish_quality", "quality_remedy": "discount"}, "quality_discount", True),
    ({"scenario": "dish_quality", "quality_remedy": "recook"}, "none", False),
    ({"scenario": "bill_dispute", "returning_guest": True}, "returning_guest_discount", True),
    ({"scenario": "bill_dispute"}, "none", False),
    ({"scenario": "extra_dishes", "extra_agreed": True}, "extra_dishes_charged", True),
    ({"scenario": "extra_dishes"}, "none", False),
    # a fact of another scenario never counts
    ({"scenario": "visitor", "returning_guest": True, "property_damaged": True}, "none", False),
]


def test_compensation_table_gives_each_scenarios_outcome(restaurant):
    with restaurant.engine.db.read() as session:
        for facts, compensation, adjust in COMPENSATION:
            result = decide(
                session, restaurant.engine.settings, "restaurant_scenarios/compensation", {**NOTHING, **facts}
            )
            assert result == {"compensation": compensation, "adjust_bill": adjust}, facts


# -- cases: every scenario and every branch ------------------------------------------------------------------------
SERVER_ALONE = [  # (scenario, steps, compensation) — the upper trunk: the server handles it alone
    ("young_children", [("Task_Children_Care", {"child_seat": True, "parents_consent": True})], "none"),
    (
        "broken_tableware",
        [("Task_Breakage", {"broken_items": "骨碟一只", "breakage_fee": 20})],
        "breakage_compensation",
    ),
    ("late_diners", [("Task_LateDiners", {})], "none"),
    ("unpaid_leaving", [("Task_Unpaid_Guide", {"guest_cooperates": True})], "none"),
    (
        "unpaid_leaving",
        [("Task_Unpaid_Guide", {"guest_cooperates": False}), ("Task_Unpaid_Aside", {"paid": True})],
        "none",
    ),
    (
        "off_menu_dish",
        [("Task_OffMenu_Ask", {"dish_requested": "松鼠鳜鱼", "kitchen_can_make": True}), ("Task_OffMenu_Serve", {})],
        "none",
    ),
    (
        "off_menu_dish",
        [
            ("Task_OffMenu_Ask", {"dish_requested": "佛跳墙", "kitchen_can_make": False}),
            ("Task_OffMenu_Explain", {"handling_note": "客人预订明天品尝"}),
        ],
        "none",
    ),
    ("toast_offered", [("Task_Toast_Decline", {"hard_to_refuse": False})], "none"),
    ("toast_offered", [("Task_Toast_Decline", {"hard_to_refuse": True}), ("Task_Toast_Accept", {})], "none"),
    (
        "not_as_ordered",
        [
            ("Task_NotAsOrdered_Listen", {"guest_expectation": "微辣", "cause": "server_misheard"}),
            ("Task_NotAsOrdered_Remake", {}),
        ],
        "none",
    ),
    (
        "not_as_ordered",
        [
            ("Task_NotAsOrdered_Listen", {"guest_expectation": "以为是清蒸", "cause": "guest_unclear"}),
            ("Task_NotAsOrdered_Explain", {}),
        ],
        "none",
    ),
    (
        "religious_guest",
        [("Task_Religious_Ask", {"organiser": "王经理", "organiser_agrees": True}), ("Task_Religious_Arrange", {})],
        "none",
    ),
    ("religious_guest", [("Task_Religious_Ask", {"organiser": "王经理", "organiser_agrees": False})], "none"),
    (
        "extra_dishes",
        [("Task_Extra_Recommend", {"extra_agreed": True}), ("Task_Extra_Order", {})],
        "extra_dishes_charged",
    ),
    ("extra_dishes", [("Task_Extra_Recommend", {"extra_agreed": False})], "none"),
    ("two_tables", [("Task_TwoTables", {})], "none"),
    (
        "visitor",
        [
            ("Task_Visitor_Register", {"visitor_name": "李先生", "visitor_unit": "某公司"}),
            ("Task_Visitor_AskGuest", {"will_meet": True}),
            ("Task_Visitor_Lead", {}),
        ],
        "none",
    ),
    (
        "visitor",
        [
            ("Task_Visitor_Register", {"visitor_name": "李先生"}),
            ("Task_Visitor_AskGuest", {"will_meet": False}),
            ("Task_Visitor_Decline", {}),
        ],
        "none",
    ),
]

WITH_OTHERS = [  # the lower trunk: a captain / supervisor, a manager or security take part
    (
        "double_booking",
        [
            ("Task_Booking_Arrange", {"first_party": "张先生", "later_party": "李女士", "alternative_hall": "牡丹厅"}),
            ("Task_Booking_Gift", {"gift": "fruit_plate"}),
        ],
        "free_gift",
    ),
    (
        "double_booking",
        [
            ("Task_Booking_Arrange", {"first_party": "张先生", "later_party": "李女士"}),
            ("Task_Booking_Gift", {"gift": "none"}),
        ],
        "none",
    ),
    ("drunk_guest", [("Task_Drunk_Check", {"is_drunk": False})], "none"),
    (
        "drunk_guest",
        [
            ("Task_Drunk_Check", {"is_drunk": True}),
            ("Task_Drunk_Care", {"needs_escort": True, "property_damaged": True, "damage_claim": "打碎酒杯两只"}),
            ("Task_Drunk_Escort", {"escorted_by": "保安小陈"}),
            ("Task_Drunk_Diary", {"diary_entry": "醉酒客人由保安陪同离开，同桌朋友赔偿酒杯"}),
        ],
        "damage_compensation",
    ),
    (
        "drunk_guest",
        [
            ("Task_Drunk_Check", {"is_drunk": True}),
            ("Task_Drunk_Care", {"vomiting_cleaned": True}),
            ("Task_Drunk_Diary", {"diary_entry": "已醒酒，朋友陪同离开"}),
        ],
        "none",
    ),
    ("power_cut", [("Task_PowerCut_Light", {"strongly_dissatisfied": False})], "none"),
    (
        "power_cut",
        [
            ("Task_PowerCut_Light", {"lighting": "candles", "strongly_dissatisfied": True}),
            ("Task_PowerCut_Resolve", {"resolution": "赠送甜品并致歉"}),
        ],
        "none",
    ),
    ("in_a_hurry", [("Task_Hurry_Recommend", {"chef_contact": "self"}), ("Task_Hurry_Kitchen", {})], "none"),
    ("in_a_hurry", [("Task_Hurry_Recommend", {"chef_contact": "captain"}), ("Task_Hurry_Captain", {})], "none"),
    ("wrong_dish", [("Task_WrongDish_Check", {"guest_started": False}), ("Task_WrongDish_Replace", {})], "none"),
    (
        "wrong_dish",
        [("Task_WrongDish_Check", {"guest_started": True}), ("Task_WrongDish_Persuade", {"guest_buys": True})],
        "wrong_dish_bought",
    ),
    (
        "wrong_dish",
        [
            ("Task_WrongDish_Check", {"guest_started": True}),
            ("Task_WrongDish_Persuade", {"guest_buys": False}),
            ("Task_WrongDish_Complimentary", {"approved_by": "赵主管"}),
        ],
        "complimentary_dish",
    ),
    ("soiled_clothes", [("Task_Soiled_Apologize", {}), ("Task_Soiled_Report", {"leader_apology": False})], "none"),
    (
        "soiled_clothes",
        [
            ("Task_Soiled_Apologize", {"female_guest": True, "cleaning_accepted": True, "return_address": "和平路1号"}),
            ("Task_Soiled_Report", {"leader_apology": True}),
            ("Task_Soiled_LeaderApology", {"leader": "孙经理"}),
            ("Task_Soiled_DryClean", {"returned": True}),
        ],
        "free_dry_cleaning",
    ),
    ("sold_out", [("Task_SoldOut_Explain", {"repeated_sold_out": False})], "none"),
    (
        "sold_out",
        [
            ("Task_SoldOut_Explain", {"repeated_sold_out": True}),
            ("Task_SoldOut_Supervisor", {"measures": "主管致歉并推荐招牌菜"}),
        ],
        "none",
    ),
    (
        "dish_quality",
        [("Task_Quality_Check", {"raised_at": "meal", "issue": "fixable"}), ("Task_Quality_Recook", {})],
        "none",
    ),
    (
        "dish_quality",
        [
            ("Task_Quality_Check", {"raised_at": "meal", "issue": "spoiled"}),
            ("Task_Quality_ManagerApology", {}),
            ("Task_Quality_Replace", {"replacement_dish": "清蒸鲈鱼", "extra_dish": "水果拼盘"}),
        ],
        "replacement_dish",
    ),
    (
        "dish_quality",
        [
            ("Task_Quality_Check", {"raised_at": "checkout", "confirmed": True, "regular_guest": True}),
            ("Task_Quality_Discount", {"discount_rate": "90"}),
        ],
        "quality_discount",
    ),
    (
        "dish_quality",
        [("Task_Quality_Check", {"raised_at": "checkout", "confirmed": True, "regular_guest": False})],
        "none",
    ),
    (
        "bill_dispute",
        [("Task_Bill_Check", {"returning_guest": True}), ("Task_Bill_Preferential", {"preferential": "免收茶位费"})],
        "returning_guest_discount",
    ),
    ("bill_dispute", [("Task_Bill_Check", {"returning_guest": False})], "none"),
]


def complete_case(flow, scenario, steps, compensation):
    case = run(flow, scenario, steps)
    data = flow.data(case)
    assert data["compensation"] == compensation, (scenario, steps)
    if data["adjust_bill"]:
        settle(flow, case)
    assert flow.status(case) == "completed", (scenario, flow.open_steps(case))
    return case


def test_scenarios_the_server_handles_alone(restaurant):
    for scenario, steps, compensation in SERVER_ALONE:
        case = complete_case(restaurant, scenario, steps, compensation)
        actors = {e["actor"] for e in restaurant.events(case, "task_completed")}
        assert actors <= {"restaurant_server_user", "restaurant_cashier_user"}, (scenario, actors)


def test_scenarios_with_captain_manager_or_security(restaurant):
    for scenario, steps, compensation in WITH_OTHERS:
        complete_case(restaurant, scenario, steps, compensation)


def test_every_scenario_is_covered():
    covered = {scenario for scenario, _steps, _c in SERVER_ALONE + WITH_OTHERS}
    options = json.loads((FORMS / "report.schema.json").read_text(encoding="utf-8"))["properties"]["scenario"]["oneOf"]
    assert covered == {o["const"] for o in options} and len(covered) == 20


# -- who does what -----------------------------------------------------------------------------------------------
ROLES = [  # (scenario, steps before, step, role)
    ("double_booking", [], "Task_Booking_Arrange", "restaurant_captain"),
    (
        "drunk_guest",
        [("Task_Drunk_Check", {"is_drunk": True}), ("Task_Drunk_Care", {"needs_escort": True})],
        "Task_Drunk_Escort",
        "restaurant_security",
    ),
    (
        "power_cut",
        [("Task_PowerCut_Light", {"strongly_dissatisfied": True})],
        "Task_PowerCut_Resolve",
        "restaurant_captain",
    ),
    (
        "soiled_clothes",
        [("Task_Soiled_Apologize", {}), ("Task_Soiled_Report", {"leader_apology": True})],
        "Task_Soiled_LeaderApology",
        "restaurant_manager",
    ),
    (
        "dish_quality",
        [("Task_Quality_Check", {"raised_at": "meal", "issue": "serious_error"})],
        "Task_Quality_ManagerApology",
        "restaurant_manager",
    ),
    ("bill_dispute", [("Task_Bill_Check", {"returning_guest": True})], "Task_Bill_Preferential", "restaurant_captain"),
    ("visitor", [], "Task_Visitor_Register", "restaurant_server"),
]


def test_each_step_belongs_to_the_role_the_source_names(restaurant):
    for scenario, before, step, role in ROLES:
        case = run(restaurant, scenario, before)
        assert restaurant.task(case, step)["role"] == role, step


def test_who_may_register_a_situation_and_the_case_title(restaurant):
    captain = restaurant.user("领班老周", "restaurant_captain")
    cashier = restaurant.user("收银小吴", "restaurant_cashier")
    case = restaurant.start(
        "restaurant_scenarios",
        {"scenario": "double_booking", "table": "牡丹厅", "summary": "两家同订周六晚宴"},
        user=captain,
    )
    assert restaurant.show(case)["title"] == "牡丹厅：两家同订周六晚宴"
    with pytest.raises(Forbidden):
        restaurant.start(
            "restaurant_scenarios", {"scenario": "visitor", "table": "3号桌", "summary": "来人找客"}, user=cashier
        )


def test_the_cashier_sees_what_to_put_on_the_bill(restaurant):
    case = run(
        restaurant,
        "dish_quality",
        [
            ("Task_Quality_Check", {"raised_at": "checkout", "confirmed": True, "regular_guest": True}),
            ("Task_Quality_Discount", {"discount_rate": "95"}),
        ],
    )
    data = restaurant.data(case)
    assert (data["quality_remedy"], data["compensation"], data["discount_rate"]) == (
        "discount",
        "quality_discount",
        "95",
    )
    assert restaurant.open_steps(case) == ["Task_Settle"]
    restaurant.complete(case, "Task_Settle", {"bill_adjustment": "菜价九五折", "amount": -12.5})
    assert restaurant.status(case) == "completed"
