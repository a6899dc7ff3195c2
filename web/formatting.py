"""Jinja filters: times as people read them, values of case data as labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _


def when(value: str | None) -> str:
    """``2026-11-23T14:00:00+08:00`` -> ``2026-11-23 14:00`` (times are already in the organisation's zone)."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value)
    return moment.strftime("%Y-%m-%d %H:%M")


def readable(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(readable(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    return str(value)


def init_app(app) -> None:
    app.jinja_env.filters.update(when=when, readable=readable)
