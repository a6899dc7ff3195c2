"""The figures supervisors and leaders read (dashboards, ``preplan report``): one read, scoped by the visibility
rule, for a period and a unit with the units below it. Reading figures is for supervisors (and admins); a unit
outside those one supervises is refused rather than silently shown empty."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.figures import Period, empty, figures
from engine.cases.report_exports import figure_table
from engine.cases.sight import Sight
from engine.errors import NotFound, say
from engine.people import access
from engine.people.users import get_user
from engine.service.base import ServiceBase
from engine.store.records import newest_active_version
from engine.tabular import Table


class FigureOperations(ServiceBase):
    def figures(
        self,
        start: date,
        end: date,
        *,
        unit: str | None = None,
        drills: bool = False,
        user: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every preplan with cases in the period, as ``user`` may see them (None: the operator sees all)."""
        with self.db.read() as session:
            sight, units = self._figure_scope(session, unit, user)
            return figures(session, sight, Period(start, end, self.tz), units=units, drills=drills)

    def report(
        self,
        preplan: str,
        start: date,
        end: date,
        *,
        unit: str | None = None,
        drills: bool = False,
        user: str | None = None,
    ) -> dict[str, Any]:
        """The figures of one preplan (zeros when nothing happened in the period)."""
        with self.db.read() as session:
            version = newest_active_version(session, preplan, active=False)
            sight, units = self._figure_scope(session, unit, user)
            period = Period(start, end, self.tz)
            found = figures(session, sight, period, preplan=preplan, units=units, drills=drills)
            title = {"zh": version.preplan.title_zh, "en": version.preplan.title_en}
            return found[0] if found else empty(period, preplan, title, drills=drills)

    def figure_table(
        self,
        start: date,
        end: date,
        *,
        preplan: str | None = None,
        unit: str | None = None,
        drills: bool = False,
        user: str | None = None,
    ) -> Table:
        """The figures as a table to export: of one preplan (:meth:`report`) or of every one (:meth:`figures`)."""
        scope: dict[str, Any] = {"unit": unit, "drills": drills, "user": user}
        entries = [self.report(preplan, start, end, **scope)] if preplan else self.figures(start, end, **scope)
        with self.db.read() as session:
            manifests = {
                e["preplan"]: self.versions.newest(session, e["preplan"], active=False).manifest for e in entries
            }
        return figure_table(entries, manifests)

    def figure_units(self, *, user: str) -> list[dict[str, Any]]:
        """The units whose figures ``user`` may choose, in the organisation's order: {"key", "name", "depth"}."""
        with self.db.read() as session:
            sight = Sight(session, self.versions, get_user(session, user))
            assert sight.user is not None
            supervised = access.supervised_units(sight.user, sight.org)
            return [
                {"key": info.key, "name": info.name, "depth": depth}
                for depth, info in sight.org.ordered()
                if info.key in supervised
            ]

    def _figure_scope(self, session: Session, unit: str | None, user: str | None) -> tuple[Sight, set[str] | None]:
        sight = Sight(session, self.versions, get_user(session, user) if user is not None else None)
        if unit is not None and unit not in sight.org:
            raise NotFound(say("no unit %(unit)s", unit=str(unit)[:80]))
        if sight.user is not None:
            access.require_supervisor(sight.user)
            if unit is not None:
                access.require_supervisor_of(sight.user, unit, sight.org)
        return sight, sight.org.below([unit]) if unit is not None else None
