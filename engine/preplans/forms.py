"""Form schemas (JSON Schema 2020-12): checked at deploy time, enforced on the server for every submission.

A submission may only carry the form's own fields (a form cannot overwrite other case data, such as the
severity a decision table computed); absent fields take their schema ``default``. Errors come back per field.
A field the form author left unbounded gets the engine's default bounds (:mod:`engine.inputs`): a text's
length, a number's range, a list's size. Times are stored in the organisation's zone.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from engine import inputs
from engine.errors import say
from engine.preplans.conventions import FILES_FORMAT, enum_values, file_fields

_FORMATS = FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("needs a UTC offset")
    return True


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


def schema_problems(raw: bytes) -> list[str]:
    """Why ``raw`` is not a usable form schema (empty when it is)."""
    try:
        schema = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [say("not valid JSON: %(problem)s", problem=str(exc))]
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return [say('a form schema must be a JSON object with "type": "object"')]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [
            say(
                "not a valid JSON Schema (2020-12): %(problem)s at %(path)s",
                problem=exc.message,
                path="/".join(map(str, exc.path)) or "top level",
            )
        ]
    return [
        say(
            'field %(field)s: "format": "%(format)s" is for an array of attachment ids: '
            '{"type": "array", "items": {"type": "integer"}}',
            field=repr(name),
            format=FILES_FORMAT,
        )
        for name in file_fields(schema)
        if not _holds_ids(schema["properties"][name])
    ]


def _holds_ids(prop: dict[str, Any]) -> bool:
    items = prop.get("items")
    return prop.get("type") == "array" and isinstance(items, dict) and items.get("type") == "integer"


def with_defaults(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    filled = dict(data)
    for name, prop in schema.get("properties", {}).items():
        if name not in filled and isinstance(prop, dict) and "default" in prop:
            filled[name] = prop["default"]
    return filled


def bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the engine's default bounds on every field that has none (cached per schema object)."""
    return _compiled(schema)[0]


def _bound(prop: Any) -> Any:
    if not isinstance(prop, dict):
        return prop
    prop = dict(prop)
    kind = prop.get("type")
    if kind == "string" and "maxLength" not in prop and enum_values(prop) is None:
        prop["maxLength"] = inputs.MAX_TEXT
    elif kind in ("integer", "number"):
        if "maximum" not in prop and "exclusiveMaximum" not in prop:
            prop["maximum"] = inputs.MAX_NUMBER
        if "minimum" not in prop and "exclusiveMinimum" not in prop:
            prop["minimum"] = -inputs.MAX_NUMBER
    elif kind == "array":
        prop.setdefault("maxItems", inputs.MAX_ITEMS)
        if "items" in prop:
            prop["items"] = _bound(prop["items"])
    if isinstance(prop.get("properties"), dict):
        prop["properties"] = {k: _bound(v) for k, v in prop["properties"].items()}
    return prop


_CACHE: dict[int, tuple[dict[str, Any], dict[str, Any], Draft202012Validator]] = {}
_CACHE_LOCK = threading.Lock()


def _compiled(schema: dict[str, Any]) -> tuple[dict[str, Any], Draft202012Validator]:
    """The bounded schema and its validator, built once per schema object (forms come from cached versions)."""
    found = _CACHE.get(id(schema))
    if found is None or found[0] is not schema:
        limited = _bound(copy.deepcopy(schema))
        found = (schema, limited, Draft202012Validator(limited, format_checker=_FORMATS))
        with _CACHE_LOCK:
            if len(_CACHE) > 10_000:
                _CACHE.clear()
            _CACHE[id(schema)] = found  # the entry holds ``schema``, so its id cannot be reused while cached
    return found[1], found[2]


def normalized(schema: dict[str, Any], data: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """Valid data with its date-time fields written in the organisation's zone (same instant), so every page and
    export shows the wall time people typed, whatever offset an integration sent."""
    result = dict(data)
    for field, prop in schema.get("properties", {}).items():
        value = result.get(field)
        if isinstance(prop, dict) and prop.get("format") == "date-time" and isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            result[field] = moment.astimezone(tz).isoformat(timespec="seconds")
    return result


@dataclass(frozen=True)
class FieldProblem:
    """Why one field was refused: ``kind`` and ``expected`` let a UI say it in the reader's language."""

    kind: str  # required | unknown | type | enum | minimum | maximum | minLength | maxLength | maxItems | format |
    #            text | invalid | counted (differs from the case history without a reason) | unit (no such unit) |
    #            attachment (not a file of this case) | file (a file that may not be attached; expected: why)
    expected: Any
    message: str

    def __str__(self) -> str:
        return self.message


def field_errors(schema: dict[str, Any], data: Any) -> dict[str, FieldProblem]:
    """Validate a submission; returns ``{field: problem}`` (empty when valid)."""
    if not isinstance(data, dict):
        return {"": FieldProblem("invalid", None, "form data must be a JSON object")}
    unreadable = inputs.data_problems(data)
    if unreadable:  # nothing else is checked on data that cannot even be stored or printed
        return {path or "(form)": FieldProblem("text", None, message) for path, message in unreadable.items()}
    errors: dict[str, FieldProblem] = {}
    known = schema.get("properties", {})
    for name in data:
        if name not in known:
            errors[name] = FieldProblem("unknown", None, "is not a field of this form")
    _limited, validator = _compiled(schema)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        if error.validator == "required":
            for missing in error.validator_value:
                if missing not in error.instance:
                    errors.setdefault(_path(error.path, missing), FieldProblem("required", None, "is required"))
            continue
        if error.validator == "additionalProperties":
            continue  # reported above, per field
        errors.setdefault(_path(error.path), _problem(error))
    return errors


def _path(path: Iterable[str | int], leaf: str | None = None) -> str:
    parts = [str(p) for p in path] + ([leaf] if leaf else [])
    return ".".join(parts)


def _problem(error: ValidationError) -> FieldProblem:
    kind, expected = str(error.validator), error.validator_value
    choices = enum_values(error.schema) if isinstance(error.schema, Mapping) else None
    if kind == "oneOf" and choices is not None:
        kind, expected = "enum", choices
    if kind not in ("enum", "type", "minimum", "maximum", "minLength", "maxLength", "maxItems", "format"):
        kind = "invalid"
    return FieldProblem(kind, expected, _message(kind, expected, error))


def _message(kind: str, expected: Any, error: ValidationError) -> str:
    if kind == "enum":
        return "must be one of: " + ", ".join(map(str, expected))
    if kind == "type":
        return f"must be of type {expected}"
    if kind == "minimum":
        return f"must be ≥ {expected}"
    if kind == "maximum":
        return f"must be ≤ {expected}"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must have at least {expected} characters"
    if kind == "maxLength":
        return f"must have at most {expected} characters"
    if kind == "maxItems":
        return f"must have at most {expected} items"
    if kind == "format":
        return f"must be a valid {expected}" + (" with a UTC offset" if expected == "date-time" else "")
    return str(error.message)
