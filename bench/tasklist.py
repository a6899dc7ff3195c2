"""The lists people open all day, on a large organisation: 100,000 open tasks of the preplan's roles spread over
1,000 stations of 10 branches. Each list is one page of one query; its cost must follow the person's work, not the
installation's. The two task-list figures: one role at the 100 stations of a branch (a quarter of that branch's
tasks with Vanke's four roles), and every role at the same stations (all of them)."""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from engine import clock
from engine.cases.sight import Sight
from engine.cases.worklist import case_list, work_list
from engine.people.org import Org
from engine.people.users import add_user, get_user
from engine.service import Engine
from engine.store.models import Case, Preplan, PreplanVersion, Task, Unit, User, UserRole

from .rows import running_case

FIRST_ID = 2_000_000
CHUNK = 5000
BRANCHES = 10


def populate(engine: Engine, preplan: str, roles: list[str], units: int, tasks: int) -> None:
    """``units`` stations under ``BRANCHES`` branches, ``tasks`` running cases of ``preplan`` each with one open
    task of a station (the roles taking turns every ``units`` cases, so each station has tasks of every role), and
    the people the lists are measured for: a station manager, one role at every station of branch 3, every role
    there, and a branch supervisor."""
    now = clock.now()
    with engine.db.write() as session:
        version_id = session.scalar(select(PreplanVersion.id).join(Preplan).where(Preplan.key == preplan).limit(1))
        assert version_id is not None
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
            session.execute(
                insert(Task), [_task(i, roles[i // units % len(roles)], f"st{i % units}", now) for i in rows]
            )
        add_user(session, "bench_manager", roles[:1], unit="st7")
        add_user(session, "bench_supervisor", ["supervisor"], unit="br3")
        for name, held in (("bench_regional", roles[:1]), ("bench_all_roles", roles)):
            user = add_user(session, name, held, unit="st3")
            for u in range(3 + BRANCHES, units, BRANCHES):  # the same roles at every station of branch 3
                user.roles += [UserRole(role_key=role, unit_key=f"st{u}") for role in held]
    if engine.db.engine.dialect.name == "postgresql":
        # what autovacuum does after a load of this size; then the load's writes flushed, so that a checkpoint
        # does not land in the middle of the measurement
        with engine.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE task, preplan_case, case_search"))  # this schema's only
            connection.execute(text("CHECKPOINT"))


def _case(i: int, version_id: int, unit: str, now: Any) -> dict[str, Any]:
    return running_case(
        FIRST_ID + i,
        version_id,
        f"BL-{i:08d}",
        now,
        started_at=now - timedelta(minutes=i),
        title=f"投诉 {i}",
        unit=unit,
    )


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


class Timing(NamedTuple):
    median: float  # seconds
    p95: float
    total: str  # as the list shows it ("1000+" when capped)


# The list functions, called as the web calls them for a first page: the one place that knows their signatures.
def _work_page(engine: Engine, session: Session, user: User) -> Any:
    return work_list(session, engine.tz, user, Org.load(session), reminder_share=engine.settings.reminder_share)


def _case_page(engine: Engine, session: Session, user: User) -> Any:
    return case_list(session, engine.tz, Sight(session, engine.versions, user))


LISTS: dict[str, tuple[str, Callable[[Engine, Session, User], Any], str]] = {
    "work_station_manager": ("my work, a station manager", _work_page, "bench_manager"),
    "work_one_role": ("my work, one role, the stations of a branch", _work_page, "bench_regional"),
    "work_all_roles": ("my work, all roles, the same stations", _work_page, "bench_all_roles"),
    "cases_branch_supervisor": ("cases, a branch supervisor", _case_page, "bench_supervisor"),
    "cases_station_manager": ("cases, a station manager", _case_page, "bench_manager"),
}


def measure(engine: Engine, repeats: int = 200) -> dict[str, Timing]:
    """Median and p95 of each list's first page (user and organisation loaded per request, as the web does), and
    its total. The objects this process made while loading 100,000 rows are frozen out of Python's cyclic garbage
    collector first: a web process never holds them, and walking them put pauses of ~100 ms into the p95."""
    gc.collect()
    gc.freeze()
    results = {}
    for key, (_, page, name) in LISTS.items():
        total = _request(engine, page, name)
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            _request(engine, page, name)
            samples.append(time.perf_counter() - began)
        results[key] = Timing(statistics.median(samples), statistics.quantiles(samples, n=20)[-1], total)
    gc.unfreeze()
    return results


def _request(engine: Engine, page: Callable[[Engine, Session, User], Any], name: str) -> Any:
    with engine.db.read() as session:
        return page(engine, session, get_user(session, name)).total_label
