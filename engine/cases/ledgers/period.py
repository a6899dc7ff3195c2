"""What every ledger reads: a period of a calendar year in the organisation's zone, and the real cases of one
preplan registered in it that a person may see (drills, terminated cases and the periodic duties' cases never count, as in
:mod:`engine.cases.counts`), with the steps they recorded. Rows only: no workflow is loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from engine.cases.sight import Sight
from engine.store.models import Case, Preplan, PreplanVersion, Task


@dataclass(frozen=True)
class Period:
    """Months ``first`` to ``last`` (inclusive) of ``year``."""

    year: int
    first: int
    last: int
    tz: tzinfo

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first, 1, tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        year, month = (self.year + 1, 1) if self.last == 12 else (self.year, self.last + 1)
        return datetime(year, month, 1, tzinfo=self.tz)

    @property
    def year_start(self) -> datetime:
        return datetime(self.year, 1, 1, tzinfo=self.tz)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def as_json(self) -> dict[str, str]:
        last_day = (self.end - timedelta(days=1)).date()
        return {"from": date(self.year, self.first, 1).isoformat(), "to": last_day.isoformat()}


def ref(case: Row[Any]) -> dict[str, Any]:
    """How a figure names a case it counts, so a page can link to it."""
    return {"case": case.id, "business_key": case.business_key}


def real_cases(sight: Sight, preplan: str, since: datetime, until: datetime) -> Select[Any]:
    """The real, not terminated cases of ``preplan`` registered in ``[since, until)`` that ``sight`` may see, in
    the order they were registered."""
    return (
        select(Case.id, Case.business_key, Case.unit_key, Case.started_at, Case.data)
        .join(PreplanVersion, Case.version_id == PreplanVersion.id)
        .join(Preplan, PreplanVersion.preplan_id == Preplan.id)
        .where(
            Preplan.key == preplan,
            Case.is_drill.is_(False),
            ~Case.is_trial,
            Case.duty.is_(None),
            Case.status != "terminated",
            Case.started_at >= since,
            Case.started_at < until,
            sight.cases,
        )
        .order_by(Case.started_at, Case.id)
    )


def completed_steps(session: Session, cases: Select[Any], bpmn_id: str) -> Sequence[Task]:
    """The completed steps ``bpmn_id`` of those cases, in the order they were completed."""
    ids = cases.with_only_columns(Case.id).order_by(None).scalar_subquery()
    return session.scalars(
        select(Task)
        .where(Task.case_id.in_(ids), Task.bpmn_id == bpmn_id, Task.status == "completed")
        .order_by(Task.completed_at, Task.id)
    ).all()
