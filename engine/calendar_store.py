"""The working calendar as configured: settings plus the admin overrides stored in the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import WorkCalendar
from .config import Settings
from .models import CalendarOverride


def load_calendar(session: Session, settings: Settings) -> WorkCalendar:
    overrides = {row.day: row.is_workday for row in session.scalars(select(CalendarOverride))}
    return WorkCalendar(settings.timezone, settings.working_hours, overrides)
