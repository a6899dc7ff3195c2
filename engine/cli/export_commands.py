"""``preplan export cases|tasks``: the cases list or the task list as CSV or an Excel workbook, for whoever reads
them in a spreadsheet (what ``--as USER`` may see, with that person's confidential fields hidden)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from engine.cases.exports import cases_table, tasks_table
from engine.cases.sight import Sight
from engine.cli.context import Context, day
from engine.cli.output import emit_json, write_tables
from engine.errors import PreplanError
from engine.people.users import get_user
from engine.tabular import FORMATS


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="the cases list or the task list as CSV or Excel (.xlsx)")
    export.add_argument("list", choices=("cases", "tasks"))
    export.add_argument("--preplan", metavar="KEY", help="only cases (tasks) of this preplan")
    export.add_argument("--from", dest="since", type=day, metavar="DATE", help="started (opened) on or after")
    export.add_argument("--to", dest="until", type=day, metavar="DATE", help="started (opened) on or before")
    export.add_argument("--format", required=True, choices=sorted(FORMATS))
    export.add_argument("--out", required=True, type=Path, metavar="FILE")
    export.add_argument("--as", dest="user", help="what this user may see (default: everything)")
    export.set_defaults(handler=export_cmd, json_always=True)


def export_cmd(ctx: Context, args: argparse.Namespace) -> int:
    """Writes FILE whole or not at all; answers {"list", "format", "out", "rows"}."""
    if args.since and args.until and args.since > args.until:
        raise PreplanError("--from must not be after --to")
    tz = ctx.settings.timezone
    period = {  # whole days in the organisation's zone, --to included
        "since": _midnight(args.since, tz),
        "until": _midnight(args.until + timedelta(days=1), tz) if args.until else None,
    }
    with ctx.db.read() as session:
        sight = Sight(session, ctx.engine.versions, get_user(session, args.user) if args.user else None)
        if args.list == "cases":
            table = cases_table(session, tz, sight, preplan=args.preplan, **period)
        else:
            table = tasks_table(
                session, tz, sight, preplan=args.preplan, reminder_share=ctx.settings.reminder_share, **period
            )
        rows = write_tables(table, args.format, args.out, tz)
    emit_json({"list": args.list, "format": args.format, "out": str(args.out), "rows": rows})
    return 0


def _midnight(on: date | None, tz: tzinfo) -> datetime | None:
    """The start of the day ``on`` in the organisation's zone."""
    return datetime.combine(on, time(), tz) if on is not None else None
