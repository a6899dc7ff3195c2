"""Telling people how an engine action went: a flash message in their language, the engine's detail after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import gettext as _

from engine.errors import PreplanError, Text

from .i18n import localize


def refusal(exc: PreplanError) -> str:
    """The engine's reason in the reader's language; a reason the engine has no sentence for (a diagram's own
    error) follows a plain lead."""
    if isinstance(exc.message, Text):
        return localize(exc.message)
    return f"{_('This was refused.')} ({exc.message})"


def attempt(action: Callable[[], Any], done: str | Callable[[Any], str]) -> Any:
    """Run ``action``; flash ``done`` (or ``done(result)``) on success, the refusal otherwise."""
    try:
        result = action()
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return None
    flash(done(result) if callable(done) else done, "success")
    return result
