"""The lists people open all day, on a large organisation: 100,000 open tasks spread over 1,000 stations of 10
branches. Each list is one page of one query; its cost must follow the person's work, not the installation's."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, text

from engine import clock
from engine.cases.sight import Sight
from engine.cases.worklist import case_list, work_list
from engine.people.org import Org
from engine.people.users import add_user, get_user
from engine.service import Engine
from engine.store.models import Case, PreplanVersion, Task, Unit, UserRole

FIRST_ID = 2_000_000
CHUNK = 5000
BRANCHES = 10


def populate(engine: Engine, units: int, tasks: int) -> None:
    """``units`` stations under ``BRANCHES`` branches, ``tasks`` running cases each with one open task of a station,
    and the people the lists are measured for: a station manager, a branch manager of every station of its branch,
    and a branch supervisor."""
    now = clock.now()
    with engine.db.write() as session:
        version_id = session.scalar(select(PreplanVersion.id).limit(1))
        role = session.scalar(select(UserRole.role_key).limit(1))
        assert version_id is not None and role is not None
        branches = [
            {"key": f"br{b}", "name": f"分公司{b}", "parent_key": "root", "kind": "branch"} for b in range(BRANCHES)
        ]
        stations = [
            {"key": f"st{u}", "name": f"加油站{u}", "parent_key": f"br{u % BRANCHES}", "kind": "station"}
            for u in range(units)
        ]
        session.execute(insert(Unit), [{**row, "created_at": now} for row in branches + stations])
        for first in range(0, tasks, CHUNK):
            rows = range(first, min(first + CHUNK, tasks))
            session.execute(insert(Case), [_case(i, version_id, f"st{i % units}", now) for i in rows])
            session.execute(insert(Task), [_task(i, role, f"st{i % units}", now) for i in rows])
        add_user(session, "bench_manager", [role], unit="st7")
        add_user(session, "bench_supervisor", ["supervisor"], unit="br3")
        add_user(session, "bench_regional", [role], unit="st3")
        user = get_user(session, "bench_regional")
        for u in range(3 + BRANCHES, units, BRANCHES):  # the same role at every station of branch 3
            user.roles.append(UserRole(role_key=role, unit_key=f"st{u}"))
    if engine.db.engine.dialect.name == "postgresql":  # what autovacuum does after a load of this size
        with engine.db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _case(i: int, version_id: int, unit: str, now: Any) -> dict[str, Any]:
    return {
        "id": FIRST_ID + i,
        "version_id": version_id,
        "business_key": f"BL-{i:08d}",
        "title": f"投诉 {i}",
        "status": "running",
        "is_drill": False,
        "clock_offset_seconds": 0.0,
        "state": {},
        "data": {},
        "revision": 1,
        "started_by": "bench",
        "started_at": now - timedelta(minutes=i),
        "updated_at": now,
        "unit_key": unit,
    }


def _task(i: int, role: str, unit: str, now: Any) -> dict[str, Any]:
    due = now + timedelta(hours=1 + i % 500)
    return {
        "case_id": FIRST_ID + i,
        "spiff_id": str(uuid.uuid4()),
        "bpmn_id": "Task_Station",
        "name": "调查处理并反馈",
        "role": role,
        "unit_key": unit,
        "status": "open",
        "created_at": now,
        "due_at": due,
        "real_due_at": due,
        "remind_at": due,
    }


def clear(engine: Engine) -> None:
    with engine.db.write() as session:
        session.execute(delete(Task).where(Task.case_id >= FIRST_ID))
        session.execute(delete(Case).where(Case.id >= FIRST_ID))
        session.execute(delete(UserRole).where(UserRole.unit_key.like("st%") | UserRole.unit_key.like("br%")))
        session.execute(delete(Unit).where(Unit.kind == "station"))
        session.execute(delete(Unit).where(Unit.kind == "branch"))


def measure(engine: Engine, repeats: int = 200) -> dict[str, tuple[float, float, int]]:
    """Median and p95 (seconds) of each list's first page, as the web pages ask for it, and its total."""
    tz, share = engine.tz, engine.settings.reminder_share

    def my_work(name: str) -> Callable[[], int]:
        def page() -> int:
            with engine.db.read() as session:
                user = get_user(session, name)
                return work_list(session, tz, user, Org.load(session), reminder_share=share).total

        return page

    def cases_of(name: str) -> Callable[[], int]:
        def page() -> int:
            with engine.db.read() as session:
                return case_list(session, tz, Sight(session, engine.versions, get_user(session, name))).total

        return page

    lists = {
        "my work, a station manager": my_work("bench_manager"),
        "my work, one role at 100 stations": my_work("bench_regional"),
        "cases, a branch supervisor": cases_of("bench_supervisor"),
        "cases, a station manager": cases_of("bench_manager"),
    }
    results = {}
    for label, page in lists.items():
        total = page()
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            page()
            samples.append(time.perf_counter() - began)
        results[label] = (statistics.median(samples), statistics.quantiles(samples, n=20)[-1], total)
    return results
