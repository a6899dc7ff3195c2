"""The work list and the cases list page by the last row seen, on both databases: every row exactly once across
pages (ties in deadline, no deadline, either order, filters, scopes), a cursor that is not one gives the first page,
counts stop at a cap, and the plans read index ranges: no full scan, no sort of every matching row."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, insert, select, text

from engine import clock
from engine.cases.search import fields_text
from engine.cases.sight import Sight
from engine.cases.worklist import Page, case_list, cursor, position, work_list
from engine.people.org import Org
from engine.people.users import get_user, grant
from engine.store import schema
from engine.store.db import Database
from engine.store.models import Case, CaseSearch, PreplanVersion, Task
from tests.engine.conftest import MINI
from tests.flow import Flow

UNITS = [f"st{n}" for n in range(6)]  # more than FEW_UNITS: a role held in all of them is one filtered range
FIRST_ID = 1000


def _rows(flow: Flow, count: int) -> None:
    """``count`` running cases with one open task each, written with Core inserts: deadlines tied in fives, every
    seventh without one, every twelfth claimed by ``one``, roles and units spread, start times tied in threes."""
    now = clock.now()
    with flow.engine.db.write() as session:
        version = session.scalar(select(PreplanVersion.id).limit(1))
        cases, tasks = [], []
        for i in range(count):
            unit, role = UNITS[i % len(UNITS)], ("clerk", "leader")[i % 4 == 3]
            due = None if i % 7 == 0 else now + timedelta(hours=i % 5 - 2)
            cases.append(
                {
                    "id": FIRST_ID + i,
                    "version_id": version,
                    "business_key": f"TS-L{i:05d}",
                    "title": f"投诉 {i}",
                    "status": ("running", "completed")[i % 9 == 8],
                    "severity": ("major", "general")[i % 2],
                    "is_drill": False,
                    "clock_offset_seconds": 0.0,
                    "state": {},
                    "data": {},
                    "revision": 1,
                    "started_by": "test",
                    "started_at": now - timedelta(minutes=i // 3),
                    "updated_at": now,
                    "unit_key": unit,
                }
            )
            tasks.append(
                {
                    "case_id": FIRST_ID + i,
                    "spiff_id": str(uuid.uuid4()),
                    "bpmn_id": "Task_Handle",
                    "name": "处理",
                    "role": role,
                    "unit_key": unit,
                    "assignee": "one" if i % 12 == 0 and role == "clerk" else None,
                    "status": "open",
                    "created_at": now,
                    "due_at": due,
                    "real_due_at": due,
                }
            )
        session.execute(insert(Case), cases)
        session.execute(insert(Task), tasks)
        searched = [{"case_id": c["id"], "fields": fields_text(c["business_key"], c["title"], {}, ())} for c in cases]
        session.execute(insert(CaseSearch), searched)
    if flow.engine.db.engine.dialect.name == "postgresql":
        with flow.engine.db.engine.connect() as connection:
            connection.execute(text("ANALYZE task, preplan_case, case_search"))  # this schema's, not other runs'
            connection.commit()


@pytest.fixture
def listed(flow: Flow) -> Flow:
    flow.ready(MINI, "2026-11-23T10:00:00+08:00")
    for unit in UNITS:
        flow.unit(unit, f"加油站{unit}", kind="station")
    flow.user("one", "clerk", unit="st0")  # one role in one unit
    flow.user("many", "clerk", "leader", unit="st0")  # every role in every unit
    with flow.engine.db.write() as session:
        for unit in UNITS[1:]:
            for role in ("clerk", "leader"):
                grant(session, "many", role, unit, "test")
    flow.user("boss", "supervisor", unit="root")
    _rows(flow, 61)
    return flow


def _walk(fetch: Callable[[str | None], Page]) -> Iterator[Page]:
    after: str | None = None
    while True:
        page = fetch(after)
        yield page
        if page.next is None:
            return
        after = page.next


def _expected_tasks(flow: Flow, name: str, scope: str, descending: bool, where: Callable[[Any], bool]) -> list[int]:
    with flow.engine.db.read() as session:
        user = get_user(session, name)
        rows = session.execute(select(Task, Case).join(Case, Task.case_id == Case.id)).all()
    mine = [t for t, c in rows if t.assignee == name and where((t, c))]
    pool = [t for t, c in rows if t.assignee is None and (t.role, t.unit_key) in user.memberships and where((t, c))]
    chosen = {"mine": mine, "unassigned": pool}.get(scope, mine + pool)
    dated = sorted((t for t in chosen if t.real_due_at), key=lambda t: (t.real_due_at, t.id), reverse=descending)
    undated = sorted((t for t in chosen if not t.real_due_at), key=lambda t: t.id, reverse=descending)
    return [t.id for t in dated + undated]


@pytest.mark.parametrize("name", ["one", "many"])
@pytest.mark.parametrize("scope", ["all", "mine", "unassigned"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("filtered", ["none", "severity", "overdue", "preplan"])
def test_the_work_list_pages_every_task_once(listed, name, scope, descending, filtered):
    now = clock.real_now()
    filters: dict[str, Any] = {
        "none": {},
        "severity": {"severity": "major"},
        "overdue": {"overdue": True},
        "preplan": {"preplan": "mini_complaint"},
    }[filtered]
    where = {
        "none": lambda tc: True,
        "severity": lambda tc: tc[1].severity == "major",
        "overdue": lambda tc: tc[0].real_due_at is not None and tc[0].real_due_at < now,
        "preplan": lambda tc: True,
    }[filtered]

    def fetch(after: str | None) -> Page:
        with listed.engine.db.read() as session:
            user = get_user(session, name)
            return work_list(
                session,
                listed.engine.tz,
                user,
                Org.load(session),
                scope=scope,
                descending=descending,
                after=after,
                per_page=4,
                reminder_share=0.75,
                **filters,
            )

    pages = list(_walk(fetch))
    seen = [item["id"] for page in pages for item in page.items]
    expected = _expected_tasks(listed, name, scope, descending, where)
    assert seen == expected and (expected or (name, scope) == ("many", "mine"))
    assert pages[0].first and not any(page.first for page in pages[1:])
    assert all(page.total == len(expected) and not page.capped for page in pages)


@pytest.mark.parametrize("name", ["one", "many", "boss", None])
def test_the_cases_list_pages_every_visible_case_once(listed, name):
    with listed.engine.db.read() as session:
        user = get_user(session, name) if name else None
        sight = Sight(session, listed.engine.versions, user)
        expected = [row.id for row in session.execute(select(Case.id).where(sight.cases).order_by(Case.id.desc()))]

    def fetch(after: str | None) -> Page:
        with listed.engine.db.read() as session:
            user = get_user(session, name) if name else None
            return case_list(
                session, listed.engine.tz, Sight(session, listed.engine.versions, user), after=after, per_page=5
            )

    seen = [item["case"] for page in _walk(fetch) for item in page.items]
    assert expected and seen == expected


def test_filters_keep_working_with_the_cursor(listed):
    def fetch(after: str | None) -> Page:
        with listed.engine.db.read() as session:
            sight = Sight(session, listed.engine.versions, get_user(session, "boss"))
            return case_list(
                session, listed.engine.tz, sight, status="running", search="投诉 1", after=after, per_page=2
            )

    titles = [item["title"] for page in _walk(fetch) for item in page.items]
    assert titles and all("投诉 1" in t for t in titles) and len(titles) == len(set(titles))


@pytest.mark.parametrize(
    "forged",
    ["", "!!!", "bm90IGpzb24", cursor((None, 5))[:-2], "W251bGwsIjEiXQ", "WyJ4IiwxXQ", "W251bGwsMWUzMDBd", "x" * 500],
)
def test_a_cursor_that_is_not_one_is_the_first_page(listed, forged):
    assert position(forged) is None or forged == cursor((None, 5))[:-2]
    with listed.engine.db.read() as session:
        page = work_list(
            session, listed.engine.tz, get_user(session, "many"), Org.load(session), after=forged, reminder_share=0.75
        )
        first = work_list(session, listed.engine.tz, get_user(session, "many"), Org.load(session), reminder_share=0.75)
    if position(forged) is None:
        assert page.first and [i["id"] for i in page.items] == [i["id"] for i in first.items]


def test_a_cursor_holds_its_key():
    when = clock.parse_instant("2026-11-23T10:00:00.123456+08:00")
    assert position(cursor((when, 42))) == (when, 42)
    assert position(cursor((None, 7))) == (None, 7)
    assert position(cursor((None, 0))) is None and position(cursor((None, 2**63))) is None


def test_counts_stop_at_the_cap(listed):
    with listed.engine.db.read() as session:
        user = get_user(session, "many")
        page = work_list(session, listed.engine.tz, user, Org.load(session), reminder_share=0.75, count_cap=5)
        cases = case_list(session, listed.engine.tz, Sight(session, listed.engine.versions, None), count_cap=5)
        exact = case_list(session, listed.engine.tz, Sight(session, listed.engine.versions, None), count_cap=1000)
    assert (page.total, page.capped, page.total_label) == (5, True, "5+")
    assert (cases.total_label, exact.total_label) == ("5+", "61")


# -- the plans ------------------------------------------------------------------------------------------------------
def _plans(flow: Flow, run: Callable[[Any], object]) -> list[list[str]]:
    """The plan of every statement ``run`` sends that reads tasks or cases (SQLite's rows as ``id|parent|detail``)."""
    sent: list[tuple[str, Any]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001 - the event's signature
        sent.append((statement, parameters))

    engine = flow.engine.db.engine
    with flow.engine.db.read() as session:
        event.listen(engine, "before_cursor_execute", grab)
        try:
            run(session)
        finally:
            event.remove(engine, "before_cursor_execute", grab)
        raw = session.connection().connection.dbapi_connection
        plans = []
        for statement, parameters in sent:
            if not re.search(r"FROM (task|preplan_case)\b", statement) or "WHERE task.id IN" in statement:
                continue
            if "preplan_case.id IN (" in statement and "LIMIT" not in statement:
                continue  # the page's rows, joined by id
            handle = raw.cursor()
            if engine.dialect.name == "postgresql":
                # A table of a few rows is cheaper to read whole: told that whole reads and sorts are dear, the
                # planner still shows one only where the statement leaves it no other way.
                handle.execute("SET LOCAL enable_seqscan = off")
                handle.execute("SET LOCAL enable_sort = off")
            if engine.dialect.name == "sqlite":
                handle.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = [f"{r[0]}|{r[1]}|{r[3]}" for r in handle.fetchall()]
            else:
                handle.execute("EXPLAIN " + statement, parameters)
                plan = [r[0] for r in handle.fetchall()]
            plans.append(plan)
    return plans


def _full_scans(plan: list[str]) -> list[str]:
    """Reads of a whole table. (SQLite's ``SCAN … USING INDEX`` reads an index from its start, and its ``SCAN`` of
    the cases reads them in key order, the cases list's order: either stops at the ``LIMIT`` unless a sort follows
    it, which :func:`_sorted_ranges` finds. PostgreSQL says ``Index Scan Backward using preplan_case_pkey``.)"""
    return [
        line
        for line in plan
        if re.search(r"\|SCAN task\b(?! USING)", line) or re.search(r"Seq Scan on (task|preplan_case)\b", line)
    ]


def _sorted_ranges(plan: list[str]) -> list[str]:
    """Sorts fed directly by a read of the task or case table: a sort of every row the read matched (SQLite: a
    temp b-tree beside a SEARCH of the table in the same query; PostgreSQL: a Sort over a scan of it)."""
    found = []
    if plan and "|" in plan[0]:
        rows = [line.split("|", 2) for line in plan if "|" in line]
        for node, parent, detail in rows:
            if detail.startswith("USE TEMP B-TREE FOR ORDER BY"):
                siblings = [d for n, p, d in rows if p == parent and n != node]
                found += [d for d in siblings if re.match(r"(SEARCH|SCAN) (task|preplan_case)\b", d)]
        return found
    for i, line in enumerate(plan):
        if re.search(r"\bSort\b", line) and "Sort Key" not in line and "Sort Method" not in line:
            below = next((ln for ln in plan[i + 1 :] if "->" in ln), "")
            if re.search(r"on (task|preplan_case)\b", below):
                found.append(below)
    return found


@pytest.mark.parametrize("name", ["one", "many"])
def test_the_work_list_reads_index_ranges_in_order(listed, name):
    def run(session: Any) -> None:
        user = get_user(session, name)
        for descending in (False, True):
            page = work_list(
                session,
                listed.engine.tz,
                user,
                Org.load(session),
                descending=descending,
                per_page=3,
                reminder_share=0.75,
            )
            work_list(
                session, listed.engine.tz, user, Org.load(session), after=page.next, per_page=3, reminder_share=0.75
            )
        work_list(session, listed.engine.tz, user, Org.load(session), overdue=True, reminder_share=0.75)

    plans = _plans(listed, run)
    assert len(plans) >= 5
    for plan in plans:
        assert _full_scans(plan) == [], plan
        assert _sorted_ranges(plan) == [], plan


@pytest.mark.parametrize("name", ["one", "many", "boss", None])
def test_the_cases_list_reads_no_whole_table(listed, name):
    def run(session: Any) -> None:
        sight = Sight(session, listed.engine.versions, get_user(session, name) if name else None)
        page = case_list(session, listed.engine.tz, sight, per_page=3)
        case_list(session, listed.engine.tz, sight, after=page.next, per_page=3)

    plans = _plans(listed, run)
    assert plans
    for plan in plans:  # every part (the cases of a unit, of one's steps) a range of an index in id order
        assert _full_scans(plan) == [], plan
        assert _sorted_ranges(plan) == [], plan


# -- the migration --------------------------------------------------------------------------------------------------
def test_the_list_indexes_come_and_go_with_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'lists.db'}"
    db = Database(url)
    config = schema.alembic_config(url)

    def indexes() -> set[str]:
        with db.engine.connect() as connection:
            return {
                name
                for (name,) in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('task', 'preplan_case')"
                )
            }

    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    added = {
        "ix_task_pool",
        "ix_task_pool_by_role",
        "ix_task_candidates_by_role",
        "ix_task_assignee_case",
        "ix_preplan_case_unit",
    }
    assert added <= indexes()
    assert "ix_preplan_case_unit_key" not in indexes()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert not added & indexes()
    assert {"ix_preplan_case_unit_key", "ix_task_assignee", "ix_task_candidates"} <= indexes()
    db.dispose()
