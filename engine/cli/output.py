"""Printing: JSON (UTF-8, not escaped) for machines, short aligned tables for people."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from engine.errors import PreplanError, ValidationFailed, say
from engine.inputs import MAX_DOCUMENT
from engine.tabular import FORMATS, Table, Tables


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


def add_file_options(parser: argparse.ArgumentParser) -> None:
    """``--format`` and ``--out``: the command's tables written to a file for a spreadsheet instead of printed."""
    parser.add_argument("--format", choices=sorted(FORMATS), help="write FILE in this format (with --out)")
    parser.add_argument("--out", type=Path, metavar="FILE")


def to_file(args: argparse.Namespace) -> bool:
    """Whether the tables go to a file; ``--format`` and ``--out`` come together."""
    if (args.format is None) != (args.out is None):
        missing = "out" if args.out is None else "format"
        raise ValidationFailed(say("--format and --out go together"), {missing: say("missing")})
    return args.format is not None


def emit_file(tables: Tables, args: argparse.Namespace, tz: tzinfo) -> None:
    """Writes the tables to ``--out``; answers {"out", "format", "rows"}."""
    rows = write_tables(tables, args.format, args.out, tz)
    emit_json({"out": str(args.out), "format": args.format, "rows": rows})


def write_tables(tables: Tables, fmt: str, path: Path, tz: tzinfo) -> int:
    """Writes ``path`` whole or not at all (a temporary file beside it, renamed); answers how many rows."""
    write, _ = FORMATS[fmt]
    single = isinstance(tables, Table)
    each = [tables] if isinstance(tables, Table) else list(tables)
    counted = [_Counted(t.rows) for t in each]
    named = [Table(t.title, t.columns, rows) for t, rows in zip(each, counted, strict=True)]
    write_file(path, lambda out: write(named[0] if single else named, out, tz))
    return sum(c.count for c in counted)


def write_file(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Writes ``path`` whole or not at all: a temporary file beside it, renamed."""
    try:
        handle, partial = tempfile.mkstemp(dir=path.resolve().parent, prefix=".export-")
    except OSError as exc:
        raise PreplanError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


class _Counted:
    """The rows, counted as the writer takes them."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row
