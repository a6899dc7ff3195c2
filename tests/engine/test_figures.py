"""The figures of a period, walked with the fixed clock and counted by hand: cases opened and closed, closure and
on-time rates, handling times, overdue work, escalations, trends, top categories and units, scoped by unit and by
who looks; drills apart. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from engine.cases.figures import Period, figures, percentile
from engine.cases.sight import Sight
from engine.errors import ValidationFailed
from engine.people.users import get_user
from tests.engine.conftest import GENERAL, MAJOR, MINI
from tests.flow import Flow
from tests.preplans import test_vanke_complaint as vk

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
APPROVED = {"approved": True}
HANDLED = {"result": "已处理"}


def walk(flow: Flow) -> None:
    """Hand-counted: in November, A, B (tunxi, major), C (other, general) and D (vk, major) open; A, B, C and E
    (tunxi, general, opened in October) close. A is approved in time (2 h), B's approval deadline fires and
    escalates it (6 h; the sweep runs a minute late), C takes 1 h, E 575 h, D is still waiting past its deadline, a drill is approved in time,
    and a case started at 00:30 on 1 December belongs to December."""
    flow.deploy(MINI)
    flow.unit("hs", "黄山分公司", kind="branch")
    flow.unit("tunxi", "屯溪路加油站", parent="hs", kind="station")
    flow.unit("other", "另一加油站", parent="hs", kind="station")
    flow.unit("vk", "万科项目", kind="project")
    flow.user("hs_sup", "supervisor", unit="hs")
    flow.user("tunxi_sup", "supervisor", unit="tunxi")
    flow.at("2026-10-30T10:00:00+08:00")
    e = flow.start("mini_complaint", GENERAL, unit="tunxi")
    flow.at("2026-11-23T09:00:00+08:00")
    flow.complete(e, "Task_Handle", HANDLED)
    flow.at("2026-11-23T10:00:00+08:00")
    a = flow.start("mini_complaint", MAJOR, unit="tunxi")
    b = flow.start("mini_complaint", MAJOR, unit="tunxi")
    c = flow.start("mini_complaint", GENERAL, unit="other")
    drill = flow.start("mini_complaint", MAJOR, unit="tunxi", drill=True)
    flow.at("2026-11-23T11:00:00+08:00")
    flow.complete(c, "Task_Handle", HANDLED)
    flow.complete(a, "Task_Approve", APPROVED)
    flow.complete(drill, "Task_Approve", APPROVED)
    flow.at("2026-11-23T12:00:00+08:00")
    flow.complete(a, "Task_Handle", HANDLED)
    flow.complete(drill, "Task_Handle", HANDLED)
    flow.at("2026-11-23T14:01:00+08:00")  # a sweep a minute after the deadline
    flow.fire()
    assert flow.fired(b) == ["Timer_Approve"] and flow.open_steps(b) == ["Task_Escalate"]
    flow.at("2026-11-23T15:00:00+08:00")
    flow.complete(b, "Task_Escalate", APPROVED)
    flow.at("2026-11-23T16:00:00+08:00")
    flow.complete(b, "Task_Handle", HANDLED)
    flow.at("2026-11-24T09:00:00+08:00")
    flow.start("mini_complaint", MAJOR, unit="vk")  # D: approval due 13:00, never done
    flow.at("2026-12-01T00:30:00+08:00")  # no sweep ran since: D's approval is overdue, not yet escalated
    flow.start("mini_complaint", GENERAL, unit="vk")


def look(flow: Flow, user: str | None = None, **options) -> list[dict]:
    with flow.engine.db.read() as session:
        sight = Sight(session, flow.engine.versions, get_user(session, user) if user else None)
        return figures(session, sight, Period(*NOVEMBER, flow.engine.tz), **options)


def test_figures_of_a_month_as_counted_by_hand(flow):
    walk(flow)
    [mini] = look(flow)
    assert {k: mini[k] for k in ("preplan", "from", "to", "drills")} == {
        "preplan": "mini_complaint",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "drills": False,
    }
    assert {k: mini[k] for k in FIGURES} == {
        "opened": 4,
        "closed": 4,
        "terminated": 0,
        "closure_rate": 0.75,
        "on_time": 1,
        "late": 2,
        "on_time_rate": 0.3333,
        "median_hours": 4.0,
        "p90_hours": 404.3,
        "overdue_now": 1,
        "escalations": 1,
    }
    assert mini["by_severity"] == {
        "general": {**ZERO, "opened": 1, "closed": 2, "closure_rate": 1.0, "median_hours": 288.0, "p90_hours": 517.6},
        "major": {
            **ZERO,
            "opened": 3,
            "closed": 2,
            "closure_rate": 0.6667,
            "on_time": 1,
            "late": 2,
            "on_time_rate": 0.3333,
            "median_hours": 4.0,
            "p90_hours": 5.6,
            "overdue_now": 1,
            "escalations": 1,
        },
    }
    assert mini["by_step"] == [
        {
            "bpmn_id": "Task_Approve",
            "name": "领导审批",
            "role": "leader",
            "on_time": 1,
            "late": 2,
            "on_time_rate": 0.3333,
        }
    ]
    assert mini["by_role"] == [{"role": "leader", "on_time": 1, "late": 2, "on_time_rate": 0.3333}]
    weeks = {point["period"]: (point["opened"], point["closed"]) for point in mini["trend"]["week"]}
    assert list(weeks) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    assert weeks["2026-W48"] == (4, 4) and sum(o + c for o, c in weeks.values()) == 8
    assert mini["trend"]["month"] == [{"period": "2026-11", "opened": 4, "closed": 4}]
    assert mini["top_categories"] == [  # mini names no category field: its severity field's values
        {"field": "level", "value": "major", "opened": 3},
        {"field": "level", "value": "general", "opened": 1},
    ]
    assert mini["top_units"] == [
        {"unit": "tunxi", "opened": 2},
        {"unit": "other", "opened": 1},
        {"unit": "vk", "opened": 1},
    ]


def test_a_branch_supervisor_counts_its_stations_and_a_unit_narrows(flow):
    walk(flow)
    [branch] = look(flow, "hs_sup")
    assert (branch["opened"], branch["closed"], branch["overdue_now"], branch["escalations"]) == (3, 4, 0, 1)
    assert [u["unit"] for u in branch["top_units"]] == ["tunxi", "other"]
    [station] = look(flow, "tunxi_sup")
    assert (station["opened"], station["closed"], station["on_time"], station["late"]) == (2, 3, 1, 1)
    [narrowed] = look(flow, units={"vk"})
    assert (narrowed["opened"], narrowed["closed"], narrowed["overdue_now"]) == (1, 0, 1)
    assert look(flow, "tunxi_sup", units={"vk"}) == []


def test_drills_are_counted_only_when_asked_and_then_alone(flow):
    walk(flow)
    [drills] = look(flow, drills=True)
    assert drills["drills"] is True
    assert {k: drills[k] for k in ("opened", "closed", "closure_rate", "on_time", "late", "escalations")} == {
        "opened": 1,
        "closed": 1,
        "closure_rate": 1.0,
        "on_time": 1,
        "late": 0,
        "escalations": 0,
    }
    assert look(flow, preplan="no_such_preplan") == []


def test_top_categories_count_the_field_the_preplan_names(flow):
    """Vanke's figures count what complaints are about (``[case] category = "content_type"``, 3.3), most first."""
    flow.deploy(vk.PREPLAN)
    clerk = flow.user_for("vanke_csc")
    flow.at(vk.MONDAY)
    for content in ("property_management", "engineering_quality", "property_management"):
        flow.start("vanke_complaint", vk.intake(content_type=content), user=clerk)
    (vanke,) = flow.engine.figures(date(2026, 11, 1), date(2026, 11, 30))
    assert vanke["top_categories"] == [
        {"field": "content_type", "value": "property_management", "opened": 2},
        {"field": "content_type", "value": "engineering_quality", "opened": 1},
    ]


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed):
        Period(date(2026, 11, 30), date(2026, 11, 1), ZoneInfo("Asia/Shanghai"))


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([1.0, 2.0, 6.0, 575.0], 0.5) == 4.0


FIGURES = (
    "opened",
    "closed",
    "terminated",
    "closure_rate",
    "on_time",
    "late",
    "on_time_rate",
    "median_hours",
    "p90_hours",
    "overdue_now",
    "escalations",
)
ZERO = {
    "opened": 0,
    "closed": 0,
    "terminated": 0,
    "closure_rate": None,
    "on_time": 0,
    "late": 0,
    "on_time_rate": None,
    "median_hours": None,
    "p90_hours": None,
    "overdue_now": 0,
    "escalations": 0,
}
