"""The working calendar as administered: working hours and day overrides stored in the database.

Overrides (holidays and make-up workdays an admin enters, e.g. when the State Council publishes next year's
schedule) win over the package data and apply to deadlines computed afterwards; deadlines already computed keep
their value (a timer's due time is fixed when it starts waiting).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock
from .calendar import CalendarGap, WorkCalendar
from .config import Settings, parse_working_hours
from .models import CalendarOverride, Setting

WORKING_HOURS = "working_hours"


def working_hours_text(session: Session, settings: Settings) -> str:
    row = session.get(Setting, WORKING_HOURS)
    if row is not None:
        return row.value
    return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in settings.working_hours)


def load_calendar(session: Session, settings: Settings) -> WorkCalendar:
    overrides = {row.day: row.is_workday for row in session.scalars(select(CalendarOverride))}
    return WorkCalendar(settings.timezone, parse_working_hours(working_hours_text(session, settings)), overrides)


def set_working_hours(session: Session, text: str, actor: str) -> str:
    periods = parse_working_hours(text)  # refuses malformed or overlapping periods
    normal = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in periods)
    row = session.get(Setting, WORKING_HOURS)
    if row is None:
        session.add(Setting(key=WORKING_HOURS, value=normal, updated_by=actor, updated_at=clock.now()))
    else:
        row.value, row.updated_by, row.updated_at = normal, actor, clock.now()
    audit.record(session, None, actor, "calendar_changed", working_hours=normal)
    return normal


def set_day(session: Session, day: date, is_workday: bool, actor: str, note: str | None = None) -> None:
    row = session.get(CalendarOverride, day)
    if row is None:
        session.add(CalendarOverride(day=day, is_workday=is_workday, note=note, created_by=actor, created_at=clock.now()))
    else:
        row.is_workday, row.note, row.created_by, row.created_at = is_workday, note, actor, clock.now()
    audit.record(session, None, actor, "calendar_changed", day=day.isoformat(),
                 workday=is_workday, note=note)


def clear_day(session: Session, day: date, actor: str) -> bool:
    row = session.get(CalendarOverride, day)
    if row is None:
        return False
    session.delete(row)
    audit.record(session, None, actor, "calendar_changed", day=day.isoformat(), cleared=True)
    return True


def year_view(session: Session, settings: Settings, year: int) -> dict[str, Any]:
    """The days of ``year`` that differ from Monday-to-Friday, and every override, with where each comes from."""
    calendar = load_calendar(session, settings)
    notes = {row.day: row.note for row in session.scalars(select(CalendarOverride))}
    days, covered = [], True
    day = date(year, 1, 1)
    while day.year == year:
        plain = day.weekday() < 5
        try:
            workday = calendar.is_workday(day)
        except CalendarGap:
            covered, workday = False, None
        if day in calendar.overrides or (workday is not None and workday != plain):
            days.append({
                "date": day.isoformat(), "workday": workday,
                "source": "override" if day in calendar.overrides else "official",
                "name": calendar.holiday_name(day), "note": notes.get(day),
            })
        day += timedelta(days=1)
    return {"year": year, "working_hours": working_hours_text(session, settings), "covered": covered, "days": days}
