"""Printing: JSON (UTF-8, not escaped) for machines, short aligned tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engine.errors import PreplanError, ValidationFailed
from engine.inputs import MAX_DOCUMENT


def emit_json(value: Any) -> None:
    """One line of JSON in UTF-8; a value that is not valid Unicode (stored before it was refused at the door)
    is written with JSON escapes instead of failing the whole output."""
    text = json.dumps(value, ensure_ascii=False, indent=None, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, indent=None, default=str)
    print(text)


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
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=False)).rstrip())


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def read_data(value: str | None) -> dict[str, Any]:
    """``--data`` as inline JSON or ``@file``: a JSON object of at most ``MAX_DOCUMENT`` bytes."""
    if not value:
        return {}
    text = _read_file(value[1:]) if value.startswith("@") else value
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT:
        raise ValidationFailed(f"--data is larger than {MAX_DOCUMENT // 1024} KB", {"": "too large"})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"--data is not valid JSON: {exc}", {"": "not valid JSON"}) from None
    except RecursionError:
        raise ValidationFailed("--data is nested too deeply", {"": "nested too deeply"}) from None
    if not isinstance(data, dict):
        raise ValidationFailed("--data must be a JSON object", {"": "must be a JSON object"})
    return data


def _read_file(name: str) -> str:
    path = Path(name)
    try:
        if path.stat().st_size > MAX_DOCUMENT:
            raise ValidationFailed(f"--data @{name} is larger than {MAX_DOCUMENT // 1024} KB", {"": "too large"})
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(
            f"--data @{name}: cannot read the file ({exc.strerror or exc})", {"": "cannot read the file"}
        ) from None
    except UnicodeDecodeError:
        raise ValidationFailed(f"--data @{name} is not UTF-8 text", {"": "not UTF-8 text"}) from None


def read_text(path: Path) -> str:
    """A UTF-8 file named on the command line (an org chart, a calendar notice)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PreplanError(f"cannot read {path}: {exc}") from None
