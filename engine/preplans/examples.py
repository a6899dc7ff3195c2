"""Schema-valid example submissions generated from a form's JSON Schema alone.

Used to prove that any valid submission keeps a case moving (every gateway has a way out), and by the benchmark.
``choice`` picks which enum option / boolean value to take, so callers can walk different branches.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from engine import clock
from engine.preplans.conventions import UNIT_FORMAT, enum_values
from engine.store.models import ROOT_UNIT


def example_submission(
    schema: dict[str, Any], choice: int = 0, *, only_required: bool = False, leave_out: Collection[str] = ()
) -> dict[str, Any]:
    """``leave_out``: fields the engine fills itself (counts taken from the case history)."""
    required = set(schema.get("required", []))
    result = {}
    for name, prop in schema.get("properties", {}).items():
        if (only_required and name not in required) or name in leave_out:
            continue
        result[name] = example_value(prop, choice)
    return result


def example_value(prop: dict[str, Any], choice: int = 0) -> Any:
    options = enum_values(prop)
    if options:
        return options[choice % len(options)]
    kind = prop.get("type")
    if kind == "boolean":
        return bool(choice % 2)
    if kind in ("integer", "number"):
        return prop.get("minimum", prop.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in prop else 1)
    if kind == "array":
        return [example_value(prop.get("items", {"type": "string"}), choice)] * prop.get("minItems", 0)
    if kind == "object":
        return example_submission(prop, choice)
    if prop.get("format") == "date-time":
        return clock.now().isoformat(timespec="seconds")
    if prop.get("format") == "date":
        return clock.now().date().isoformat()
    if prop.get("format") == UNIT_FORMAT:
        return ROOT_UNIT
    return "示例" * max(1, (prop.get("minLength", 1) + 1) // 2)
