"""Deadlines that act: reminders at a share of the time, overdue notices, escalation notices, mail delivery with
retries, drills on their own clock, and calendar overrides. All on the fixed or virtual clock, no sleeping."""

from __future__ import annotations

import shutil
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine import clock
from engine.cases import drills
from engine.cases.sight import Sight
from engine.cases.stats import statistics
from engine.cases.views import find_case
from engine.config import Smtp, load_settings
from engine.errors import Conflict, ValidationFailed
from engine.notify import outbox
from engine.notify.notices import list_notifications
from engine.service import Engine
from engine.store.db import Database
from engine.store.models import Notification, Task
from engine.time.calendar_store import set_day, set_working_hours
from tests.conftest import FIXTURES
from tests.engine.conftest import GENERAL, MAJOR, MINI
from tests.flow import Flow


@pytest.fixture
def mini(mini):
    """The fixture preplan with two leaders (one with an e-mail address) and a clerk."""
    flow = mini
    flow.user("li", "leader", email="li@example.cn")
    flow.user("zhao", "leader")
    flow.user("wang", "clerk", email="wang@example.cn")
    return flow


def notes(flow, kind=None, channel="inbox"):
    with flow.engine.db.read() as session:
        rows = list_notifications(session, flow.engine.tz, channel=channel)
    return sorted((n["to"], n["kind"]) for n in rows if kind is None or n["kind"] == kind)


def test_a_new_task_is_announced_to_every_holder_of_its_role(mini):
    mini.start("mini_complaint", MAJOR)
    assert notes(mini) == [("li", "assigned"), ("zhao", "assigned")]


def test_reminder_at_three_quarters_of_the_time_then_overdue(mini):
    case = mini.start("mini_complaint", MAJOR)  # 领导审批 due 14:00 (4 working hours)
    mini.engine.claim(mini.task(case, "Task_Approve")["id"], user="li")
    mini.at("2026-11-23T12:59:00+08:00")
    assert mini.engine.sweep_deadlines() == 0
    mini.at("2026-11-23T13:00:00+08:00")
    assert mini.engine.sweep_deadlines() == 1 and mini.engine.sweep_deadlines() == 0
    assert notes(mini, "reminder") == [("li", "reminder")]  # the assignee only, once
    subject = next(n["subject"] for n in list_notifications_all(mini) if n["kind"] == "reminder")
    assert subject == "【即将到期】TS-20261123-0001「领导审批」将于 2026-11-23 14:00 到期"


def list_notifications_all(flow):
    with flow.engine.db.read() as session:
        return list_notifications(session, flow.engine.tz)


@pytest.fixture
def notice_only(mini, tmp_path):
    """The fixture with its approval deadline made non-interrupting: the step stays open and becomes overdue."""
    shutil.copytree(MINI, tmp_path / "processes" / "mini_complaint")
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    bpmn = tmp_path / "processes" / "mini_complaint" / "mini_complaint.bpmn"
    bpmn.write_text(
        bpmn.read_text().replace(
            'attachedToRef="Task_Approve">', 'attachedToRef="Task_Approve" cancelActivity="false">'
        )
    )
    assert mini.deploy(bpmn.parent)["version"] == 2
    return mini


def test_overdue_notice_goes_to_the_role_while_unclaimed(notice_only):
    case = notice_only.start("mini_complaint", MAJOR)
    notice_only.at("2026-11-23T14:01:00+08:00")
    assert notice_only.fire() == 1
    assert notice_only.open_steps(case) == ["Task_Approve", "Task_Escalate"]
    assert notice_only.task(case, "Task_Approve")["overdue"] is True
    assert notice_only.engine.sweep_deadlines() == 1  # the reminder point passed with the deadline: overdue only
    assert notes(notice_only, "overdue") == [("li", "overdue"), ("zhao", "overdue")]
    assert notes(notice_only, "reminder") == []
    assert notice_only.engine.sweep_deadlines() == 0


def test_steps_without_a_deadline_get_no_reminder(mini):
    case = mini.start("mini_complaint", GENERAL)  # 处理投诉 has only an hourly reminder timer, no deadline
    mini.complete(case, "Task_Handle", {"result": "已处理"})
    mini.advance(days=3)
    assert notes(mini, "overdue") == [] and notes(mini, "reminder") == []


