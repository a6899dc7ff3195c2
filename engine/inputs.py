"""What the engine accepts at its door, whichever adapter (web, CLI) a value came through.

Text must be storable and printable: a lone surrogate (``"\\ud800"``) makes every later JSON export of the case
fail, and NUL or other control characters are refused by PostgreSQL or corrupt what people read. Sizes are
bounded so that one submission cannot bloat a case that is rewritten at every step, and nesting so that
validation cannot recurse without end. Numbers must be finite. Record ids must fit the database's integers.
"""

from __future__ import annotations

import math
import re
from typing import Any

from engine.errors import NotFound, Text, ValidationFailed, say

#: A text field without its own ``maxLength`` takes this one (a long complaint description fits easily).
MAX_TEXT = 5000
#: A number field without its own ``maximum``/``minimum`` is bounded by this (counts, amounts in yuan).
MAX_NUMBER = 1_000_000_000
#: A list field without its own ``maxItems``.
MAX_ITEMS = 200
#: Deepest nesting of submitted data (forms nest records in lists at most two or three levels).
MAX_DEPTH = 16
#: Largest submitted JSON document (``--data``), in bytes.
MAX_DOCUMENT = 1024 * 1024
#: Comments, reasons and notes.
MAX_NOTE = 2000
#: Names (users, roles): the database keeps at most this many characters.
MAX_NAME = 80

_LARGEST_ID = 2**63 - 1
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return "contains a broken character (a lone UTF-16 surrogate); it is not valid Unicode text"
        if (code < 32 and ch not in _ALLOWED_CONTROLS) or code == 0x7F:
            return f"contains the control character U+{code:04X}, which cannot be stored"
    return None


def data_problems(value: Any, path: str = "", depth: int = 0) -> dict[str, str]:
    """Problems anywhere in submitted JSON data (keys included), by dotted path; empty when fine."""
    if depth > MAX_DEPTH:
        return {path: f"is nested more than {MAX_DEPTH} levels deep"}
    if isinstance(value, str):
        problem = text_problem(value)
        return {path: problem} if problem else {}
    if isinstance(value, float) and not math.isfinite(value):
        return {path: "must be a finite number"}
    problems: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            problem = text_problem(str(key))
            if problem:
                problems[path or "(form)"] = f"has a field name that {problem}"
                continue
            problems.update(data_problems(item, where, depth + 1))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.update(data_problems(item, f"{path}.{index}" if path else str(index), depth + 1))
    return problems


def note(value: str | None, field: str, label: Text, *, limit: int = MAX_NOTE) -> str:
    """A comment, reason or name that must be given (``field`` names it in refusals for programs, ``label`` for
    people): stripped, valid text, at most ``limit`` characters."""
    text = optional_note(value, field, label, limit=limit)
    if text is None:
        raise ValidationFailed(say("%(label)s is required", label=label), {field: "is required"})
    return text


def optional_note(value: str | None, field: str, label: Text, *, limit: int = MAX_NOTE) -> str | None:
    """Like :func:`note`, but an empty value is None."""
    text = (value or "").strip()
    if not text:
        return None
    problem = text_problem(text)
    if problem:
        raise ValidationFailed(
            say("%(label)s contains characters that cannot be stored", label=label), {field: problem}
        )
    if len(text) > limit:
        raise ValidationFailed(
            say(
                "%(label)s has %(length)s characters; at most %(limit)s are allowed",
                label=label,
                length=len(text),
                limit=limit,
            ),
            {field: f"must have at most {limit} characters"},
        )
    return text


def name(value: str, field: str = "name") -> str:
    """A user name: non-empty, valid text, no longer than the database keeps."""
    return note(value, field, say("the user name"), limit=MAX_NAME)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def token(value: str, what: str) -> str:
    """A one-time token a form or a client chose (letters, digits, ``-``, ``_``; 16 to 64 of them)."""
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise ValidationFailed(f"{what} must be 16 to 64 letters, digits, - or _", {what: "not a valid token"})
    return value


_MISSING = {
    "task": lambda value: say("no task %(value)s", value=value),
    "case": lambda value: say("no case %(value)s", value=value),
    "version": lambda value: say("no version %(value)s", value=value),
    "webhook": lambda value: say("no webhook %(value)s", value=value),
    "attachment": lambda value: say("no attachment %(value)s", value=value),
}


def record_id(value: Any, what: str) -> int:
    """A database id of a ``task``, ``case``, ``version``, ``webhook`` or ``attachment`` given by a person or a
    URL; one that cannot exist is simply not found."""
    shown = str(value)[:40]
    try:
        number = int(str(value).strip())
    except ValueError:
        raise NotFound(_MISSING[what](shown)) from None
    if not 1 <= number <= _LARGEST_ID:
        raise NotFound(_MISSING[what](shown))
    return number
