"""The only source of "now".

Everything that reads the time (deadlines, timers, audit stamps) calls :func:`now`. The base time is the real
clock unless it has been fixed (``--now`` / ``PREPLAN_NOW`` / tests); a drill case adds its own offset for the
duration of one operation through :func:`shifted`. SpiffWorkflow reads ``datetime.now`` inside its timer
module and offers no hook, so :func:`install` points that module's ``datetime`` name at this clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo

_fixed: datetime | None = None
_offset: ContextVar[timedelta] = ContextVar("preplan_clock_offset", default=timedelta(0))
_pinned: ContextVar[datetime | None] = ContextVar("preplan_clock_pinned", default=None)


def now() -> datetime:
    """Current instant, timezone-aware in UTC."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    base = _fixed if _fixed is not None else datetime.now(UTC)
    return base + _offset.get()


def real_now() -> datetime:
    """The base clock without a drill offset (for stamping when a drill was advanced)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; an offset is required because a naive time is ambiguous."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}") from exc
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. 2026-11-22T09:00:00+08:00)")
    return value.astimezone(UTC)


def fix(instant: datetime | None) -> None:
    """Fix the base clock at ``instant`` (None: back to the real clock)."""
    global _fixed
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the fixed clock needs a timezone-aware instant")
    _fixed = instant.astimezone(UTC) if instant is not None else None


def advance(delta: timedelta) -> datetime:
    """Move a fixed clock forward (tests and simulations); returns the new time."""
    if _fixed is None:
        raise RuntimeError("advance() needs a fixed clock")
    fix(_fixed + delta)
    return now()


def fix_from_environment() -> None:
    value = os.environ.get("PREPLAN_NOW")
    if value:
        fix(parse_instant(value))


@contextmanager
def shifted(offset: timedelta) -> Iterator[None]:
    """Run a block on a clock shifted by ``offset`` (a drill case's virtual time)."""
    token = _offset.set(offset)
    try:
        yield
    finally:
        _offset.reset(token)


@contextmanager
def pinned(instant: datetime | None = None) -> Iterator[datetime]:
    """Run a block at one instant (default: now, including a drill's offset): an operation on a case happens at
    one moment, so every deadline it counts from "now" and every stamp it writes agree, and a deadline can be
    recounted later from the same moment."""
    moment = (instant or now()).astimezone(UTC)
    token = _pinned.set(moment)
    try:
        yield moment
    finally:
        _pinned.reset(token)


class _ClockDatetime(datetime):
    """``datetime`` whose ``now()`` is this module's clock; installed into SpiffWorkflow's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def install() -> None:
    """Route SpiffWorkflow's timer clock through :func:`now` (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime
