"""Appraisal ledgers: the figures a preplan's source appraises units and people by, counted from what the cases
recorded, each with the cases it counts. One per preplan whose source names an appraisal; who may read it is
:func:`engine.people.access.may_read_ledger` with the roles the source gives the appraisal to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.ledgers import petrochina, vanke
from engine.cases.ledgers.period import Period
from engine.cases.sight import Sight
from engine.errors import NotFound, ValidationFailed, say


@dataclass(frozen=True)
class Ledger:
    #: ``month`` (PetroChina's monthly area and station appraisal) or ``quarter`` (Vanke's specialists)
    part: str
    #: who keeps or is answerable for the appraisal in the source, besides supervisors and admins
    roles: frozenset[str]


LEDGERS = {
    # 第十四条 (the CSC judges and issues the opinion, 第十二条7; its supervising department and leader approve it;
    # HR countersigns sanctions): processes/petrochina_station/README.md, Appraisal ledger.
    petrochina.PREPLAN: Ledger(
        "month",
        frozenset({"petrochina_csc", "petrochina_leader", "petrochina_station_supervisor", "petrochina_hr"}),
    ),
    # 4.1.6: the 客户服务中心 appraises the specialists.
    vanke.PREPLAN: Ledger("quarter", frozenset({"vanke_csc"})),
}
YEARS = range(2000, 2100)


def ledger_of(preplan: str) -> Ledger:
    found = LEDGERS.get(preplan)
    if found is None:
        raise NotFound(say("preplan %(preplan)s keeps no appraisal ledger", preplan=preplan[:80]))
    return found


def compute(
    session: Session, sight: Sight, tz: tzinfo, preplan: str, year: int, part: int | None = None
) -> dict[str, Any]:
    """The ledger of ``preplan`` for ``year``, or one month / quarter of it (``part``)."""
    kind = ledger_of(preplan).part
    last = 12 if kind == "month" else 4
    problems = {}
    if year not in YEARS:
        problems["year"] = say("a year from 2000 to 2099")
    if part is not None and not 1 <= part <= last:
        problems[kind] = say("a number from 1 to %(last)s", last=last)
    if problems:
        raise ValidationFailed(say("the ledger's period is not valid"), problems)
    parts = range(part, part + 1) if part is not None else range(1, last + 1)
    if kind == "quarter":
        return vanke.ledger(session, sight, tz, year, parts)
    return petrochina.ledger(session, sight, tz, Period(year, parts.start, parts.stop - 1, tz))
