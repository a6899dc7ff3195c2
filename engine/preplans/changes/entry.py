"""One change as ``preplan diff --json`` has it, and the lenient readers every comparison uses (a file that
cannot be read compares as empty: ``preplan check`` says what is wrong with it)."""

from __future__ import annotations

import json
import tomllib
from typing import Any


def change(group: str, element: str, kind: str, what: str, before: Any, after: Any, text: str) -> dict[str, Any]:
    return {
        "element": element,
        "kind": kind,
        "what": what,
        "before": before,
        "after": after,
        "text": text,
        "group": group,
    }


def json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def shown(value: Any) -> str:
    return "-" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def toml_object(data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
