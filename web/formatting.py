"""Jinja filters: times as people read them, values of case data as labels."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _

from engine.preplans.conventions import HIDDEN
from engine.timefmt import wall


def when(value: str | None) -> str:
    """``2026-11-23T14:00:00+08:00`` -> ``2026-11-23 14:00``, in the organisation's zone whatever offset the value
    was written with (a time sent as ``…Z`` is shown as the organisation's wall time)."""
    return wall(value, current_app.extensions["preplan"].tz)


_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)$")


def readable(value: Any, options: dict[str, str] | None = None) -> str:
    """A case-data value as people read it: an option's label, a time without seconds and offset, 是/否; a
    confidential value the reader may not see says so."""
    if value == HIDDEN:
        return _("(confidential)")
    if options and isinstance(value, (str, int)) and str(value) in options:
        return options[str(value)]
    if isinstance(value, str) and _INSTANT.match(value):
        return when(value)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(readable(v, options) for v in value)
    if isinstance(value, dict):  # e.g. fines per person: the field's value labels name the keys
        return "; ".join(f"{(options or {}).get(k, k)}: {readable(v)}" for k, v in value.items())
    return str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(when=when, readable=readable)
