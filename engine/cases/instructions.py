"""A step's instructions as the person doing it reads them: the diagram's template filled in with case data.

Templates are written by process owners: they run in Jinja's sandbox (no attribute escapes, bounded ranges) and
under the same budget as diagram code, so a template that loops for ever cannot hang a page. A template that
fails is shown as written rather than hiding the step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from functools import lru_cache, partial
from typing import Any

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from engine.config import Settings
from engine.scripting.sandbox import Budget
from engine.timefmt import wall


@lru_cache(maxsize=8)
def _templates(tz: tzinfo) -> SandboxedEnvironment:
    """One sandbox per time zone; ``|when`` shows an instant of the case data as wall time in that zone."""
    environment = SandboxedEnvironment(autoescape=True)
    environment.filters["when"] = partial(wall, tz=tz)
    return environment


def render(template: str | None, data: Mapping[str, Any], settings: Settings) -> Markup | None:
    """The instructions, HTML-escaped; None when the step has none."""
    if not template:
        return None
    try:
        with Budget(settings.script_steps, settings.script_seconds).guard():
            return Markup(_templates(settings.timezone).from_string(template).render(**data))
    except Exception:  # a broken or runaway template (ScriptTooLong) must not hide the task
        return Markup.escape(template)
