"""The allow-listed helpers diagram code may call: working-time deadlines, dates and a few predicates.

Deadline helpers return ISO 8601 strings with the organisation's UTC offset, ready for a ``timeDate`` timer
(SpiffWorkflow evaluates a timer's text once, when the timer starts waiting, and stores the result). A ``start``
argument is an ISO instant from the case data (e.g. ``received_at``); without it the helper counts from now.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine import clock
from engine.time.calendar import WorkCalendar

#: Helpers allowed as the whole of a timeDate timer expression.
TIMER_HELPERS = ("after", "at", "end_of_day", "next_opening", "working_days", "working_hours")
#: Those whose result depends on which days are working days (and so on a provisional calendar).
WORKING_TIME_HELPERS = frozenset({"next_opening", "working_days", "working_hours"})


@lru_cache(maxsize=1024)
def counts_working_time(expression: str) -> bool:
    """Whether a timer expression counts working time (calls a helper that depends on the calendar)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in WORKING_TIME_HELPERS
        for node in ast.walk(tree)
    )


def build_helpers(
    calendar_source: Callable[[], WorkCalendar], zone: tzinfo, *, drill: bool = False
) -> dict[str, Callable[..., Any]]:
    """``calendar_source`` is called on first use only: most steps compute no working-time deadline, so most
    operations never read the calendar overrides. ``zone`` is the organisation's; ``drill`` is what
    ``is_drill()`` answers: whether the case was started as a drill (演练)."""
    loaded: list[WorkCalendar] = []

    def calendar() -> WorkCalendar:
        if not loaded:
            loaded.append(calendar_source())
        return loaded[0]

    def instant(value: Any) -> datetime:
        if value is None:
            return clock.now()
        if isinstance(value, datetime):
            return value
        if isinstance(value, str):
            return clock.parse_instant(value)
        raise ValueError(f"expected an ISO 8601 date-time, got {value!r}")

    def out(value: datetime) -> str:
        return value.astimezone(zone).isoformat(timespec="seconds")

    def after(duration: str, start: str | None = None) -> str:
        """``start`` + an ISO 8601 duration in calendar time ("P7D", "P1M", "PT4H")."""
        begin = instant(start)
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(duration), begin)
        return out(begin + delta)

    def at(value: str) -> str:
        """A date-time held in case data, checked and normalised."""
        return out(instant(value))

    def working_hours(hours: float, start: str | None = None) -> str:
        return out(calendar().working_hours(float(hours), instant(start)))

    def working_days(days: float, start: str | None = None) -> str:
        return out(calendar().working_days(float(days), instant(start)))

    def next_opening(start: str | None = None) -> str:
        return out(calendar().next_opening(instant(start)))

    def end_of_day(start: str | None = None) -> str:
        return out(calendar().end_of_day(instant(start)))

    def now() -> str:
        return out(clock.now())

    def is_workday(value: str | None = None) -> bool:
        return calendar().is_workday(instant(value).astimezone(zone).date())

    def in_working_hours(value: str | None = None) -> bool:
        return calendar().in_working_hours(instant(value))

    def hours_between(start: str, end: str | None = None) -> float:
        return (instant(end) - instant(start)).total_seconds() / 3600

    def is_drill() -> bool:
        return drill

    return {
        "after": after,
        "at": at,
        "working_hours": working_hours,
        "working_days": working_days,
        "next_opening": next_opening,
        "end_of_day": end_of_day,
        "now": now,
        "is_workday": is_workday,
        "in_working_hours": in_working_hours,
        "hours_between": hours_between,
        "is_drill": is_drill,
    }


def timer_helpers(helpers: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {name: helpers[name] for name in TIMER_HELPERS}
