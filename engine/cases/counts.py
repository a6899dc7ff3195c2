"""Numbers the case history already holds, so that no clerk types them: how many complaints of the same kind the
same station had this year (PetroChina's fines), how many different people raised the same issue in the last
month (Vanke's severity). ``preplan.toml`` declares each under ``[counts.<field>]``::

    period = "year"             # the natural year of the case's start, or "30d": the 30 days up to it
    where = { nature = "valid" }  # the cases that count (this one included: "含本次")
    same = ["direct_person"]    # … and have the same value as this case in these fields
    distinct = "contact"        # count different values of this field instead of cases

Only real cases of the same unit count: drills, terminated cases and other units never do. When this case itself
does not match ``where`` the count is 0 (it is not a complaint of that kind). A clerk may correct a count, with a
reason that is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Case


@dataclass(frozen=True)
class Counting:
    """What a count is taken for: the case's unit, its start, its data so far and (once it exists) its id."""

    unit: str
    started_at: datetime
    data: Mapping[str, Any]
    case_id: int | None = None


@dataclass(frozen=True)
class Counted:
    name: str
    value: int
    #: the other cases counted: (id, business key), oldest first
    cases: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.name, "value": self.value, "cases": [{"case": i, "key": k} for i, k in self.cases]}


def window(period: str, started_at: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants a count looks at: from the start of the natural year (in the organisation's zone), or ``n``
    days back, up to the case's start."""
    if period == "year":
        local = started_at.astimezone(tz)
        return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0), started_at
    return started_at - timedelta(days=int(period.rstrip("d"))), started_at


def count(session: Session, name: str, spec: Mapping[str, Any], counting: Counting, tz: tzinfo) -> Counted:
    data = counting.data
    conditions: Mapping[str, Any] = spec.get("where", {})
    if not _matches(data, conditions):
        return Counted(name, 0)
    same = {f: data.get(f) for f in spec.get("same", [])}
    if any(v in (None, "") for v in same.values()):  # e.g. no responsible person named: nobody to count for
        return Counted(name, 0)
    since, until = window(str(spec.get("period", "year")), counting.started_at, tz)
    statement = (
        select(Case.id, Case.business_key, Case.data)
        .where(
            Case.unit_key == counting.unit,
            Case.is_drill.is_(False),
            ~Case.is_trial,
            Case.duty.is_(None),
            Case.status != "terminated",
            Case.started_at >= since,
            Case.started_at <= until,
        )
        .order_by(Case.started_at, Case.id)
    )
    if counting.case_id is not None:
        statement = statement.where(Case.id != counting.case_id)
    counted = [
        (case_id, key, other)
        for case_id, key, other in session.execute(statement)
        if _matches(other, conditions) and _matches(other, same)
    ]
    distinct = spec.get("distinct")
    if distinct:
        values = {_key(other.get(distinct)) for _, _, other in counted} | {_key(data.get(distinct))}
        value = len(values - {""})
    else:
        value = len(counted) + 1
    return Counted(name, value, [(case_id, key) for case_id, key, _ in counted])


def preview(
    session: Session, counts: Mapping[str, Mapping[str, Any]], schema: Mapping[str, Any], counting: Counting, tz: tzinfo
) -> dict[str, Counted]:
    """What the case history gives now for the counted fields of a form about to be filled, assuming this case is
    of the kind counted (the form may be what decides it; the count is taken again when it is sent)."""
    found = {}
    for name, spec in counts.items():
        if name in schema.get("properties", {}):
            assumed = {**counting.data, **spec.get("where", {})}
            found[name] = count(session, name, spec, replace(counting, data=assumed), tz)
    return found


def _matches(data: Mapping[str, Any], conditions: Mapping[str, Any]) -> bool:
    return all(data.get(f) == v for f, v in conditions.items())


def _key(value: Any) -> str:
    """Two complainants are the same when their entries differ only in case and spacing."""
    return "".join(str(value or "").split()).lower()
