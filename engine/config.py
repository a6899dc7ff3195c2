"""Settings read from the environment, so one binary serves laptops, CI and several workers."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

N = TypeVar("N", int, float)
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_WORKING_HOURS = "09:00-18:00"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    user: str | None
    password: str | None
    starttls: bool


@dataclass(frozen=True)
class Settings:
    database_url: str
    timezone: ZoneInfo
    working_hours: tuple[tuple[time, time], ...]
    instance_dir: Path
    reminder_share: float = 0.75  # a reminder goes out when this share of a task's time is used
    base_url: str = "http://127.0.0.1:5000"  # links in notifications
    smtp: Smtp | None = None  # no SMTP host: notifications go to the in-app inbox only
    script_steps: int = 100_000  # lines one evaluation of diagram code may execute
    script_seconds: float = 2.0  # and the time it may take
    live_cases: int = 256  # workflows each process keeps in memory between operations (0: none)
    live_megabytes: float = 64.0  # and their stored size at most
    attachment_megabytes: float = 10.0  # the largest file one may attach

    @property
    def attachment_bytes(self) -> int:
        return int(self.attachment_megabytes * 2**20)


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
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        if start < end:
            raise ValueError(f"working hours {text!r}: periods overlap")
    return tuple(periods)


def load_settings(database_url: str | None = None) -> Settings:
    instance_dir = Path(os.environ.get("PREPLAN_INSTANCE", "instance")).resolve()
    url = database_url or os.environ.get("PREPLAN_DATABASE_URL") or f"sqlite:///{instance_dir / 'preplan.db'}"
    share = float(os.environ.get("PREPLAN_REMINDER_SHARE", "0.75"))
    if not 0 < share < 1:
        raise ValueError(f"PREPLAN_REMINDER_SHARE={share}: expected a share between 0 and 1, e.g. 0.75")
    return Settings(
        database_url=url,
        timezone=ZoneInfo(os.environ.get("PREPLAN_TIMEZONE", DEFAULT_TIMEZONE)),
        working_hours=parse_working_hours(os.environ.get("PREPLAN_WORKING_HOURS", DEFAULT_WORKING_HOURS)),
        instance_dir=instance_dir,
        reminder_share=share,
        base_url=os.environ.get("PREPLAN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        smtp=_smtp(),
        script_steps=_positive(int, "PREPLAN_SCRIPT_STEPS", "100000"),
        script_seconds=_positive(float, "PREPLAN_SCRIPT_SECONDS", "2"),
        live_cases=_positive(int, "PREPLAN_LIVE_CASES", "256", zero=True),
        live_megabytes=_positive(float, "PREPLAN_LIVE_MB", "64"),
        attachment_megabytes=_positive(float, "PREPLAN_ATTACHMENT_MB", "10"),
    )


def _positive(kind: Callable[[str], N], name: str, default: str, *, zero: bool = False) -> N:
    text = os.environ.get(name, default)
    try:
        value = kind(text)
    except ValueError:
        value = kind("-1")
    if value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name}={text!r}: expected a {'' if zero else 'positive '}number")
    return value


def _smtp() -> Smtp | None:
    host = os.environ.get("PREPLAN_SMTP_HOST")
    if not host:
        return None
    return Smtp(
        host=host,
        port=int(os.environ.get("PREPLAN_SMTP_PORT", "25")),
        sender=os.environ.get("PREPLAN_SMTP_FROM", "preplan@localhost"),
        user=os.environ.get("PREPLAN_SMTP_USER"),
        password=os.environ.get("PREPLAN_SMTP_PASSWORD"),
        starttls=os.environ.get("PREPLAN_SMTP_STARTTLS", "") in ("1", "true", "yes"),
    )
