"""Statistics per preplan: cases by status, open and overdue work, deadlines met. Drills are left out unless
asked for, so rehearsals never distort the real figures, and so are the periodic duties' cases (not complaints); a
viewer counts only the cases they may see. A deadline kept or missed is judged by the figures' one rule
(:func:`engine.cases.figures.deadline_outcomes`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.cases.figures import deadline_outcomes
from engine.cases.sight import Sight
from engine.store.models import Case, Preplan, PreplanVersion, Task


def statistics(session: Session, sight: Sight, *, drills: bool = False) -> list[dict[str, Any]]:
    now = clock.real_now()
    keyed = (
        select(Preplan.key, Preplan.title_zh, Preplan.title_en, Case.id.label("case_id"), Case.status, Case.is_drill)
        .join(PreplanVersion, Preplan.id == PreplanVersion.preplan_id)
        .join(Case, Case.version_id == PreplanVersion.id)
        .where(Case.is_drill.is_(drills), ~Case.is_trial, Case.duty.is_(None), sight.cases)
        .subquery()
    )
    cases = session.execute(
        select(keyed.c.key, keyed.c.title_zh, keyed.c.title_en, keyed.c.status, func.count()).group_by(
            keyed.c.key, keyed.c.title_zh, keyed.c.title_en, keyed.c.status
        )
    )
    result: dict[str, dict[str, Any]] = {}
    for key, zh, en, status, count in cases:
        row = result.setdefault(
            key,
            {
                "preplan": key,
                "title": {"zh": zh, "en": en},
                "cases": {},
                "open_tasks": 0,
                "overdue_tasks": 0,
                "deadlines_met": 0,
                "deadlines_missed": 0,
            },
        )
        row["cases"][status] = count
    kept, missed, overdue = deadline_outcomes(now)
    tasks = session.execute(
        select(
            keyed.c.key,
            func.sum(when((Task.status == "open", 1), else_=0)),
            func.sum(when((overdue, 1), else_=0)),
            func.sum(when((kept, 1), else_=0)),
            func.sum(when((missed, 1), else_=0)),
        )
        .join(Task, Task.case_id == keyed.c.case_id)
        .group_by(keyed.c.key)
    )
    for key, open_, overdue, met, missed in tasks:
        result[key].update(
            open_tasks=int(open_ or 0),
            overdue_tasks=int(overdue or 0),
            deadlines_met=int(met or 0),
            deadlines_missed=int(missed or 0),
        )
    return [result[key] for key in sorted(result)]