def test_escalation_tells_the_target_role(mini):
    case = mini.start("mini_complaint", MAJOR)
    mini.at("2026-11-23T14:01:00+08:00")
    assert mini.fire() == 1
    escalated = notes(mini, "escalated")
    assert escalated == [("li", "escalated"), ("zhao", "escalated")]
    subject = next(n["subject"] for n in list_notifications_all(mini) if n["kind"] == "escalated")
    assert subject == "【升级】TS-20261123-0001「超时升级处理」（4 工作小时未审批）"
    assert mini.open_steps(case) == ["Task_Escalate"]
    assert mini.engine.sweep_deadlines() == 0  # the interrupted task is gone: no overdue notice for it


def test_reminder_share_is_configurable(sqlite_url, monkeypatch):
    monkeypatch.setenv("PREPLAN_REMINDER_SHARE", "0.5")
    engine = Engine(Database(sqlite_url), load_settings(sqlite_url))
    flow = Flow(engine)
    flow.deploy(MINI)
    flow.user("li", "leader")
    flow.at("2026-11-23T10:00:00+08:00")
    flow.start("mini_complaint", MAJOR)
    flow.at("2026-11-23T12:00:00+08:00")
    assert engine.sweep_deadlines() == 1
    engine.db.dispose()


class _Inbox:
    def __init__(self, fail_first: int = 0) -> None:
        self.messages, self.fail_first = [], fail_first

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 try again later"
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = _Inbox(fail_first=1)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_mail_is_delivered_by_smtp_and_retried_with_backoff(mini, smtp_server, monkeypatch):
    handler, port = smtp_server
    smtp = Smtp(host="127.0.0.1", port=port, sender="preplan@example.cn", user=None, password=None, starttls=False)
    monkeypatch.setattr(
        mini.engine, "settings", mini.engine.settings.__class__(**{**mini.engine.settings.__dict__, "smtp": smtp})
    )
    mini.start("mini_complaint", MAJOR)
    assert notes(mini, channel="email") == [("li@example.cn", "assigned")]  # zhao has no address: inbox only
    assert mini.engine.deliver_mail() == 0  # the server says "try again later"
    with mini.engine.db.read() as session:
        mail = session.scalar(select(Notification).where(Notification.channel == "email"))
    assert mail.sent_at is None and mail.attempts == 1 and "451" in mail.last_error
    assert mail.next_attempt_at == clock.real_now() + timedelta(seconds=30)
    assert mini.engine.deliver_mail() == 0  # not due again yet
    clock.advance(timedelta(seconds=31))
    assert mini.engine.deliver_mail() == 1
    ((recipients, content),) = handler.messages
    assert recipients == ["li@example.cn"] and "TS-20261123-0001" in content
    assert notes(mini, channel="email") == [("li@example.cn", "assigned")]
    with mini.engine.db.read() as session:
        assert session.scalar(select(Notification.sent_at).where(Notification.channel == "email")) is not None


def test_a_dead_mail_server_never_blocks_the_workflow(mini, monkeypatch):
    smtp = Smtp(host="127.0.0.1", port=_free_port(), sender="x@example.cn", user=None, password=None, starttls=False)
    monkeypatch.setattr(
        mini.engine, "settings", mini.engine.settings.__class__(**{**mini.engine.settings.__dict__, "smtp": smtp})
    )
    case = mini.start("mini_complaint", MAJOR)
    assert mini.engine.deliver_mail() == 0
    mini.complete(case, "Task_Approve", {"approved": True}, user="li")
    assert mini.open_steps(case) == ["Task_Handle"]
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_drill_runs_on_its_own_clock_and_leaves_other_cases_alone(mini):
    real = mini.start("mini_complaint", MAJOR)
    drill = mini.start("mini_complaint", MAJOR, drill=True)
    other_drill = mini.start("mini_complaint", MAJOR, drill=True)
    assert mini.show(drill)["business_key"].startswith("YL-")
    result = mini.engine.advance_drill(drill, to_next_deadline=True)
    assert result == {"case": drill, "now": "2026-11-23T14:00:01+08:00", "fired": 1}
    assert mini.open_steps(drill) == ["Task_Escalate"]
    assert mini.open_steps(real) == ["Task_Approve"] and mini.open_steps(other_drill) == ["Task_Approve"]
    assert mini.fired(real) == [] and mini.fired(other_drill) == []
    assert mini.fire() == 0  # the real sweep finds nothing due: the drill's timer fired in its own time
    assert mini.engine.advance_drill(drill, by="PT2H")["now"] == "2026-11-23T16:00:01+08:00"
    with pytest.raises(Conflict, match="real case"):
        mini.engine.advance_drill(real, by="PT1H")
    with pytest.raises(ValidationFailed):
        mini.engine.advance_drill(drill, by="two hours")


