"""The working calendar as administered: working hours, day overrides and confirmed years in the database.

Overrides (holidays and make-up workdays an admin enters, e.g. when the State Council publishes next year's
schedule) win over the package data. Importing the State Council's notice enters its days and confirms the year:
from then on the year is official, not provisional. Changes apply to deadlines computed afterwards; deadlines
already computed keep their value, except provisional ones, which are recomputed (:mod:`engine.provisional`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.config import Settings, parse_working_hours
from engine.errors import Conflict, ValidationFailed, say
from engine.inputs import optional_note
from engine.store import audit
from engine.store.models import CalendarOverride, CalendarYear, Setting
from engine.time.calendar import FIRST_YEAR, LAST_YEAR, CalendarGap, WorkCalendar, package_last_year
from engine.time.holiday_notice import parse_notice

WORKING_HOURS = "working_hours"


def working_hours_text(session: Session, settings: Settings) -> str:
    row = session.get(Setting, WORKING_HOURS)
    if row is not None:
        return row.value
    return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in settings.working_hours)


def load_calendar(session: Session, settings: Settings) -> WorkCalendar:
    overrides = {row.day: row.is_workday for row in session.scalars(select(CalendarOverride))}
    confirmed = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(
        settings.timezone, parse_working_hours(working_hours_text(session, settings)), overrides, confirmed
    )


def _in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationFailed(
            say(
                "%(day)s is outside the calendar (%(first)s–%(last)s)",
                day=day.isoformat(),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            {"date": f"must be in {FIRST_YEAR}–{LAST_YEAR}"},
        )
    return day


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
    day, note = _in_range(day), optional_note(note, "note", say("the note"), limit=200)
    row = session.get(CalendarOverride, day)
    if row is None:
        session.add(
            CalendarOverride(day=day, is_workday=is_workday, note=note, created_by=actor, created_at=clock.now())
        )
    else:
        row.is_workday, row.note, row.created_by, row.created_at = is_workday, note, actor, clock.now()
    audit.record(session, None, actor, "calendar_changed", day=day.isoformat(), workday=is_workday, note=note)


def clear_day(session: Session, day: date, actor: str) -> bool:
    row = session.get(CalendarOverride, day)
    if row is None:
        return False
    session.delete(row)
    audit.record(session, None, actor, "calendar_changed", day=day.isoformat(), cleared=True)
    return True


def import_notice(session: Session, text: str, actor: str, year: int | None = None) -> dict[str, Any]:
    """Enter the days of the State Council's notice (or a typed list of days) and confirm its year as official.

    Every day of the notice becomes an override noted with its festival; a year already confirmed is refused
    (clear its days first), so an import never silently mixes two schedules."""
    schedule = parse_notice(text, year)
    if session.get(CalendarYear, schedule.year) is not None:
        raise Conflict(
            say(
                "the %(year)s schedule was already entered; remove its days first to enter it again", year=schedule.year
            )
        )
    for day, festival in schedule.days_off.items():
        set_day(session, day, False, actor, f"{festival}（国务院通知）")
    for day, festival in schedule.workdays.items():
        set_day(session, day, True, actor, f"{festival}调休上班（国务院通知）")
    confirm_year(session, schedule.year, actor, "国务院办公厅通知")
    return {"year": schedule.year, "days_off": len(schedule.days_off), "workdays": len(schedule.workdays)}


def confirm_year(session: Session, year: int, actor: str, source: str = "admin") -> None:
    """Declare ``year``'s official schedule entered: its days are no longer judged by the provisional calendar."""
    if not FIRST_YEAR <= year <= LAST_YEAR or year <= package_last_year():
        raise Conflict(
            say(
                "%(year)s cannot be confirmed: the official schedule already covers %(first)s–%(known)s "
                "and the calendar ends in %(last)s",
                year=year,
                first=FIRST_YEAR,
                known=package_last_year(),
                last=LAST_YEAR,
            )
        )
    if session.get(CalendarYear, year) is None:
        session.add(CalendarYear(year=year, source=source, entered_by=actor, entered_at=clock.now()))
        audit.record(session, None, actor, "calendar_changed", year=year, confirmed=True, source=source)


def year_view(session: Session, settings: Settings, year: int) -> dict[str, Any]:
    """The days of ``year`` that differ from Monday-to-Friday, and every override, with where each comes from."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarGap(
            say(
                "the calendar answers for %(first)s–%(last)s, not %(year)s", first=FIRST_YEAR, last=LAST_YEAR, year=year
            )
        )
    calendar = load_calendar(session, settings)
    notes = {row.day: row.note for row in session.scalars(select(CalendarOverride))}
    provisional = calendar.is_provisional(date(year, 1, 1))
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        workday = calendar.is_workday(day)
        if day in calendar.overrides or workday != (day.weekday() < 5):
            source = "override" if day in calendar.overrides else "provisional" if provisional else "official"
            days.append(
                {
                    "date": day.isoformat(),
                    "workday": workday,
                    "source": source,
                    "name": calendar.holiday_name(day),
                    "note": notes.get(day),
                }
            )
        day += timedelta(days=1)
    return {
        "year": year,
        "working_hours": working_hours_text(session, settings),
        "covered": True,
        "provisional": provisional,
        "official_until": calendar.official_until.isoformat(),
        "days": days,
    }
