"""Working time: opening hours, weekends, Chinese statutory holidays and make-up workdays (调休).

Whether a date is a working day comes from, in order: an admin override stored in the database, the official
schedule shipped in ``chinesecalendar``, and, for a year the package does not cover but an admin has started
to enter (some override in that year), the plain Monday-to-Friday rule. A date no source covers raises
:class:`CalendarGap`: a deadline computed from a guess would be silently wrong.

Semantics (the product's reading of the preplans):
- "N working hours/days" counts working time from the start; a start outside working time counts from the next
  opening; N working days are N times the length of one working day.
- A deadline that lands exactly on a closing time stays there (it does not move to the next opening).
- "next opening" is the start of the first working period that begins at or after the given instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

from .errors import PreplanError

#: Longest stretch we search for working time before declaring the calendar broken (e.g. all holidays).
_SEARCH_DAYS = 800


class CalendarGap(PreplanError):
    """No source knows whether a date is a working day."""

    code = "calendar_gap"


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    periods: tuple[tuple[time, time], ...]
    #: date -> True (make-up workday) / False (holiday), entered by admins; wins over package data.
    overrides: Mapping[date, bool] = field(default_factory=dict)

    # -- days ---------------------------------------------------------------------------------------------
    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if any(d.year == day.year for d in self.overrides):
                return day.weekday() < 5
            raise CalendarGap(
                f"no working calendar covers {day.isoformat()}: the official {day.year} holiday schedule is not "
                f"known; enter it with `preplan calendar set DATE --holiday|--workday` (or the calendar page)"
            ) from None

    def holiday_name(self, day: date) -> dict[str, str] | None:
        """Official name (zh and en) of the holiday a date belongs to (also for make-up workdays), if known."""
        try:
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        if name is None:
            return None
        holiday = next((h for h in chinese_calendar.Holiday if h.value == name), None)
        return {"en": name, "zh": holiday.chinese if holiday else name}

    # -- instants -----------------------------------------------------------------------------------------
    @property
    def day_length(self) -> timedelta:
        return sum((_span(start, end) for start, end in self.periods), timedelta(0))

    def local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError(f"{instant.isoformat()} has no timezone")
        return instant.astimezone(self.tz)

    def _periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [(datetime.combine(day, s, self.tz), datetime.combine(day, e, self.tz)) for s, e in self.periods]

    def in_working_hours(self, instant: datetime) -> bool:
        local = self.local(instant)
        return any(start <= local < end for start, end in self._periods_on(local.date()))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant when ``amount`` of working time has elapsed after ``start``."""
        if amount < timedelta(0):
            raise ValueError("working time cannot be negative")
        cursor = self.local(start)
        remaining = amount
        day = cursor.date()
        for _ in range(_SEARCH_DAYS):
            for period_start, period_end in self._periods_on(day):
                begin = max(period_start, cursor)
                if begin >= period_end:
                    continue
                if remaining <= period_end - begin:
                    return begin + remaining
                remaining -= period_end - begin
            day += timedelta(days=1)
        raise CalendarGap(f"no working time found within {_SEARCH_DAYS} days after {cursor.isoformat()}")

    def working_hours(self, hours: float, start: datetime) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def working_days(self, days: float, start: datetime) -> datetime:
        return self.add_working_time(start, self.day_length * days)

    def next_opening(self, start: datetime) -> datetime:
        cursor = self.local(start)
        day = cursor.date()
        for _ in range(_SEARCH_DAYS):
            for period_start, _end in self._periods_on(day):
                if period_start >= cursor:
                    return period_start
            day += timedelta(days=1)
        raise CalendarGap(f"no opening found within {_SEARCH_DAYS} days after {cursor.isoformat()}")

    def end_of_day(self, start: datetime) -> datetime:
        """Last second of the local calendar day of ``start`` ("当日内")."""
        return datetime.combine(self.local(start).date(), time(23, 59, 59), self.tz)


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)
