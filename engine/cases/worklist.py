"""The lists people work from: my tasks (filtered, by deadline) and the cases one may see (newest first).

A page is chosen by the last row seen (a cursor), never by an offset: each branch of the visibility condition is
read in index order up to the page's size and the branches are merged, so a page costs the same at any depth and
with any number of tasks in the installation. Counts stop at a cap ("1000+"). Tasks without a deadline come after
those with one; rather than a computed sort column, the list reads the dated range and then the undated one, two
index ranges of the same indexes on both databases (SQLite and PostgreSQL put NULLs at opposite ends of an index).
Overdue is judged in real time (``real_due_at``) so drill cases, whose deadlines are in their own virtual time,
sort and filter correctly beside real ones.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select, tuple_, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from engine import clock
from engine.cases.projection import TRIAL_ROLE, remind_at
from engine.cases.search import matching
from engine.cases.sight import Sight
from engine.cases.views import task_view
from engine.people.access import case_list_parts, work_list_branches, work_list_clause
from engine.people.org import Org
from engine.store.models import Case, Preplan, PreplanVersion, Task, User
from engine.timefmt import iso

#: Counts are exact up to here; past it a list says "1000+" instead of counting every row.
COUNT_CAP = 1000
#: A sort key: the instant (a deadline, a start; None for a task without deadline) and the row's id.
Key = tuple[datetime | None, int]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int  # exact up to the cap
    capped: bool  # more rows than ``total`` match
    next: str | None  # the cursor of the next page, None on the last
    first: bool  # the first page (no cursor was given, or it was not one)

    @property
    def total_label(self) -> str:
        return f"{self.total}+" if self.capped else str(self.total)


def cursor(key: Key) -> str:
    """The position after ``key``, for a link: not a secret (every page is still filtered by who may see what),
    only checked for shape when it comes back."""
    when, row = key
    text = json.dumps([when.isoformat() if when else None, row], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def position(text: str | None) -> Key | None:
    """The key a cursor holds; a cursor that is not one (edited, cut, from another list) is the first page."""
    if not text or len(text) > 200:
        return None
    try:
        when, row = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        instant = datetime.fromisoformat(when) if when is not None else None
    except (ValueError, TypeError, binascii.Error):  # bad base64, JSON, shape or date
        return None
    if type(row) is not int or not 0 < row < 2**63 or (instant is not None and instant.tzinfo is None):
        return None
    return instant, row


def _merged(
    branches: Sequence[Select[Any]], columns: tuple[InstrumentedAttribute[Any], ...], descending: bool, size: int
) -> Select[Any]:
    """Each branch read in the list's order up to ``size`` rows (an index range), then their union in that order,
    up to ``size``: the sort is over at most ``size`` rows per branch, never over every matching row."""

    def ordered(cols: Sequence[Any]) -> list[Any]:
        return [c.desc() for c in cols] if descending else list(cols)

    union = union_all(*(b.order_by(*ordered(columns)).limit(size).subquery().select() for b in branches)).subquery()
    return select(*union.c).distinct().order_by(*ordered([union.c[c.key] for c in columns])).limit(size)


def _capped_count(
    session: Session, branches: Sequence[Select[Any]], cap: int, *, disjoint: bool = False
) -> tuple[int, bool]:
    """How many distinct rows the branches hold, counting at most ``cap + 1`` of each. Branches that share no row
    (the work list's) need no de-duplication, so the count stops as soon as the cap is passed."""
    union = union_all(*(b.limit(cap + 1).subquery().select() for b in branches)).subquery()
    ids = select(union.c[0])
    found = session.execute(
        select(func.count()).select_from((ids if disjoint else ids.distinct()).limit(cap + 1).subquery())
    ).scalar_one()
    return min(found, cap), found > cap


def work_list(
    session: Session,
    tz: tzinfo,
    user: User | None,
    org: Org,
    *,
    preplan: str | None = None,
    severity: str | None = None,
    overdue: bool = False,
    scope: str = "all",
    search: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: str | None = None,
    per_page: int = 20,
    descending: bool = False,
    reminder_share: float,
    count_cap: int = COUNT_CAP,
) -> Page:
    """Tasks assigned to ``user`` and unclaimed tasks of the user's roles (``None``, the operator of the command
    line: every open task). ``scope``: all | mine | unassigned; ``search``: of cases holding this text
    (:mod:`engine.cases.search`); ``since``/``until``: opened in [since, until); ``after``: the cursor of the page
    before. ``reminder_share`` is the settings' (``PREPLAN_REMINDER_SHARE``): "due soon" is when the reminder goes
    out."""
    now = clock.real_now()
    filters: list[ColumnElement[bool]] = []
    if preplan or severity:  # checked per task read, so each branch stays an ordered range of the task table
        of_case = exists().where(Case.id == Task.case_id)
        if preplan:
            of_case = of_case.where(Case.version_id.in_(_versions_of(preplan)))
        if severity:
            of_case = of_case.where(Case.severity == severity)
        filters.append(of_case)
    if overdue:
        filters.append(Task.real_due_at < now)
    filters += _period(Task.created_at, since, until)
    found = matching(session, Task.case_id, search or "")
    if found is not None:
        filters.append(found)
    parts = (
        work_list_branches(user, scope) if user is not None else [and_(Task.status == "open", Task.role != TRIAL_ROLE)]
    )
    branches = [select(Task.id).where(branch, *filters) for branch in parts]
    total, capped = _capped_count(session, branches, count_cap, disjoint=True)

    start = position(after)
    keys: list[Key] = []
    if start is None or start[0] is not None:  # the tasks with a deadline, then (below) those without
        dated = (
            Task.real_due_at.is_not(None) if start is None else _beyond((Task.real_due_at, Task.id), start, descending)
        )
        keys = _keys(session, branches, dated, descending, per_page + 1)
    if len(keys) <= per_page and not overdue:
        undated: ColumnElement[bool] = Task.real_due_at.is_(None)
        if start is not None and start[0] is None:
            undated &= Task.id < start[1] if descending else Task.id > start[1]
        keys += _keys(session, branches, undated, descending, per_page + 1 - len(keys))

    shown = keys[:per_page]
    rows = session.execute(
        select(Task, Case, Preplan)
        .join(Case, Task.case_id == Case.id)
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan)
        .where(Task.id.in_([row for _, row in shown]))
    ).all()
    place = {row: i for i, (_, row) in enumerate(shown)}
    items = []
    for task, case, plan in sorted(rows, key=lambda r: place[r[0].id]):
        view = task_view(task, case, plan.key, tz)
        view.update(
            preplan_title={"zh": plan.title_zh, "en": plan.title_en},
            case_title=case.title,
            unit_name=org.path(task.unit_key),
            severity=case.severity,
            due_soon=_due_soon(task, case, now, reminder_share) and not view["overdue"],
        )
        items.append(view)
    following = cursor(shown[-1]) if len(keys) > per_page else None
    return Page(items, total, capped, following, start is None)


