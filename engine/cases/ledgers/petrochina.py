"""PetroChina's appraisal ledger (加油站投诉处理管理办法 第十四条; processes/petrochina_station/README.md, "Appraisal
ledger"): per station and area the points its complaints cost each month, per person the fines, and over the
calendar year the running count of valid complaints per station and of responsible complaints per person with
the consequences the text attaches to them.

Read from what the cases recorded: the classification (``nature``), the responsibility step (names, counts) and
the penalties ``penalties.dmn`` decided (``fines_yuan``, ``area_points``, ``sanctions``). Choices where the text is
silent (the README's "Appraisal ledger"):

* a complaint belongs to the month and year its case was registered in (受理, 第十三条1), as the counts do;
* points and fines count once the station's supervising department has approved the handling opinion
  (第十二条7 "批示后执行"); a complaint still before that counts only in the running count;
* the running count of a complaint is the larger of its place in the ledger and the count its penalties were
  decided by (a count corrected for complaints from before the system, with an audited reason);
* the 片区 of a station is the nearest unit of kind ``area`` above it, else the unit it lies in;
* a person is told apart by name within the unit of their share (the station for the direct person and the
  station manager, the area for the area manager); an unnamed share stays with its unit (``name`` null).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from engine.cases.ledgers.period import Period, completed_steps, real_cases, ref
from engine.cases.sight import Sight
from engine.people.org import Org

PREPLAN = "petrochina_station"
#: 第十二条7: the supervising department's approval, after which the fines are executed.
APPROVAL = "Task_SupervisorApproval"
#: The share of the fines (``fines_yuan``) each responsible person bears, and the field naming them (第十四条2).
SHARES = {"direct": "direct_person", "station_manager": "station_manager_name", "area_manager": "area_manager_name"}
#: Whose consequence each recorded sanction is (第十四条1, 3–5); ``station_no_awards`` is the station's.
SANCTION_OF = {
    "dismiss_direct": "direct",
    "direct_no_awards": "direct",
    "warn_and_transfer_direct": "direct",
    "terminate_direct": "direct",
    "manager_no_awards": "station_manager",
    "demote_station_manager": "station_manager",
}
STATION_SANCTION = "station_no_awards"
#: 第十四条4: the station's 2nd valid complaint doubles the station manager's share (levels 2 and 3 carry fines).
DOUBLED = "manager_fine_doubled"
NO_AWARDS = {"station_no_awards", "direct_no_awards", "manager_no_awards"}


@dataclass
class Complaint:
    """One valid complaint of the year, as its case recorded it."""

    case: Row[Any]
    at: datetime
    station: str
    area: str
    approved: bool
    station_count: int = 0
    person_count: int = 0

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.case.data or {})

    @property
    def responsible(self) -> bool:
        return self.data.get("station_responsible") is True

    def person(self, share: str) -> str | None:
        return str(self.data.get(SHARES[share]) or "").strip() or None

    def consequences(self) -> list[tuple[str, str]]:
        """(whose: station or a share, code) of the sanctions this complaint brought, once approved."""
        if not self.approved:
            return []
        sanctions = [str(s) for s in self.data.get("sanctions") or []]
        found = [
            ("station", s) if s == STATION_SANCTION else (SANCTION_OF[s], s)
            for s in sanctions
            if s in SANCTION_OF or s == STATION_SANCTION
        ]
        if self.data.get("level") in (2, 3) and int(self.data.get("station_complaints_this_year") or 0) >= 2:
            found.append(("station_manager", DOUBLED))
        return found


def ledger(session: Session, sight: Sight, tz: tzinfo, period: Period) -> dict[str, Any]:
    cases = real_cases(sight, PREPLAN, period.year_start, period.end)
    approved = {step.case_id for step in completed_steps(session, cases, APPROVAL)}
    complaints = [
        _complaint(row, sight.org, tz, approved)
        for row in session.execute(cases)
        if (row.data or {}).get("nature") == "valid"
    ]
    _count(complaints)
    within = [c for c in complaints if period.contains(c.at)]
    return {
        "preplan": PREPLAN,
        "year": period.year,
        "month": period.first if period.first == period.last else None,
        **period.as_json(),
        "totals": {
            "valid_complaints": _figure(within),
            "points": _points(within),
            "fines_yuan": _fines(within),
        },
        "stations": _stations(complaints, within, sight.org, period),
        "areas": _areas(within, sight.org, period),
        "people": _people(complaints, period, sight.org),
    }


def _complaint(row: Row[Any], org: Org, tz: tzinfo, approved: set[int]) -> Complaint:
    return Complaint(row, row.started_at.astimezone(tz), row.unit_key, area_of(row.unit_key, org), row.id in approved)


def area_of(station: str, org: Org) -> str:
    """The station's 片区: the nearest unit of kind ``area`` above it, else the unit it lies in."""
    area = org.nearest(station, "area")
    if area in org and org.units[area].kind == "area":
        return area
    info = org.units.get(station)
    return info.parent if info is not None and info.parent is not None else station


