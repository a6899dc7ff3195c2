"""The lists people work from: my tasks (filtered, sorted by deadline, paged) and, for supervisors, cases.

Both are single indexed queries on the projections; overdue is judged in real time (``real_due_at``) so drill
cases, whose deadlines are in their own virtual time, sort and filter correctly beside real ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TypeVarTuple

from sqlalchemy import Result, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.cases.projection import remind_at
from engine.cases.sight import Sight
from engine.cases.views import task_view
from engine.people.access import work_list_clause
from engine.people.org import Org
from engine.store.models import Case, Preplan, PreplanVersion, Task, User
from engine.timefmt import iso

Row = TypeVarTuple("Row")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _paged(session: Session, statement: Select[*Row], page: int, per_page: int) -> tuple[int, int, Result[*Row]]:
    """One page; a page number past the end (or below 1) shows the nearest page that exists."""
    total = session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    return total, page, session.execute(statement.limit(per_page).offset((page - 1) * per_page))


def work_list(
    session: Session,
    tz: tzinfo,
    user: User,
    org: Org,
    *,
    preplan: str | None = None,
    severity: str | None = None,
    overdue: bool = False,
    scope: str = "all",
    page: int = 1,
    per_page: int = 20,
    descending: bool = False,
    reminder_share: float,
) -> Page:
    """Tasks assigned to ``user`` and unclaimed tasks of the user's roles. ``scope``: all | mine | unassigned.
    ``reminder_share`` is the settings' (``PREPLAN_REMINDER_SHARE``): "due soon" is when the reminder goes out."""
    # The page is chosen on the task table alone (one index range per role held, then a sort of the matching ids);
    # only its rows are joined to their cases and preplans.
    chosen = select(Task.id).where(work_list_clause(user, scope))
    if preplan or severity:
        chosen = chosen.join(Case, Task.case_id == Case.id)
    if preplan:
        chosen = chosen.where(
            Case.version_id.in_(select(PreplanVersion.id).join(Preplan).where(Preplan.key == preplan))
        )
    if severity:
        chosen = chosen.where(Case.severity == severity)
    if overdue:
        chosen = chosen.where(Task.real_due_at < clock.real_now())
    due = Task.real_due_at.desc() if descending else Task.real_due_at
    order = (Task.real_due_at.is_(None), due, Task.id)
    total, page, ids = _paged(session, chosen.order_by(*order), page, per_page)
    rows = session.execute(
        select(Task, Case, Preplan)
        .join(Case, Task.case_id == Case.id)
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan)
        .where(Task.id.in_(ids.scalars().all()))
        .order_by(*order)
    )
    now = clock.real_now()
    items = []
    for task, case, plan in rows:
        view = task_view(task, case, plan.key, tz)
        view.update(
            preplan_title={"zh": plan.title_zh, "en": plan.title_en},
            case_title=case.title,
            unit_name=org.path(task.unit_key),
            severity=case.severity,
            due_soon=_due_soon(task, case, now, reminder_share) and not view["overdue"],
        )
        items.append(view)
    return Page(items, total, page, per_page)


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
    page: int = 1,
    per_page: int = 20,
) -> Page:
    late = exists().where(Task.case_id == Case.id, Task.status == "open", Task.real_due_at < clock.real_now())
    chosen = select(Case.id).where(sight.cases)  # the page is chosen on the cases alone, then joined
    if status:
        chosen = chosen.where(Case.status == status)
    if overdue:
        chosen = chosen.where(late)
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        chosen = chosen.where(or_(Case.business_key.ilike(pattern), Case.title.ilike(pattern)))
    order = (Case.started_at.desc(), Case.id.desc())
    total, page, ids = _paged(session, chosen.order_by(*order), page, per_page)
    rows = session.execute(
        select(Case, Preplan, late.label("late"))
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan)
        .where(Case.id.in_(ids.scalars().all()))
        .order_by(*order)
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
    return Page(items, total, page, per_page)
