"""Telling people how an engine action went: a flash message in their language, the engine's detail after."""

from __future__ import annotations

from typing import Any, Callable

from flask import flash
from flask_babel import gettext as _

from engine.errors import Conflict, Forbidden, NotFound, PreplanError


def refusal(exc: PreplanError) -> str:
    lead = {
        Conflict: _("This was not saved: the task changed in the meantime."),
        Forbidden: _("You may not do this."),
        NotFound: _("Not found."),
    }.get(type(exc), _("This was refused."))
    return f"{lead} ({exc.message})"


def attempt(action: Callable[[], Any], done: str | Callable[[Any], str]) -> Any:
    """Run ``action``; flash ``done`` (or ``done(result)``) on success, the refusal otherwise."""
    try:
        result = action()
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return None
    flash(done(result) if callable(done) else done, "success")
    return result
