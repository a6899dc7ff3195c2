"""The periods of a periodic duty on the working calendar: which period a day belongs to, when a period's duty
opens (the first working moment after the period ends, so the report counts the whole period) and when its
report is due.

Periods: ``day`` (a working day, with the days off before it: ``2026-10-08`` covers 10-01…10-08), ``half_month``
(the 1st–15th: ``2026-10-H1``; a day after the 15th belongs to the next month's), ``month`` (``2026-10``) and ``quarter`` (``2026-Q4``). Due rules: ``close`` (the
close of the working day the duty opens), ``before:<n>`` (before the n-th day of the month after the period's
end: the last working day before it, or, where no working day lies between the period's end and that day, the
first working day after the (n−1)-th, as the Civil Code, art. 203, moves a time limit ending on a holiday) and
``working_days:<n>`` (n working days after it opens).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.time.calendar import WorkCalendar

PERIODS = ("day", "half_month", "month", "quarter")
DUE_RULES = ("close", "before", "working_days")
#: How far a search for a working day goes (the longest run of days off is the Spring Festival's).
_SEARCH_DAYS = 60


@dataclass(frozen=True)
class DutyPeriod:
    kind: str
    label: str
    #: first and last day (both included)
    start: date
    end: date

    def following(self, calendar: WorkCalendar) -> DutyPeriod:
        return period_of(self.kind, self.end + timedelta(days=1), calendar)


def period_of(kind: str, day: date, calendar: WorkCalendar) -> DutyPeriod:
    """The period of ``kind`` that holds ``day``."""
    if kind == "day":
        end = _workday_from(day, calendar, 1)
        start = _workday_from(end - timedelta(days=1), calendar, -1) + timedelta(days=1)
        return DutyPeriod(kind, end.isoformat(), start, end)
    if kind == "half_month":  # the 半月报 covers the first half; the second is in the month's report
        first = day.replace(day=1) if day.day <= 15 else _month_end(day) + timedelta(days=1)
        return DutyPeriod(kind, f"{first:%Y-%m}-H1", first, first.replace(day=15))
    if kind == "month":
        return DutyPeriod(kind, f"{day:%Y-%m}", day.replace(day=1), _month_end(day))
    if kind == "quarter":
        month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, month, 1)
        return DutyPeriod(kind, f"{day.year}-Q{(month + 2) // 3}", start, _month_end(date(day.year, month + 2, 1)))
    raise ValueError(f"unknown period {kind!r}")


def opens_at(period: DutyPeriod, calendar: WorkCalendar) -> datetime:
    """The first working moment after the period's last day."""
    return calendar.next_opening(datetime.combine(period.end + timedelta(days=1), time(), calendar.tz))


def due_at(period: DutyPeriod, rule: str, calendar: WorkCalendar) -> datetime:
    """When the period's report is due, by ``rule`` (see the module's description)."""
    opening = opens_at(period, calendar)
    name, _, amount = rule.partition(":")
    if name == "close":
        return _close(opening.astimezone(calendar.tz).date(), calendar)
    if name == "working_days":
        return calendar.working_days(float(amount), opening)
    if name == "before":
        after = period.end + timedelta(days=1)
        limit = after.replace(day=int(amount))
        if limit <= after:
            limit = _month_end(limit) + timedelta(days=limit.day)
        last = _workday_from(limit - timedelta(days=1), calendar, -1)
        return _close(last if last > period.end else _workday_from(limit, calendar, 1), calendar)
    raise ValueError(f"unknown due rule {rule!r}")


def valid_rule(rule: object) -> bool:
    if not isinstance(rule, str):
        return False
    name, _, amount = rule.partition(":")
    if name == "close":
        return not amount
    return name in DUE_RULES and amount.isdigit() and 0 < int(amount) <= (28 if name == "before" else 60)


def opened_since(
    kind: str, after: DutyPeriod | None, first: date, now: datetime, calendar: WorkCalendar
) -> Iterator[DutyPeriod]:
    """The periods whose duty has opened by ``now``: those following ``after`` (the last one started), or from the
    period holding ``first`` when none was started yet, in order."""
    period = after.following(calendar) if after is not None else period_of(kind, first, calendar)
    while opens_at(period, calendar) <= now:
        yield period
        period = period.following(calendar)


def parse_label(kind: str, label: str, calendar: WorkCalendar) -> DutyPeriod:
    """The period a label names (as ``period_of`` writes it)."""
    if kind == "day":
        return period_of(kind, date.fromisoformat(label), calendar)
    if kind == "quarter":
        year, quarter = label.split("-Q")
        return period_of(kind, date(int(year), 3 * int(quarter) - 2, 1), calendar)
    return period_of(kind, date.fromisoformat(label[:7] + "-01"), calendar)


def _close(day: date, calendar: WorkCalendar) -> datetime:
    """The end of the working hours of ``day``."""
    return datetime.combine(day, calendar.periods[-1][1], calendar.tz)


def _workday_from(day: date, calendar: WorkCalendar, step: int) -> date:
    """``day`` if it is a working day, else the nearest one in the direction of ``step``."""
    for _ in range(_SEARCH_DAYS):
        if calendar.is_workday(day):
            return day
        day += timedelta(days=step)
    raise ValueError(f"no working day within {_SEARCH_DAYS} days of {day}")


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
