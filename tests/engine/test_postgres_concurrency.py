"""Several processes on one PostgreSQL database: exactly-once completion and timer firing, crash safety.

These run real ``preplan`` processes against the test schema; the database is the only thing they share.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from engine import clock
from engine.service.timers import work
from engine.store.models import Event, Task, Timer
from engine.store.records import lock_case
from tests.conftest import FIXTURES
from tests.flow import Flow

pytestmark = pytest.mark.postgres
PROBE = FIXTURES / "processes" / "timer_probe"
MINI = FIXTURES / "processes" / "mini_complaint"
START = "2026-11-23T10:00:00+08:00"
AFTER_THE_HOUR = "2026-11-23T11:01:00+08:00"


def cli(url: str, *args: str, now: str | None = None, app: str = "preplan-test") -> subprocess.Popen:
    env = {**os.environ, "PREPLAN_NOW": now or ""}
    separator = "&" if "?" in url else "?"
    return subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "--database-url", f"{url}{separator}application_name={app}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def scalar(engine, statement):
    with engine.db.read() as session:
        return session.scalar(statement)


def start_probes(flow: Flow, count: int, work: int = 0) -> list[int]:
    return [flow.start("timer_probe", {"work": work, "note": f"#{i}"}) for i in range(count)]


def fired_per_case(engine) -> dict[int, int]:
    with engine.db.read() as session:
        rows = session.execute(
            select(Event.case_id, func.count()).where(Event.kind == "timer_fired").group_by(Event.case_id)
        )
        return dict(rows.all())


def test_two_processes_completing_the_same_task_exactly_one_wins(pg_engine, postgres_clean_url):
    flow = Flow(pg_engine)
    flow.deploy(MINI)
    flow.at(START)
    case = flow.start("mini_complaint", {"customer": "张三", "summary": "漏水", "complainant_count": 12})
    task = flow.task(case, "Task_Approve")["id"]
    flow.user("li", "leader")
    flow.user("zhao", "leader")
    with pg_engine.db.write() as session:
        lock_case(session, case)  # both processes queue behind this lock, then race for it
        racers = {
            name: cli(
                postgres_clean_url, "complete", str(task), "--as", name, "--data", '{"approved": true}', now=START
            )
            for name in ("li", "zhao")
        }
        wait_for(
            lambda: (
                scalar(
                    pg_engine,
                    text(
                        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and application_name = 'preplan-test'"
                    ),
                )
                == 2
            ),
            what="both processes to wait on the case lock",
        )
    results = {name: (p.wait(60), p.communicate()[0]) for name, p in racers.items()}
    winners = [name for name, (code, _) in results.items() if code == 0]
    assert len(winners) == 1, results
    loser = next(name for name in results if name not in winners)
    refusal = json.loads(results[loser][1])
    assert refusal["error"] == "conflict" and f"already completed by {winners[0]}" in refusal["message"]
    assert len(flow.events(case, "task_completed")) == 1
    assert flow.open_steps(case) == ["Task_Handle"]


def test_several_workers_fire_a_thousand_timers_exactly_once(pg_engine, postgres_clean_url):
    flow = Flow(pg_engine)
    flow.deploy(PROBE)
    flow.at(START)
    cases = start_probes(flow, 1000)
    workers = [cli(postgres_clean_url, "timers", "run", now=AFTER_THE_HOUR) for _ in range(3)]
    outputs = [(w.wait(300), w.communicate()) for w in workers]
    assert all(code == 0 for code, _ in outputs), outputs
    counts = [json.loads(out)["fired"] for _, (out, _) in outputs]
    assert sum(counts) == 1000
    assert sum(1 for c in counts if c > 0) >= 2, f"the work was not shared: {counts}"
    assert fired_per_case(pg_engine) == dict.fromkeys(cases, 1)
    assert scalar(pg_engine, select(func.count()).select_from(Task).where(Task.status == "open")) == 1000
    assert scalar(pg_engine, select(func.count()).select_from(Timer)) == 0


def test_a_worker_killed_mid_transaction_loses_nothing_and_fires_nothing_twice(pg_engine, postgres_clean_url):
    flow = Flow(pg_engine)
    flow.deploy(PROBE)
    flow.at(START)
    cases = start_probes(flow, 40, work=2_000_000)  # each firing runs a script for a while inside its transaction
    worker = cli(postgres_clean_url, "worker", now=AFTER_THE_HOUR, app="preplan-victim")
    in_transaction = text(
        "select count(*) from pg_stat_activity where application_name = 'preplan-victim' "
        "and state = 'idle in transaction'"
    )
    try:
        wait_for(
            lambda: scalar(pg_engine, select(func.count()).where(Event.kind == "timer_fired")) >= 3,
            what="the worker to fire some timers",
        )
        wait_for(lambda: scalar(pg_engine, in_transaction) == 1, what="the worker to be inside a transaction")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    done_before = sum(fired_per_case(pg_engine).values())
    assert done_before < len(cases), "the worker finished before it was killed"
    clock.fix(clock.parse_instant(AFTER_THE_HOUR))
    wait_for(
        lambda: pg_engine.run_due() >= 0 and scalar(pg_engine, select(func.count()).select_from(Timer)) == 0,
        timeout=30,
        what="the surviving worker to fire the rest",
    )
    assert fired_per_case(pg_engine) == dict.fromkeys(cases, 1)
    assert scalar(pg_engine, select(func.count()).select_from(Task).where(Task.status == "open")) == len(cases)


def test_the_worker_wakes_for_a_timer_within_its_poll_interval(pg_engine):
    """The worker's schedule on a fixed clock: each wait it asks for is moved on the clock instead of slept, so
    the assertion is about when the worker looked, not how busy the machine was."""
    flow = Flow(pg_engine)
    flow.deploy(PROBE)
    flow.at(START)
    case = flow.start("timer_probe", {})
    due = clock.parse_instant(START) + timedelta(hours=1)
    clock.fix(due - timedelta(seconds=7.3))  # the worker starts 7.3 s before the timer is due
    stop, waits = threading.Event(), []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(timedelta(seconds=max(seconds, 0.001)))  # time passes, if only a little
        if flow.fired(case) or len(waits) > 1000:
            stop.set()

    work(pg_engine, stop, poll=0.5, sleep=sleep)
    fired_at = scalar(pg_engine, select(Event.at).where(Event.case_id == case, Event.kind == "timer_fired"))
    assert fired_at is not None and max(waits) <= 0.5
    assert timedelta(0) < fired_at - due <= timedelta(seconds=0.5), f"fired {fired_at - due} after its due time"
