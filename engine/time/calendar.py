"""Working time: opening hours, weekends, Chinese statutory holidays and make-up workdays (调休).

Whether a date is a working day comes from, in order: an admin override stored in the database (e.g. the days
of the State Council's notice), the official schedule shipped in ``chinesecalendar``, and then:

- for a year whose official schedule an admin has confirmed (imported the notice), Monday to Friday;
- for a later year, the **provisional** calendar the holiday law fixes by itself (:mod:`engine.holiday_law`):
  weekends and the statutory days with their 补假, make-up workdays unknown. Deadlines counted on it are marked
  provisional and recomputed when the official schedule is entered.

Only a date outside 2004–2099 (no package data, no law implemented) raises :class:`CalendarGap`.

Semantics (the product's reading of the preplans):
- "N working hours/days" counts working time from the start; a start outside working time counts from the next
  opening; N working days are N times the length of one working day.
- A deadline that lands exactly on a closing time stays there (it does not move to the next opening).
- "next opening" is the start of the first working period that begins at or after the given instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from engine.errors import PreplanError
from engine.time import holiday_law

#: Longest stretch we search for working time before declaring the calendar broken (e.g. all holidays).
_SEARCH_DAYS = 800
#: The years the calendar can answer for: chinesecalendar's first year to the last year of the holiday law.
FIRST_YEAR, LAST_YEAR = 2004, holiday_law.LAST_YEAR


@lru_cache(maxsize=1)
def package_last_year() -> int:
    """The last year of the official schedule shipped in chinesecalendar (a newer release extends it)."""
    years: list[int] = [day.year for day in chinese_calendar.holidays]
    return max(years)


class CalendarGap(PreplanError):
    """No source knows whether a date is a working day."""

    code = "calendar_gap"


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    periods: tuple[tuple[time, time], ...]
    #: date -> True (make-up workday) / False (holiday), entered by admins; wins over package data.
    overrides: Mapping[date, bool] = field(default_factory=dict)
    #: Years past the package whose official schedule an admin has entered in full (see calendar_store).
    confirmed_years: frozenset[int] = frozenset()

    # -- days ---------------------------------------------------------------------------------------------
    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year <= package_last_year() and day.year >= FIRST_YEAR:
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.confirmed_years:
            return day.weekday() < 5
        return day.weekday() < 5 and day not in self._statutory(day.year)

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` is judged by the provisional calendar (its year's official schedule is not in)."""
        return day.year > package_last_year() and day.year not in self.confirmed_years

    @property
    def official_until(self) -> date:
        """The last day the official schedule covers (the package, then the confirmed years that follow it)."""
        year = package_last_year()
        while year + 1 in self.confirmed_years:
            year += 1
        return date(year, 12, 31)

    @staticmethod
    def _statutory(year: int) -> dict[date, str]:
        try:
            return holiday_law.statutory_days_off(year)
        except ValueError:
            raise CalendarGap(
                f"no working calendar covers {year}: the calendar answers for {FIRST_YEAR}–{LAST_YEAR}"
            ) from None

    def holiday_name(self, day: date) -> dict[str, str] | None:
        """Name (zh and en) of the holiday a date belongs to (also for make-up workdays), if known: the official
        one, else the statutory festival of a provisional year."""
        if self.is_provisional(day):
            festival = self._statutory(day.year).get(day)
            return holiday_law.festival_titles(festival) if festival else None
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
