"""The working calendar past its official schedule (chinesecalendar covers up to 2026): deadlines that reach into
2027 are counted on the provisional calendar the holiday law gives, marked provisional, recounted (and the people
concerned told) when the official schedule is entered, and admins are warned before the schedule runs out.
Every scenario runs on SQLite and PostgreSQL with a fixed clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.notify.notices import list_notifications
from engine.store.models import Setting
from engine.time.calendar_store import import_notice, set_day
from tests.engine.conftest import MAJOR
from tests.preplans.test_service_centre_major import INTAKE, PREPLAN, until_tracking

NEW_YEARS_EVE = "2026-12-31T16:00:00+08:00"  # 4 working hours from here reach into 2027


@pytest.fixture
def leaders(mini):
    mini.user("li", "leader")
    mini.user("root", "admin")
    return mini


def approval(flow, case) -> dict:
    return flow.task(case, "Task_Approve")


def inbox(flow, kind: str) -> list[dict]:
    with flow.engine.db.read() as session:
        return [n for n in list_notifications(session, flow.engine.tz, channel="inbox") if n["kind"] == kind]


def test_a_deadline_past_the_official_schedule_is_counted_on_the_holiday_law_and_marked_provisional(leaders):
    leaders.at(NEW_YEARS_EVE)
    case = leaders.start("mini_complaint", MAJOR)
    # 2 h on 31 Dec; 1 Jan 2027 is 元旦 by law and 2-3 Jan a weekend: 2 h more on Monday 4 Jan.
    assert approval(leaders, case)["due_at"] == "2027-01-04T11:00:00+08:00"
    assert approval(leaders, case)["due_provisional"] is True
    assert leaders.show(case)["timers"][0]["provisional"] is True
    leaders.at("2026-11-23T10:00:00+08:00")
    inside = leaders.start("mini_complaint", MAJOR)
    assert approval(leaders, inside)["due_provisional"] is False


def test_entering_the_official_schedule_recounts_the_deadline_audits_it_and_tells_the_assignee(leaders):
    leaders.at(NEW_YEARS_EVE)
    case = leaders.start("mini_complaint", MAJOR)
    leaders.engine.claim(approval(leaders, case)["id"], user="li")
    with leaders.engine.db.write() as session:
        result = import_notice(session, "一、元旦：1月1日（周五）至4日（周一）放假，共4天。", "root", 2027)
    assert result == {"year": 2027, "days_off": 4, "workdays": 0}
    moved = leaders.engine.recount_deadlines("root", "2027 schedule imported")
    assert moved == [
        {
            "case": case,
            "moved": [
                {
                    "bpmn_id": "Timer_Approve",
                    "name": "4 工作小时未审批",
                    "before": "2027-01-04T11:00:00+08:00",
                    "after": "2027-01-05T11:00:00+08:00",
                }
            ],
        }
    ]
    task = approval(leaders, case)
    assert task["due_at"] == "2027-01-05T11:00:00+08:00" and task["due_provisional"] is False
    (event,) = leaders.events(case, "deadline_moved")
    assert event["actor"] == "root" and event["details"]["reason"] == "2027 schedule imported"
    (notice,) = inbox(leaders, "deadline_moved")
    assert notice["user"] == "li" and "2027-01-04 11:00 → 2027-01-05 11:00" in notice["subject"]
    assert leaders.engine.recount_deadlines("root", "again") == [], "nothing is provisional any more"


def test_a_deadline_recounted_into_the_past_fires_at_once(leaders):
    leaders.at(NEW_YEARS_EVE)
    case = leaders.start("mini_complaint", MAJOR)
    leaders.at("2027-01-04T10:00:00+08:00")  # before the provisional deadline of 11:00
    with leaders.engine.db.write() as session:
        set_day(session, date(2027, 1, 2), True, "root", "元旦调休上班")  # the Saturday becomes a workday
    leaders.engine.recount_deadlines("root", "calendar: 2027-01-02 set")
    assert leaders.fired(case) == ["Timer_Approve"]  # now due 2 Jan 11:00, already past
    assert "Task_Escalate" in leaders.open_steps(case)


def test_a_periodic_follow_up_reaching_into_2027_keeps_the_case_running(flow):
    """service_centre_major used to stop with an error at 定期：间隔期满 once its interval reached 2027."""
    flow.ready(PREPLAN, "2026-12-28T10:00:00+08:00")
    case = flow.start("service_centre_major", INTAKE)
    until_tracking(flow, case)
    flow.at("2026-12-30T15:00:00+08:00")
    flow.complete(case, "Task_FollowUp", {"progress": "线路待更换", "resolved": False, "follow_up_interval_days": 2})
    (timer,) = [t for t in flow.show(case)["timers"] if t["bpmn_id"] == "Timer_NextFollowUp"]
    assert timer == {**timer, "due_at": "2027-01-04T15:00:00+08:00", "provisional": True}
    flow.at("2027-01-04T15:01:00+08:00")
    assert flow.fire() == 1
    assert flow.status(case) == "running" and "Task_FollowUp" in flow.open_steps(case)


def test_admins_are_warned_once_from_sixty_days_before_the_schedule_ends(leaders):
    leaders.at("2026-10-01T09:00:00+08:00")
    assert leaders.engine.warn_admins() == 0
    leaders.at("2026-12-05T09:00:00+08:00")
    assert leaders.engine.warn_admins() == 1
    (warning,) = inbox(leaders, "calendar")
    assert warning["user"] == "root" and "2026-12-31" in warning["subject"] and "2027" in warning["subject"]
    assert leaders.engine.warn_admins() == 0, "once per year, not at every sweep"
    with leaders.engine.db.write() as session:
        import_notice(session, "2027-01-01 放假 元旦", "root", 2027)
    assert leaders.engine.warn_admins() == 0, "2027 is entered: the schedule now runs to 2027-12-31"


def test_a_newer_chinesecalendar_is_noticed_once(leaders):
    assert leaders.engine.follow_package() == []
    with leaders.engine.db.read() as session:
        assert session.scalar(select(Setting.value).where(Setting.key == "calendar_package_year")) == "2026"
    assert leaders.engine.follow_package() == []
