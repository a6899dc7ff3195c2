"""The periodic duties (issue 17, item 2) on SQLite and PostgreSQL with a fixed clock through October 2026: National
Day 10-01..10-07 off, Saturday 10-10 a make-up working day (chinesecalendar), working hours 09:00-18:00
Asia/Shanghai. Each duty starts on its calendar date with its report compiled from the complaints walked before it,
opens a task for its role in its unit, is stored, versioned, mailed and read only by those who may; periods missed
while nothing ran start once each, and two sweeps at once start each period once."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.cli import main
from engine.config import Smtp
from engine.errors import Conflict, Forbidden, NotFound
from engine.service import Engine
from engine.store.db import Database
from engine.store.models import DutyReport, Notification
from tests.engine.test_ledgers import complaint, petrochina_stations
from tests.preplans import test_vanke_complaint as vk

DEPLOYED = "2026-09-28T10:00:00+08:00"  # a Monday
NAMES = {"direct_person": "张三", "station_manager_name": "李经理", "area_manager_name": "王片区"}


def both(flow):
    """Vanke (its CSC is the company's: the root, a unit of kind company) and PetroChina (branch hs) deployed on
    2026-09-28."""
    flow.at(DEPLOYED)
    flow.deploy(vk.PREPLAN)
    flow.unit("vanke_engineering", "工程管理部", kind="department")
    petrochina_stations(flow)
    return flow


def started(flow) -> dict[tuple[str, str], dict]:
    return {(r["kind"], r["period"]): r for r in flow.engine.duty_reports()}


def sweep_days(flow, first: date, last: date) -> dict[tuple[str, str], str]:
    """Sweep just before and just after the opening of every day: which day each period started on."""
    seen: dict[tuple[str, str], str] = {}
    day = first
    while day <= last:
        for moment in ("08:59:00", "09:01:00"):
            flow.at(f"{day.isoformat()}T{moment}+08:00")
            for report in flow.engine.run_duties():
                key = (report["kind"], report["period"])
                assert key not in seen, key
                seen[key] = f"{day.isoformat()} {moment[:5]}"
        day += timedelta(days=1)
    return seen


def test_each_duty_starts_on_its_calendar_date_through_october_2026(flow):
    both(flow)
    seen = sweep_days(flow, date(2026, 9, 28), date(2026, 11, 6))
    daily = {period: when for (kind, period), when in seen.items() if kind == "daily_report"}
    assert list(daily.items())[:8] == [
        ("2026-09-28", "2026-09-29 09:01"),
        ("2026-09-29", "2026-09-30 09:01"),
        ("2026-09-30", "2026-10-08 09:01"),  # National Day: nothing opens 10-01..10-07
        ("2026-10-08", "2026-10-09 09:01"),  # covers the holiday and 10-08
        ("2026-10-09", "2026-10-10 09:01"),  # Saturday 10-10 is a make-up working day
        ("2026-10-10", "2026-10-12 09:01"),
        ("2026-10-12", "2026-10-13 09:01"),
        ("2026-10-13", "2026-10-14 09:01"),
    ]
    assert "2026-10-17" not in daily and "2026-10-05" not in daily  # days off have no report of their own
    others = {key: when for key, when in seen.items() if key[0] != "daily_report"}
    assert others == {
        ("month_report", "2026-09"): "2026-10-08 09:01",
        ("specialist_appraisal", "2026-Q3"): "2026-10-08 09:01",
        ("quarter_analysis", "2026-Q3"): "2026-10-08 09:01",
        ("monthly_appraisal", "2026-09"): "2026-10-08 09:01",
        ("half_month_report", "2026-10-H1"): "2026-10-16 09:01",
        ("month_report", "2026-10"): "2026-11-02 09:01",
        ("monthly_appraisal", "2026-10"): "2026-11-02 09:01",
    }
    due = {key: r["due_at"] for key, r in started(flow).items()}
    assert due[("daily_report", "2026-09-30")] == "2026-10-08T18:00:00+08:00"
    assert due[("daily_report", "2026-10-09")] == "2026-10-10T18:00:00+08:00"
    assert due[("half_month_report", "2026-10-H1")] == "2026-10-16T18:00:00+08:00"  # 17th/18th are a weekend
    # Before the 3rd: 10-01/10-02 are holidays, so September's report is due on the first working day after them.
    assert due[("month_report", "2026-09")] == "2026-10-08T18:00:00+08:00"
    assert due[("month_report", "2026-10")] == "2026-11-02T18:00:00+08:00"
    assert due[("specialist_appraisal", "2026-Q3")] == "2026-10-20T18:00:00+08:00"  # 10 working days
    assert due[("monthly_appraisal", "2026-09")] == "2026-10-13T18:00:00+08:00"  # 5 working days
    assert due[("monthly_appraisal", "2026-10")] == "2026-11-06T18:00:00+08:00"


def test_a_report_is_compiled_from_the_periods_complaints_and_opens_for_the_csc(flow):
    both(flow)
    flow.at("2026-10-08T08:00:00+08:00")
    flow.engine.run_duties()  # the periods that opened up to now (09-28..09-30's reports)
    on_time = vk.start(flow, "2026-10-12T10:00:00+08:00")
    flow.at("2026-10-12T10:20:00+08:00")
    flow.complete(on_time, "Task_Dispatch", vk.DISPATCH)  # due 10:30
    late = vk.start(flow, "2026-10-12T11:00:00+08:00")
    flow.at("2026-10-12T12:00:00+08:00")
    flow.complete(late, "Task_Dispatch", vk.DISPATCH)  # due 11:30: late
    flow.at("2026-10-12T15:00:00+08:00")
    flow.start("vanke_complaint", vk.intake(received_at="2026-10-12T15:00:00+08:00"), drill=True)  # never counts
    flow.at("2026-10-13T09:30:00+08:00")
    flow.engine.run_duties()
    report = flow.engine.duty_report(started(flow)[("daily_report", "2026-10-12")]["id"])
    figures = report["figures"]
    # Monday's report covers the Sunday before it too
    assert (figures["from"], figures["to"], figures["opened"]) == ("2026-10-11", "2026-10-12", 2)
    (dispatch,) = [s for s in figures["by_step"] if s["bpmn_id"] == "Task_Dispatch"]
    assert (dispatch["on_time"], dispatch["late"]) == (1, 1)
    assert (report["status"], report["version"], report["unit"]) == ("open", 1, "root")

    (task,) = flow.open_tasks(report["case"])
    assert (task["bpmn_id"], task["role"], task["unit"]) == ("Task_DailyReport", "vanke_csc", "root")
    assert task["due_at"] == "2026-10-13T18:00:00+08:00"
    assert flow.data(report["case"])["report"]["opened"] == 2
    page = flow.page(flow.user_for("vanke_csc"), f"/tasks/{task['id']}")
    assert "投诉日报（2026-10-12，2026-10-11 至 2026-10-12）已按本期案件汇总：受理 2 件，办结 0 件，结案率 0.0%" in page
    assert "有时限的步骤按时完成 1 个" in page and f'href="/reports/{report["id"]}"' in page
    # A duty's case is no complaint: the figures of 09-28..10-13 count the two real complaints only.
    assert flow.engine.report("vanke_complaint", date(2026, 9, 28), date(2026, 10, 13))["opened"] == 2


def test_petrochina_monthly_appraisal_goes_to_the_branch_csc_with_the_months_points_and_fines(flow):
    both(flow)
    flow.at("2026-10-08T08:00:00+08:00")
    flow.engine.run_duties()
    complaint(flow, "tunxi", "2026-10-12T10:00:00+08:00", NAMES)  # 三级: 800 元, −5 for 北片区
    flow.at("2026-11-02T09:30:00+08:00")
    flow.engine.run_duties()
    report = flow.engine.duty_report(started(flow)[("monthly_appraisal", "2026-10")]["id"])
    totals = report["figures"]["totals"]
    assert (totals["valid_complaints"]["value"], totals["points"]["value"], totals["fines_yuan"]["value"]) == (
        1,
        5,
        800,
    )
    assert [(a["unit"], a["points"]["value"]) for a in report["figures"]["areas"]] == [("north", 5)]
    (task,) = flow.open_tasks(report["case"])
    assert (task["bpmn_id"], task["role"], task["unit"]) == ("Task_MonthlyAppraisal", "petrochina_csc", "hs")
    assert task["due_at"] == "2026-11-06T18:00:00+08:00"
    page = flow.page(flow.user_for("petrochina_csc", "hs"), f"/tasks/{task['id']}")
    assert "本月有效投诉 1 件，扣罚片区考核分值 5 分，罚款 800 元" in page
    # the appraisal's case does not count in the ledger it reports
    assert flow.engine.ledger("petrochina_station", 2026, 10)["totals"]["valid_complaints"]["value"] == 1


def test_a_submitted_report_is_stored_mailed_and_versioned(flow, monkeypatch):
    both(flow)
    smtp = Smtp(host="127.0.0.1", port=2525, sender="preplan@example.cn", user=None, password=None, starttls=False)
    monkeypatch.setattr(flow.engine, "settings", dataclasses.replace(flow.engine.settings, smtp=smtp))
    leader = flow.user("leader_zhao", "vanke_leader", email="zhao@example.cn")
    flow.at("2026-10-08T09:30:00+08:00")
    flow.engine.run_duties()
    report = started(flow)[("month_report", "2026-09")]
    case = flow.engine.duty_report(report["id"])["case"]
    flow.at("2026-10-08T17:00:00+08:00")
    csc = flow.user_for("vanke_csc")
    flow.complete(case, "Task_MonthReport", {"comments": "九月无重要投诉"}, user=csc)
    stored = flow.engine.duty_report(report["id"])
    assert (stored["status"], stored["comments"], stored["submitted_by"]) == ("submitted", "九月无重要投诉", csc)
    assert stored["submitted_at"] == "2026-10-08T17:00:00+08:00"
    assert flow.status(case) == "completed"
    with flow.engine.db.read() as session:
        mailed = session.execute(
            select(Notification.channel, Notification.user, Notification.address, Notification.subject)
            .where(Notification.kind == "report")
            .order_by(Notification.channel)
        ).all()
    subject = f"【报告】投诉月报（2026-09）已由 {csc} 提交"
    assert mailed == [("email", leader, "zhao@example.cn", subject), ("inbox", leader, None, subject)]

    supervisor = flow.user("sup", "supervisor")
    with pytest.raises(Forbidden):
        flow.engine.reopen_duty_report(report["id"], user=csc)
    again = flow.engine.reopen_duty_report(report["id"], user=supervisor)
    assert (again["period"], again["status"]) == ("2026-09", "open")
    second = flow.engine.duty_report(again["id"])
    assert second["version"] == 2 and second["case"] != case
    with pytest.raises(Conflict):
        flow.engine.reopen_duty_report(report["id"], user=supervisor)  # not the newest version any more


def test_a_report_past_due_is_overdue_and_its_task_reminds_and_notices(flow):
    both(flow)
    csc = flow.user_for("vanke_csc")
    flow.at("2026-10-16T09:30:00+08:00")
    flow.engine.run_duties()
    report = started(flow)[("half_month_report", "2026-10-H1")]
    case = flow.engine.duty_report(report["id"])["case"]
    flow.at("2026-10-16T16:00:00+08:00")  # three quarters of its time used
    flow.engine.sweep_deadlines()
    flow.at("2026-10-16T18:00:01+08:00")
    flow.fire()
    flow.engine.sweep_deadlines()
    flow.engine.run_duties()
    assert flow.engine.duty_report(report["id"])["status"] == "overdue"
    assert "Timer_HalfMonthReport_Due" in flow.fired(case)
    with flow.engine.db.read() as session:
        kinds = set(session.scalars(select(Notification.kind).where(Notification.case_id == case)))
    assert kinds == {"assigned", "reminder", "overdue"}
    flow.complete(case, "Task_HalfMonthReport", {}, user=csc)
    assert flow.engine.duty_report(report["id"])["status"] == "submitted"  # late, but submitted


def test_reports_are_read_by_the_roles_of_their_unit_only(flow):
    both(flow)
    flow.unit("gz", "广州分公司", kind="branch")
    flow.at("2026-11-02T09:30:00+08:00")
    flow.engine.run_duties()
    hs_csc = flow.user("hs_csc", "petrochina_csc", unit="hs")
    gz_csc = flow.user("gz_csc", "petrochina_csc", unit="gz")
    station = flow.user("station", "petrochina_gas_station", unit="tunxi")
    leader = flow.user("vk_leader", "vanke_leader")
    hs_report = started(flow)[("monthly_appraisal", "2026-10")]  # one per branch: hs and gz
    kinds = {(r["kind"], r["period"]) for r in flow.engine.duty_reports(user=hs_csc)}
    assert kinds == {("monthly_appraisal", "2026-09"), ("monthly_appraisal", "2026-10")}
    hs_only = flow.engine.duty_reports(preplan="petrochina_station", user=hs_csc)
    assert all(flow.engine.duty_report(r["id"])["unit"] == "hs" for r in hs_only)
    assert {flow.engine.duty_report(r["id"])["unit"] for r in flow.engine.duty_reports(user=gz_csc)} == {"gz"}
    assert flow.engine.duty_reports(user=station) == []
    with pytest.raises(NotFound):
        flow.engine.duty_report(hs_report["id"], user=station)
    assert {r["preplan"] for r in flow.engine.duty_reports(user=leader)} == {"vanke_complaint"}


def test_periods_missed_while_nothing_ran_start_once_each(flow):
    both(flow)
    flow.at("2026-10-08T10:00:00+08:00")
    flow.engine.run_duties()
    flow.at("2026-10-12T10:00:00+08:00")  # down since 10-08: three daily reports opened meanwhile
    caught_up = [r["period"] for r in flow.engine.run_duties() if r["kind"] == "daily_report"]
    assert caught_up == ["2026-10-08", "2026-10-09", "2026-10-10"]
    assert flow.engine.run_duties() == []  # a restart starts none of them again
    with flow.engine.db.read() as session:
        cases = session.scalar(
            select(func.count())
            .select_from(DutyReport)
            .where(DutyReport.kind == "daily_report", DutyReport.period >= "2026-10-08")
        )
    assert cases == 3


def test_two_sweeps_at_once_start_each_period_once(flow):
    both(flow)
    flow.at("2026-10-12T10:00:00+08:00")
    other = Engine(Database(flow.engine.settings.database_url), flow.engine.settings)
    results: list[list[dict]] = []
    barrier = threading.Barrier(2)

    def sweep(engine: Engine) -> None:
        barrier.wait()
        results.append(engine.run_duties())

    try:
        threads = [threading.Thread(target=sweep, args=(e,)) for e in (flow.engine, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.db.dispose()
    periods = [(r["kind"], r["period"]) for found in results for r in found]
    assert len(periods) == len(set(periods)) == len(started(flow))
    assert ("daily_report", "2026-10-10") in set(periods)


def test_reports_list_answers_the_contract_fields(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, now: str) -> tuple[int, str]:
        code = main(["--database-url", url, "--now", now, *args])
        return code, capsys.readouterr().out

    assert run("db", "init", now=DEPLOYED)[0] == 0
    assert run("deploy", str(vk.PREPLAN), now=DEPLOYED)[0] == 0
    code, out = run("duties", "run", now="2026-10-08T09:30:00+08:00")
    assert code == 0 and len(json.loads(out)["started"]) == 6  # daily 09-28..09-30, September, Q3 twice
    code, out = run("reports", "list", "--preplan", "vanke_complaint", "--json", now="2026-10-08T09:30:00+08:00")
    listed = json.loads(out)
    assert code == 0 and all(list(r) == ["id", "preplan", "kind", "period", "status", "due_at"] for r in listed)
    month = next(r for r in listed if r["kind"] == "month_report")
    assert month == {
        "id": month["id"],
        "preplan": "vanke_complaint",
        "kind": "month_report",
        "period": "2026-09",
        "status": "open",
        "due_at": "2026-10-08T18:00:00+08:00",
    }
    code, out = run("reports", "list", "--preplan", "petrochina_station", "--json", now="2026-10-08T09:30:00+08:00")
    assert (code, json.loads(out)) == (0, [])
    code, out = run("reports", "show", str(month["id"]), "--json", now="2026-10-08T09:30:00+08:00")
    assert code == 0 and json.loads(out)["figures"]["from"] == "2026-09-01"
    xlsx = tmp_path / "month.xlsx"
    code, out = run(
        "reports", "show", str(month["id"]), "--format", "xlsx", "--out", str(xlsx), now="2026-10-08T09:30:00+08:00"
    )
    assert code == 0 and xlsx.stat().st_size > 0
    code, out = run("reports", "show", "999", "--json", now="2026-10-08T09:30:00+08:00")
    assert code != 0 and "999" in out + capsys.readouterr().err


def test_a_duty_runs_in_each_unit_of_its_kind(flow):
    both(flow)
    flow.unit("sh", "上海万科", kind="company")  # the root stops being the only company
    flow.unit("gz", "广州分公司", kind="branch")
    flow.at("2026-10-08T09:30:00+08:00")
    flow.engine.run_duties()
    units = {}
    for report in flow.engine.duty_reports():
        units.setdefault(report["kind"], set()).add(flow.engine.duty_report(report["id"])["unit"])
    assert units["month_report"] == {"sh"} and units["monthly_appraisal"] == {"gz", "hs"}


def test_a_duty_whose_period_changed_goes_on_from_its_last_report(flow):
    """A newer version made a monthly duty daily: the last report's label names a month, and the sweep neither
    fails nor starts every day since the preplan was deployed, but goes on from the day the last report opened."""
    both(flow)
    with flow.engine.db.write() as session:
        session.add(
            DutyReport(
                preplan_key="vanke_complaint",
                kind="daily_report",
                period="2026-09",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 9, 30),
                unit_key="root",
                version=1,
                status="submitted",
                opens_at=clock.parse_instant("2026-10-09T09:00:00+08:00"),
                due_at=clock.parse_instant("2026-10-09T18:00:00+08:00"),
                figures={},
            )
        )
    flow.at("2026-10-12T10:00:00+08:00")
    assert [r["period"] for r in flow.engine.run_duties() if r["kind"] == "daily_report"] == [
        "2026-10-09",
        "2026-10-10",
    ]
