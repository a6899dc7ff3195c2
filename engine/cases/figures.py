"""The figures of a period, for the dashboards and ``preplan report``: per preplan and severity, the cases opened
and closed, the closure and on-time rates, handling times, overdue work, escalations, trends by week and month,
and the top categories and units.

They are read from the projections (case, task and event rows) with aggregates, never by loading a workflow, and
scoped by the one visibility rule (:class:`Sight`) and a unit with the units below it. Drills are counted only
when asked for, and then alone, so rehearsals never mix with the real figures. Trends and percentiles are taken
in Python from the narrow timestamps of the period's cases: bucketing by local week needs the time zone, which
SQLite and PostgreSQL express differently.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from engine import clock
from engine.cases.sight import Sight
from engine.errors import ValidationFailed, say
from engine.store.models import Case, Event, Preplan, PreplanVersion, Task
from engine.store.records import newest_active_version

#: How many categories and units the top lists name.
TOP = 5


@dataclass(frozen=True)
class Period:
    """Whole days ``start``…``end`` (both included) in the organisation's time zone."""

    start: date
    end: date
    tz: tzinfo

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(say("the period ends before it starts"), {"to": say("before the start")})

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.tz)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz)

    def holds(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.since, column < self.until)

    def holds_instant(self, instant: datetime | None) -> bool:
        return instant is not None and self.since <= instant < self.until

    def weeks(self) -> list[str]:
        return list(dict.fromkeys(_week(day) for day in self._days()))

    def months(self) -> list[str]:
        return list(dict.fromkeys(_month(day) for day in self._days()))

    def _days(self) -> Iterator[date]:
        for offset in range((self.end - self.start).days + 1):
            yield self.start + timedelta(days=offset)


