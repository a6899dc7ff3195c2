"""Refusals the engine reports to people: each says what was wrong and where, and nothing was changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


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
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


class NotFound(PreplanError):
    code = "not_found"


class Forbidden(PreplanError):
    code = "forbidden"


class Conflict(PreplanError):
    """The request was based on a state that no longer holds (stale, double or concurrent completion)."""

    code = "conflict"


class ValidationFailed(PreplanError):
    """Per-field refusal. ``fields`` maps a field to its message; ``kinds`` to (kind, expected) when known."""

    code = "validation"

    def __init__(self, message: str, fields: Mapping[str, Any]) -> None:
        messages = {name: str(problem) for name, problem in fields.items()}
        super().__init__(message, fields=messages)
        self.fields = messages
        self.kinds = {name: (p.kind, p.expected) for name, p in fields.items() if hasattr(p, "kind")}


class DiagramError(PreplanError):
    """Diagram code (condition, script, DMN, timer) failed while the engine ran it."""

    code = "diagram"


class InvalidPreplan(PreplanError):
    code = "invalid_preplan"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the preplan", problems=[p.to_json() for p in problems]
        )
        self.problems = problems


class NoSchema(PreplanError):
    """The database was never initialised (or is another application's)."""

    code = "no_schema"