def test_drill_report_marks_on_time_and_late_steps(mini):
    drill = mini.start("mini_complaint", MAJOR, drill=True)
    mini.engine.advance_drill(drill, by="PT3H")  # 13:00, before the 14:00 deadline
    mini.complete(drill, "Task_Approve", {"approved": True}, user="li")
    second = mini.start("mini_complaint", MAJOR, drill=True)
    mini.engine.advance_drill(second, to_next_deadline=True)  # nobody approved: escalated
    with mini.engine.db.read() as session:
        done = drills.report(session, find_case(session, drill), mini.engine.tz)
        missed = drills.report(session, find_case(session, second), mini.engine.tz)
    assert [(s["name"], s["completed_at"], s["on_time"]) for s in done["steps"]] == [
        ("领导审批", "2026-11-23T13:00:00+08:00", True),
        ("处理投诉", None, None),
    ]
    assert done["summary"] == {"steps": 2, "on_time": 1, "late": 0, "open": 1}
    assert [(s["name"], s["status"], s["on_time"]) for s in missed["steps"]] == [
        ("领导审批", "cancelled", False),
        ("超时升级处理", "open", None),
    ]
    assert missed["summary"] == {"steps": 2, "on_time": 0, "late": 1, "open": 1}


def test_calendar_overrides_apply_to_new_deadlines_only(mini):
    before = mini.start("mini_complaint", MAJOR)
    with mini.engine.db.write() as session:
        set_day(session, date(2026, 11, 23), False, "admin", "临时停工")  # today becomes a holiday
    after = mini.start("mini_complaint", MAJOR)
    assert mini.task(before, "Task_Approve")["due_at"] == "2026-11-23T14:00:00+08:00"  # kept
    assert mini.task(after, "Task_Approve")["due_at"] == "2026-11-24T13:00:00+08:00"
    with mini.engine.db.write() as session:
        set_working_hours(session, "08:00-12:00,14:00-18:00", "admin")
    third = mini.start("mini_complaint", MAJOR)
    assert mini.task(third, "Task_Approve")["due_at"] == "2026-11-24T12:00:00+08:00"


def test_a_reminder_tick_that_opens_no_task_notifies_nobody(mini):
    mini.start("mini_complaint", GENERAL)  # 处理投诉 with an hourly non-interrupting reminder timer
    before = notes(mini)
    assert mini.advance(hours=1, minutes=1) == 1
    assert notes(mini) == before


def test_statistics_leave_drills_out(mini):
    mini.start("mini_complaint", MAJOR)
    finished = mini.start("mini_complaint", MAJOR)
    mini.complete(finished, "Task_Approve", {"approved": True}, user="li")  # on time
    drill = mini.start("mini_complaint", MAJOR, drill=True)
    mini.engine.advance_drill(drill, to_next_deadline=True)  # the drill misses its deadline
    mini.at("2026-11-23T15:00:00+08:00")  # the first real case's approval is now overdue
    with mini.engine.db.read() as session:
        everything = Sight(session, mini.engine.versions, None)
        (real,) = statistics(session, everything)
        (rehearsed,) = statistics(session, everything, drills=True)
    assert real["cases"] == {"running": 2} and real["open_tasks"] == 2 and real["overdue_tasks"] == 1
    assert (real["deadlines_met"], real["deadlines_missed"]) == (1, 0)
    assert rehearsed["cases"] == {"running": 1} and rehearsed["deadlines_missed"] == 1


def test_statistics_and_figures_judge_a_deadline_by_one_rule(mini):
    """A step taken away by its interrupting deadline at that very instant missed it, in the statistics as in the
    figures; one completed at the instant kept it."""
    kept = mini.start("mini_complaint", MAJOR)
    mini.at("2026-11-23T14:00:00+08:00")  # Task_Approve is due at 14:00
    mini.complete(kept, "Task_Approve", {"approved": True}, user="li")
    mini.at("2026-11-23T10:00:00+08:00")
    cut = mini.start("mini_complaint", MAJOR)
    mini.at("2026-11-23T14:00:01+08:00")
    mini.fire()  # the deadline takes the approval away
    with mini.engine.db.write() as session:  # as if the sweep had fired at the deadline's own instant
        task = session.scalar(select(Task).where(Task.case_id == cut, Task.bpmn_id == "Task_Approve"))
        assert task.status == "cancelled"
        task.completed_at = task.due_at
    with mini.engine.db.read() as session:
        (stats,) = statistics(session, Sight(session, mini.engine.versions, None))
    assert (stats["deadlines_met"], stats["deadlines_missed"]) == (1, 1)
    figures = mini.engine.report("mini_complaint", date(2026, 11, 23), date(2026, 11, 23))
    assert (figures["on_time"], figures["late"]) == (1, 1)
