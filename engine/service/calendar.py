"""Calendar operations (admins): working hours, holidays and make-up workdays, the State Council's notice, a year
confirmed official. After each change every provisional deadline of a running case is counted again, each case in
its own transaction (:func:`recount_deadlines`)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.cases.recount import recount_case
from engine.errors import DiagramError
from engine.people import access
from engine.service.base import OPERATOR, ServiceBase
from engine.store.models import Timer
from engine.store.records import lock_case
from engine.time import calendar_store

log = logging.getLogger(__name__)


class CalendarOperations(ServiceBase):
    def set_working_hours(self, periods: str, *, user: str | None = None) -> str:
        """Working hours such as ``09:00-12:00,13:30-18:00``; applies to deadlines counted from now on."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return calendar_store.set_working_hours(session, periods, actor)

    def set_calendar_day(
        self, day: date, workday: bool, note: str | None = None, *, user: str | None = None
    ) -> list[dict[str, Any]]:
        """Make a date a holiday or a (make-up) workday; returns the provisional deadlines that moved."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            calendar_store.set_day(session, day, workday, actor, note)
        return self.recount_deadlines(actor, f"calendar: {day.isoformat()} set")

    def clear_calendar_day(self, day: date, *, user: str | None = None) -> list[dict[str, Any]] | None:
        """Remove an admin override; None when there was none."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            removed = calendar_store.clear_day(session, day, actor)
        return self.recount_deadlines(actor, f"calendar: {day.isoformat()} cleared") if removed else None

    def import_calendar_notice(self, text: str, *, year: int | None = None, user: str | None = None) -> dict[str, Any]:
        """Enter a year's official schedule from the State Council's notice (or a typed list of days)."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            result = calendar_store.import_notice(session, text, actor, year)
        return {**result, "moved": self.recount_deadlines(actor, f"calendar: {result['year']} schedule imported")}

    def confirm_calendar_year(self, year: int, *, user: str | None = None) -> dict[str, Any]:
        """Declare a year entered day by day complete: its deadlines are no longer provisional."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            calendar_store.confirm_year(session, year, actor)
        return {"year": year, "confirmed": True, "moved": self.recount_deadlines(actor, f"calendar: {year} confirmed")}

    def recount_deadlines(self, actor: str, reason: str) -> list[dict[str, Any]]:
        """Count every provisional deadline of every running case again; returns what moved, per case. A case
        whose diagram fails keeps its old deadlines and the others go on."""
        with self.db.read() as session:
            case_ids = list(session.scalars(select(Timer.case_id).where(Timer.provisional.is_(True)).distinct()))
        moved = []
        for case_id in case_ids:
            try:
                with self.db.write() as session:
                    case = lock_case(session, case_id)
                    if case is None or case.status != "running":
                        continue
                    changes = recount_case(self.context, session, case, actor, reason)
            except DiagramError as exc:
                log.error("case %s: deadlines not recounted: %s", case_id, exc.message)
                continue
            if changes:
                moved.append({"case": case_id, "moved": changes})
        return moved
