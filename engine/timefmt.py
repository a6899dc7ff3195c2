"""How instants leave the system: ISO 8601 with an explicit offset, in the organisation's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def iso(value: datetime | None, tz: tzinfo) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")


def wall(value: str | None, tz: tzinfo) -> str:
    """An ISO 8601 instant as people read it, in the organisation's zone: ``2026-11-23T06:00:00Z`` ->
    ``2026-11-23 14:00``; "—" when there is none (a value without an offset is taken as already local)."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%Y-%m-%d %H:%M")