def _versions_of(preplan: str) -> Select[Any]:
    return select(PreplanVersion.id).join(Preplan).where(Preplan.key == preplan)


def _period(column: InstrumentedAttribute[datetime], since: datetime | None, until: datetime | None) -> list[Any]:
    """``since <= column < until``, each side only when given."""
    return [c for c in (column >= since if since else None, column < until if until else None) if c is not None]


def _case_ids(
    column: InstrumentedAttribute[int], part: ColumnElement[bool], filters: Sequence[ColumnElement[bool]]
) -> Select[Any]:
    """The case ids of one part, as ``id``: read from the cases, or from the steps that make them visible (distinct:
    a case has many steps), the case's own filters checked per row."""
    if column is Case.id:
        return select(Case.id.label("id")).where(part, *filters)
    ids = select(column.label("id")).where(part).distinct()
    return ids.where(exists().where(Case.id == column, *filters)) if filters else ids


def _beyond(columns: tuple[InstrumentedAttribute[Any], ...], key: Key, descending: bool) -> ColumnElement[bool]:
    """Rows after ``key`` in the list's order (a row-value comparison, which both databases read as an index
    range)."""
    here, there = (
        tuple_(*columns),
        tuple_(*(literal(value, column.type) for column, value in zip(columns, key, strict=True))),
    )
    return here < there if descending else here > there


