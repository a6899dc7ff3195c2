"""Refusals the engine reports to people: each says what was wrong and where, and nothing was changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Text(str):
    """A sentence for people. It reads as English (the CLI, logs, integrations) and keeps its ``%(name)s``
    template and values, so an adapter can say it in the reader's language from its own catalogue; the template
    is the catalogue's key (``say(…)`` marks it for extraction)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Text:
        text = super().__new__(cls, template % values if values else template)
        text.template, text.values = template, values
        return text


say = Text


@dataclass(frozen=True)
class Problem:
    """One finding in a preplan's files: ``file:line: element: message``."""

    file: str
    message: str
    line: int | None = None
    element: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.element + ': ' if self.element else ''}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element": self.element, "message": self.message}


class PreplanError(Exception):
    """Base of every refusal; ``code`` is stable for integrations, the message is for people."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message  # a Text where people may read it in another language
        self.details = details

    def to_json(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self.message), **self.details}


class NotFound(PreplanError):
    code = "not_found"


class Forbidden(PreplanError):
    code = "forbidden"


class Conflict(PreplanError):
    """The request was based on a state that no longer holds (stale, double or concurrent completion)."""

    code = "conflict"


class Stale(Conflict):
    """The caller acted on a revision of the case that is no longer the current one (an HTTP ``If-Match``)."""

    code = "stale"


class Unauthenticated(PreplanError):
    """A credential that is unknown, expired or revoked, or whose user is no longer active."""

    code = "unauthenticated"


class AlreadyStarted(Conflict):
    """A start form sent again (its one-time token was used): the case it created is named, none is added."""

    def __init__(self, case: int, business_key: str) -> None:
        super().__init__(
            say("this start form was already sent: it created case %(key)s; no new case was started", key=business_key),
            case=case,
            business_key=business_key,
        )
        self.case, self.business_key = case, business_key


class ValidationFailed(PreplanError):
    """Per-field refusal. ``fields`` maps a field to its message; ``kinds`` to (kind, expected) when known."""

    code = "validation"

    def __init__(self, message: str, fields: Mapping[str, Any]) -> None:
        # a sentence (``say``) stays one, so an adapter can show it in the reader's language
        messages = {name: problem if isinstance(problem, str) else str(problem) for name, problem in fields.items()}
        super().__init__(message, fields=messages)
        self.fields = messages
        self.kinds = {name: (p.kind, p.expected) for name, p in fields.items() if hasattr(p, "kind")}


class DiagramError(PreplanError):
    """Diagram code (condition, script, DMN, timer) failed while the engine ran it."""

    code = "diagram"


class InvalidPreplan(PreplanError):
    code = "invalid_preplan"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the preplan", problems=[p.to_json() for p in problems])
        self.problems = problems


class InternalError(PreplanError):
    """Something failed that is not the caller's doing (a bug); nothing was changed."""

    code = "internal"


class NoSchema(PreplanError):
    """The database was never initialised (or is another application's)."""

    code = "no_schema"