def _count(complaints: list[Complaint]) -> None:
    """Each complaint's place in its station's year (第十四条4) and, when the station is responsible and the direct
    person named, in that person's (第十四条5); raised to the count its penalties were decided by."""
    stations: dict[str, int] = {}
    persons: dict[tuple[str, str], int] = {}
    for c in complaints:
        stations[c.station] = stations.get(c.station, 0) + 1
        c.station_count = max(stations[c.station], int(c.data.get("station_complaints_this_year") or 0))
        direct = c.person("direct")
        if c.responsible and direct is not None:
            key = (c.station, direct)
            persons[key] = persons.get(key, 0) + 1
            c.person_count = max(persons[key], int(c.data.get("person_complaints_this_year") or 0))


def _figure(complaints: Iterable[Complaint], value: int | None = None) -> dict[str, Any]:
    """A number and the cases it counts."""
    counted = list(complaints)
    return {"value": len(counted) if value is None else value, "cases": [ref(c.case) for c in counted]}


def _points(complaints: Iterable[Complaint]) -> dict[str, Any]:
    """第十四条1: 20 points for a 一级 complaint, 5 for a 二级 or 三级 one, as each case recorded them."""
    counted = [c for c in complaints if c.approved and c.data.get("area_points")]
    return _figure(counted, sum(int(c.data["area_points"]) for c in counted))


def _fines(complaints: Iterable[Complaint]) -> dict[str, Any]:
    counted = [c for c in complaints if c.approved and c.data.get("fines_yuan")]
    return _figure(counted, sum(_amount(c, share) for c in counted for share in SHARES))


def _amount(complaint: Complaint, share: str) -> int:
    return int((complaint.data.get("fines_yuan") or {}).get(share) or 0)


def _by_month(complaints: list[Complaint], period: Period) -> list[dict[str, Any]]:
    months = range(period.first, period.last + 1)
    return [{"month": m, "points": _points(c for c in complaints if c.at.month == m)} for m in months]


def _first(found: Iterable[tuple[str, Complaint]]) -> list[dict[str, Any]]:
    """Each consequence once, with the complaint that brought it first (it holds for the rest of the year)."""
    seen: dict[str, Complaint] = {}
    for code, complaint in found:
        seen.setdefault(code, complaint)
    return [{"code": code, **ref(c.case)} for code, c in seen.items()]


def _tree_order(org: Org) -> Callable[[str], int]:
    """Units as the organisation shows them: parents first, siblings by name."""
    rank = {info.key: i for i, (_, info) in enumerate(org.ordered())}
    return lambda unit: rank.get(unit, len(rank))


def _stations(complaints: list[Complaint], within: list[Complaint], org: Org, period: Period) -> list[dict[str, Any]]:
    lines = []
    for station in sorted({c.station for c in complaints}, key=_tree_order(org)):
        year = [c for c in complaints if c.station == station]
        own = [c for c in within if c.station == station]
        area = year[0].area
        consequences = _first((code, c) for c in year for whose, code in c.consequences() if whose == "station")
        lines.append(
            {
                "unit": station,
                "name": org.name(station),
                "area": area,
                "area_name": org.name(area),
                "valid_complaints": _figure(own),
                "points": _points(own),
                "by_month": _by_month(own, period),
                "running_count": _figure(year, max(c.station_count for c in year)),
                "consequences": consequences,
                "honours_eligible": not consequences,
            }
        )
    return lines


def _areas(within: list[Complaint], org: Org, period: Period) -> list[dict[str, Any]]:
    lines = []
    for area in sorted({c.area for c in within}, key=_tree_order(org)):
        own = [c for c in within if c.area == area]
        lines.append(
            {
                "unit": area,
                "name": org.name(area),
                "stations": sorted({c.station for c in own}),
                "valid_complaints": _figure(own),
                "points": _points(own),
                "by_month": _by_month(own, period),
            }
        )
    return lines


@dataclass
class _Person:
    name: str | None
    unit: str
    shares: dict[str, int]
    fined: list[Complaint]
    responsible: list[Complaint]
    consequences: list[tuple[str, Complaint]]


def _people(complaints: list[Complaint], period: Period, org: Org) -> list[dict[str, Any]]:
    people: dict[tuple[str, str | None], _Person] = {}

    def person(complaint: Complaint, share: str) -> _Person:
        unit = complaint.area if share == "area_manager" else complaint.station
        name = complaint.person(share)
        return people.setdefault((unit, name), _Person(name, unit, {}, [], [], []))

    for c in complaints:
        if c.responsible and c.person("direct") is not None:
            person(c, "direct").responsible.append(c)
        for whose, code in c.consequences():
            if whose != "station":
                person(c, whose).consequences.append((code, c))
        if c.approved and period.contains(c.at):
            for share in SHARES:
                amount = _amount(c, share)
                if amount:
                    p = person(c, share)
                    p.shares[share] = p.shares.get(share, 0) + amount
                    if c not in p.fined:
                        p.fined.append(c)
    lines = []
    order = _tree_order(org)
    for (unit, name), p in sorted(people.items(), key=lambda item: (order(item[0][0]), item[0][1] or "")):
        codes = [code for code, _ in p.consequences]
        lines.append(
            {
                "name": name,
                "unit": unit,
                "unit_name": org.name(unit),
                "fines_yuan": {**_figure(p.fined, sum(p.shares.values())), "shares": p.shares},
                "responsible_complaints": _figure(
                    p.responsible, max((c.person_count for c in p.responsible), default=0)
                ),
                "consequences": _first(p.consequences),
                "honours_eligible": not NO_AWARDS & set(codes),
            }
        )
    return lines