def _keys(
    session: Session, branches: Sequence[Select[Any]], within: ColumnElement[bool], descending: bool, size: int
) -> list[Key]:
    """The sort keys of the first ``size`` tasks of the branches ``within`` a range of deadlines."""
    ranged = [b.add_columns(Task.real_due_at).where(within) for b in branches]
    return [(due, row) for row, due in session.execute(_merged(ranged, (Task.real_due_at, Task.id), descending, size))]


def severities(session: Session, user: User) -> list[str]:
    """The severities among the open tasks a user can see (the choices of the severity filter)."""
    visible = work_list_clause(user)
    return sorted(
        str(v)
        for v in session.scalars(
            select(Case.severity)
            .distinct()
            .join(Task, Task.case_id == Case.id)
            .where(visible, Case.severity.is_not(None))
        )
    )


def _due_soon(task: Task, case: Case, now: datetime, share: float) -> bool:
    """Past the reminder point (``share`` of the task's time), as the reminder itself counts it."""
    point = remind_at(task, case.clock_offset_seconds, share)
    return point is not None and now >= point


def case_list(
    session: Session,
    tz: tzinfo,
    sight: Sight,
    *,
    status: str | None = None,
    overdue: bool = False,
    search: str | None = None,
    preplan: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: str | None = None,
    per_page: int = 20,
    count_cap: int = COUNT_CAP,
) -> Page:
    """The cases ``sight`` may see, newest first (by id: ids are given as cases start); ``search``: holding this
    text (:mod:`engine.cases.search`); ``since``/``until``: started in [since, until); ``after``: the cursor of the
    page before. Each part of the visibility rule is read in id order from an index, up to the page."""
    step = aliased(Task)
    late = exists().where(step.case_id == Case.id, step.status == "open", step.real_due_at < clock.real_now())
    filters: list[ColumnElement[bool]] = []
    if status:
        filters.append(Case.status == status)
    if overdue:
        filters.append(late)
    if preplan:  # ``+ 0``: checked per case read, never a range of the version index (out of the list's order)
        filters.append((Case.version_id + 0).in_(_versions_of(preplan)))
    filters += _period(Case.started_at, since, until)
    found = matching(session, Case.id, search or "")
    if found is not None:
        filters.append(found)
    parts = [(Case.id, ~Case.is_trial)] if sight.user is None else case_list_parts(sight.user, sight.org)
    branches = [_case_ids(column, part, filters) for column, part in parts]
    in_order = [b.order_by(column.desc()) for b, (column, _) in zip(branches, parts, strict=True)]
    total, capped = _capped_count(session, in_order, count_cap)  # counted in index order too, up to the cap

    start = position(after)
    before = start[1] if start is not None and start[0] is None else None  # a case cursor holds no instant
    size = per_page + 1
    union = union_all(
        *(
            (b if before is None else b.where(column < before)).limit(size).subquery().select()
            for b, (column, _) in zip(in_order, parts, strict=True)
        )
    ).subquery()
    keys: list[Key] = [
        (None, row) for row in session.scalars(select(union.c.id).distinct().order_by(union.c.id.desc()).limit(size))
    ]

    shown = keys[:per_page]
    rows = session.execute(
        select(Case, Preplan, late.label("late"))
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan)
        .where(Case.id.in_([row for _, row in shown]))
        .order_by(Case.id.desc())
    )
    items = [
        {
            "case": case.id,
            "business_key": case.business_key,
            "title": case.title,
            "preplan": plan.key,
            "unit": case.unit_key,
            "unit_name": sight.org.path(case.unit_key),
            "version_id": case.version_id,
            "preplan_title": {"zh": plan.title_zh, "en": plan.title_en},
            "status": case.status,
            "severity": case.severity,
            "is_drill": case.is_drill,
            "overdue": bool(is_late),
            "started_at": iso(case.started_at, tz),
            "ended_at": iso(case.ended_at, tz),
        }
        for case, plan, is_late in rows
    ]
    following = cursor(shown[-1]) if len(keys) > per_page else None
    return Page(items, total, capped, following, before is None)
