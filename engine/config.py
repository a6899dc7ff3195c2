"""Settings read from the environment, so one binary serves laptops, CI and several workers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_WORKING_HOURS = "09:00-18:00"


@dataclass(frozen=True)
class Settings:
    database_url: str
    timezone: ZoneInfo
    working_hours: tuple[tuple[time, time], ...]
    instance_dir: Path


def parse_working_hours(text: str) -> tuple[tuple[time, time], ...]:
    """Parse ``"09:00-12:00,13:30-18:00"`` into ordered, non-overlapping periods."""
    periods = []
    for part in text.split(","):
        try:
            start_s, end_s = part.strip().split("-")
            start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
        except ValueError as exc:
            raise ValueError(f"working hours {text!r}: expected HH:MM-HH:MM[,HH:MM-HH:MM]") from exc
        if not start < end:
            raise ValueError(f"working hours {text!r}: {part.strip()} ends before it starts")
        periods.append((start, end))
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:]):
        if start < end:
            raise ValueError(f"working hours {text!r}: periods overlap")
    return tuple(periods)


def load_settings(database_url: str | None = None) -> Settings:
    instance_dir = Path(os.environ.get("PREPLAN_INSTANCE", "instance")).resolve()
    url = database_url or os.environ.get("PREPLAN_DATABASE_URL") or f"sqlite:///{instance_dir / 'preplan.db'}"
    return Settings(
        database_url=url,
        timezone=ZoneInfo(os.environ.get("PREPLAN_TIMEZONE", DEFAULT_TIMEZONE)),
        working_hours=parse_working_hours(os.environ.get("PREPLAN_WORKING_HOURS", DEFAULT_WORKING_HOURS)),
        instance_dir=instance_dir,
    )
