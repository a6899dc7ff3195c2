"""Printing: JSON (UTF-8, not escaped) for machines, short aligned tables for people."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import PreplanError, ValidationFailed


def emit_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=None, default=str))


def emit_error(error: PreplanError, *, json_mode: bool) -> None:
    if json_mode:
        emit_json(error.to_json())
        return
    print(f"error: {error.message}", file=sys.stderr)
    if isinstance(error, ValidationFailed):
        for name, message in error.fields.items():
            print(f"  {name or '(form)'}: {message}", file=sys.stderr)
    for problem in error.details.get("problems", []):
        print(f"  {problem}", file=sys.stderr)


def emit_table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> None:
    rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    for row in [list(headers)] + rows:
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip())


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def read_data(value: str | None) -> dict[str, Any]:
    """``--data`` as inline JSON or ``@file``."""
    if not value:
        return {}
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"--data is not valid JSON: {exc}", {"": "not valid JSON"}) from None
    if not isinstance(data, dict):
        raise ValidationFailed("--data must be a JSON object", {"": "must be a JSON object"})
    return data
