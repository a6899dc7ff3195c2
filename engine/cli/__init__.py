"""The ``preplan`` command: a public interface (operators, tests and integrations rely on its names and JSON).

Commands are registered by modules of this package; other packages add commands through the
``preplan.commands`` entry-point group (``web`` adds ``serve``), so the engine never imports the web layer.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError

from engine import clock
from engine.cli import (
    admin_commands,
    attachment_commands,
    case_commands,
    duty_commands,
    export_commands,
    ledger_commands,
    message_commands,
    migration_commands,
    people_commands,
    report_commands,
    token_commands,
    webhook_commands,
)
from engine.cli.context import Context
from engine.cli.output import emit_error
from engine.errors import InternalError, NoSchema, PreplanError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preplan", description="Executable complaint-handling preplans (投诉应急预案)."
    )
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default: PREPLAN_DATABASE_URL or sqlite:///instance/preplan.db)"
    )
    parser.add_argument("--now", help="fix the clock for this command (ISO 8601 with offset); also PREPLAN_NOW")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    admin_commands.register(commands)
    people_commands.register(commands)
    case_commands.register(commands)
    message_commands.register(commands)
    token_commands.register(commands)
    webhook_commands.register(commands)
    attachment_commands.register(commands)
    export_commands.register(commands)
    report_commands.register(commands)
    ledger_commands.register(commands)
    migration_commands.register(commands)
    duty_commands.register(commands)
    for entry in entry_points(group="preplan.commands"):
        entry.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.now:
            clock.fix(clock.parse_instant(args.now))
        else:
            clock.fix_from_environment()
    except ValueError as exc:
        parser.error(f"--now: {exc}")
    context = Context(args.database_url)
    try:
        return int(args.handler(context, args) or 0)
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_schema(exc):
            raise
        emit_error(
            NoSchema("the database has no preplan tables yet: run `preplan db init` first"),
            json_mode=_json_errors(args),
        )
        return 1
    except PreplanError as exc:
        emit_error(exc, json_mode=_json_errors(args))
        return 1
    except BrokenPipeError:  # the reader stopped early (``preplan show … | head``): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug must still answer in the documented shape; the traceback goes to a file
        where = _record_failure(context, args.command)
        failure = InternalError(f"internal error ({type(exc).__name__}); nothing was changed; details in {where}")
        emit_error(failure, json_mode=_json_errors(args))
        return 1
    finally:
        context.close()


def _json_errors(args: argparse.Namespace) -> bool:
    """Errors are JSON for commands that answer in JSON (as ``--format`` writing a file does) and for those other
    tools drive (``start``, ``show``)."""
    return any(getattr(args, flag, False) for flag in ("json", "json_always", "json_errors", "format"))


def _record_failure(context: Context, command: str) -> Path:
    path = Path(context.settings.instance_dir) / "errors.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now(UTC).isoformat()} preplan {command}\n{traceback.format_exc()}\n")
    return path


def _missing_schema(exc: Exception) -> bool:
    """SQLite's "no such table" or PostgreSQL's undefined_table (42P01)."""
    return "no such table" in str(exc) or getattr(getattr(exc, "orig", None), "sqlstate", None) == "42P01"


if __name__ == "__main__":
    sys.exit(main())