@dataclass
class Tally:
    """The figures of one group of cases (a preplan, or one severity of it)."""

    opened: int = 0
    closed: int = 0
    terminated: int = 0
    closed_of_opened: int = 0
    on_time: int = 0
    late: int = 0
    overdue_now: int = 0
    escalations: int = 0
    hours: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        hours = sorted(self.hours)
        return {
            "opened": self.opened,
            "closed": self.closed,
            "terminated": self.terminated,
            "closure_rate": rate(self.closed_of_opened, self.opened),
            "on_time": self.on_time,
            "late": self.late,
            "on_time_rate": rate(self.on_time, self.on_time + self.late),
            "median_hours": percentile(hours, 0.5),
            "p90_hours": percentile(hours, 0.9),
            "overdue_now": self.overdue_now,
            "escalations": self.escalations,
        }


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(ordered: list[float], share: float) -> float | None:
    """Linear interpolation between the nearest ranks (PostgreSQL's ``percentile_cont``)."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 2)


def figures(
    session: Session,
    sight: Sight,
    period: Period,
    *,
    preplan: str | None = None,
    units: Iterable[str] | None = None,
    drills: bool = False,
) -> list[dict[str, Any]]:
    """One entry per preplan with cases in the period (or overdue work now), by preplan key.

    A case counts as opened when it started in the period and as closed when it completed in it; the closure
    rate is the share of the period's opened cases completed by the period's end. A step with a deadline is on
    time when completed by it, late when completed after it, cut off by it (an interrupting deadline fired) or
    still open past it; the on-time figures are those of the steps of the cases opened in the period. Handling
    time runs from start to completion of the cases closed in the period. Escalations are the interrupting
    deadlines that fired in the period. ``units`` None is every unit the viewer may see."""
    scope = _Scope(sight, preplan, units, drills)
    report = _Report(period)
    in_period = or_(period.holds(Case.started_at), period.holds(Case.ended_at))
    completed = Case.status == "completed"
    for key, severity, opened, closed_of_opened, closed, terminated in session.execute(
        scope.cases(
            func.sum(when((period.holds(Case.started_at), 1), else_=0)),
            func.sum(when((period.holds(Case.started_at) & completed & (Case.ended_at < period.until), 1), else_=0)),
            func.sum(when((period.holds(Case.ended_at) & completed, 1), else_=0)),
            func.sum(when((period.holds(Case.ended_at) & (Case.status == "terminated"), 1), else_=0)),
        ).where(in_period)
    ):
        report.add(
            key,
            severity,
            opened=int(opened or 0),
            closed_of_opened=int(closed_of_opened or 0),
            closed=int(closed or 0),
            terminated=int(terminated or 0),
        )
    for key, severity, status, started, ended in session.execute(
        scope.rows(Case.status, Case.started_at, Case.ended_at).where(in_period)
    ):
        report.timestamps(key, severity, status, started, ended)
    _steps(session, scope, period, report)
    now = clock.real_now()
    for key, severity, overdue in session.execute(
        scope.cases(func.count(Task.id))
        .join(Task, Task.case_id == Case.id)
        .where(Task.status == "open", Task.real_due_at < now)
    ):
        report.add(key, severity, overdue_now=int(overdue))
    for key, severity, fired in session.execute(
        scope.cases(func.count(Event.id))
        .join(Event, Event.case_id == Case.id)
        .where(
            Event.kind == "timer_fired",
            period.holds(Event.at),
            Event.details["interrupting"].as_boolean(),
            Event.details["boundary"].as_boolean(),
        )
    ):
        report.add(key, severity, escalations=int(fired))
    for key, unit, opened in session.execute(
        scope.grouped(Case.unit_key, func.count(Case.id)).where(period.holds(Case.started_at))
    ):
        report.units[key][unit] = int(opened)
    for key in sorted(report.groups):
        _categories(session, scope, period, report, key)
    titles = {
        key: {"zh": zh, "en": en}
        for key, zh, en in session.execute(
            select(Preplan.key, Preplan.title_zh, Preplan.title_en).where(Preplan.key.in_(sorted(report.groups)))
        )
    }
    return [report.entry(key, titles[key], drills) for key in sorted(report.groups)]


def empty(period: Period, key: str, title: dict[str, str], *, drills: bool = False) -> dict[str, Any]:
    """The figures of a preplan with nothing in the period."""
    return _Report(period).entry(key, title, drills)


class _Scope:
    """The cases counted: visible complaints (a periodic duty's case is not one), of the preplan (if named), in the
    units (if named), drills or real ones."""

    def __init__(self, sight: Sight, preplan: str | None, units: Iterable[str] | None, drills: bool) -> None:
        self.conditions: list[ColumnElement[bool]] = [
            Case.is_drill.is_(drills),
            ~Case.is_trial,
            Case.duty.is_(None),
            sight.cases,
        ]
        if preplan is not None:
            self.conditions.append(Preplan.key == preplan)
        if units is not None:
            self.conditions.append(Case.unit_key.in_(sorted(units)))

    def rows(self, *columns: Any) -> Select[Any]:
        return (
            select(Preplan.key, Case.severity, *columns)
            .select_from(Case)
            .join(PreplanVersion, Case.version_id == PreplanVersion.id)
            .join(Preplan, PreplanVersion.preplan_id == Preplan.id)
            .where(*self.conditions)
        )

    def cases(self, *aggregates: Any) -> Select[Any]:
        """Aggregates per preplan and severity."""
        return self.rows(*aggregates).group_by(Preplan.key, Case.severity)

    def grouped(self, column: Any, *aggregates: Any) -> Select[Any]:
        """Aggregates per preplan and ``column``."""
        return (
            select(Preplan.key, column, *aggregates)
            .select_from(Case)
            .join(PreplanVersion, Case.version_id == PreplanVersion.id)
            .join(Preplan, PreplanVersion.preplan_id == Preplan.id)
            .where(*self.conditions)
            .group_by(Preplan.key, column)
        )


def deadline_outcomes(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """How a step with a deadline fared, the one rule of every figure (here and :mod:`engine.cases.stats`): kept
    (completed by its deadline, the instant itself included), missed (completed after it, or cut off by it: an
    interrupting deadline takes the step away at its very instant) and overdue (still open past it at ``now``)."""
    kept = (Task.status == "completed") & (Task.completed_at <= Task.due_at)
    missed = or_(
        (Task.status == "completed") & (Task.completed_at > Task.due_at),
        (Task.status == "cancelled") & (Task.completed_at >= Task.due_at),
    )
    return kept, missed, (Task.status == "open") & (Task.real_due_at < now)


def _steps(session: Session, scope: _Scope, period: Period, report: _Report) -> None:
    """On time and late per step and role, over the steps with a deadline of the cases opened in the period (a
    step still open past its deadline is late)."""
    on_time, cut_or_late, overdue = deadline_outcomes(clock.real_now())
    late = or_(cut_or_late, overdue)
    rows = session.execute(
        scope.rows(
            Task.bpmn_id,
            Task.role,
            func.min(Task.name),
            func.sum(when((on_time, 1), else_=0)),
            func.sum(when((late, 1), else_=0)),
        )
        .join(Task, Task.case_id == Case.id)
        .where(period.holds(Case.started_at), Task.due_at.is_not(None))
        .group_by(Preplan.key, Case.severity, Task.bpmn_id, Task.role)
    )
    for key, severity, bpmn_id, role, name, kept, missed in rows:
        kept, missed = int(kept or 0), int(missed or 0)
        if kept or missed:
            report.step(key, severity, bpmn_id, role, name, kept, missed)


def _categories(session: Session, scope: _Scope, period: Period, report: _Report, key: str) -> None:
    """The cases opened per value of the preplan's category field (``[case] category``: what the complaint is
    about, e.g. Vanke's 投诉内容类别), or of its severity field when it names none."""
    case = newest_active_version(session, key, active=False).manifest.get("case", {})
    name = case.get("category") or case.get("severity")
    if not isinstance(name, str):
        return
    value = Case.data[name].as_string()
    for _key, found, opened in session.execute(
        scope.grouped(value, func.count(Case.id)).where(Preplan.key == key, period.holds(Case.started_at))
    ):
        report.categories[key][found or ""] = int(opened)
    report.category_field[key] = name


class _Report:
    """What the queries found, gathered per preplan (and severity, step, role, unit, week and month)."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.groups: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
        self.steps: dict[str, dict[tuple[str, str], list[Any]]] = defaultdict(dict)
        self.roles: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self.weeks: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self.months: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self.units: dict[str, dict[str, int]] = defaultdict(dict)
        self.categories: dict[str, dict[str, int]] = defaultdict(dict)
        self.category_field: dict[str, str] = {}

    def add(self, key: str, severity: str | None, **counts: int) -> None:
        tally = self.groups[key][severity or ""]
        for name, value in counts.items():
            setattr(tally, name, getattr(tally, name) + value)

    def timestamps(
        self, key: str, severity: str | None, status: str, started: datetime, ended: datetime | None
    ) -> None:
        """A case started or ended in the period: its week and month, and its handling time once completed."""
        tz = self.period.tz
        if self.period.holds_instant(started):
            local = started.astimezone(tz).date()
            self.weeks[key][_week(local), "opened"] += 1
            self.months[key][_month(local), "opened"] += 1
        if ended is not None and status == "completed" and self.period.holds_instant(ended):
            local = ended.astimezone(tz).date()
            self.weeks[key][_week(local), "closed"] += 1
            self.months[key][_month(local), "closed"] += 1
            self.groups[key][severity or ""].hours.append((ended - started).total_seconds() / 3600)

    def step(self, key: str, severity: str | None, bpmn_id: str, role: str, name: str, kept: int, missed: int) -> None:
        self.add(key, severity, on_time=kept, late=missed)
        found = self.steps[key].setdefault((bpmn_id, role), [name, 0, 0])
        found[1] += kept
        found[2] += missed
        self.roles[key][role, "on_time"] += kept
        self.roles[key][role, "late"] += missed

    def entry(self, key: str, title: dict[str, str], drills: bool) -> dict[str, Any]:
        period = self.period
        groups = self.groups[key]
        total = Tally()
        for tally in groups.values():
            for name, value in vars(tally).items():
                setattr(total, name, getattr(total, name) + value)
        by_severity = {severity: tally.as_json() for severity, tally in sorted(groups.items())}
        return {
            "preplan": key,
            "title": title,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "drills": drills,
            **total.as_json(),
            "by_severity": by_severity,
            "by_step": [
                {"bpmn_id": bpmn_id, "name": name, "role": role, **_kept(kept, missed)}
                for (bpmn_id, role), (name, kept, missed) in sorted(self.steps[key].items())
            ],
            "by_role": [
                {"role": role, **_kept(self.roles[key][role, "on_time"], self.roles[key][role, "late"])}
                for role in sorted({role for role, _ in self.roles[key]})
            ],
            "trend": {
                "week": [_point(week, self.weeks[key]) for week in period.weeks()],
                "month": [_point(month, self.months[key]) for month in period.months()],
            },
            "top_categories": [
                {"field": self.category_field[key], "value": value, "opened": opened}
                for value, opened in sorted(self.categories[key].items(), key=lambda item: (-item[1], item[0]))
            ][:TOP],
            "top_units": [
                {"unit": unit, "opened": opened}
                for unit, opened in sorted(self.units[key].items(), key=lambda item: (-item[1], item[0]))
            ][:TOP],
        }


def _kept(on_time: int, late: int) -> dict[str, Any]:
    return {"on_time": on_time, "late": late, "on_time_rate": rate(on_time, on_time + late)}


def _point(label: str, counts: Counter[tuple[str, str]]) -> dict[str, Any]:
    return {"period": label, "opened": counts[label, "opened"], "closed": counts[label, "closed"]}


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"
