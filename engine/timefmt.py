"""How instants leave the system: ISO 8601 with an explicit offset, in the organisation's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def iso(value: datetime | None, tz: tzinfo) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")
