"""``preplan report``: the figures of one preplan for a period, as other tools read them (``--json``) or as a short
table for people."""

from __future__ import annotations

import argparse
from typing import Any

from engine.cli.context import Context, day
from engine.cli.output import add_file_options, emit_file, emit_json, emit_table, to_file


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="a preplan's figures for a period: opened, closed, rates, times")
    report.add_argument("key")
    report.add_argument("--from", dest="start", required=True, type=day, help="first day (YYYY-MM-DD), included")
    report.add_argument("--to", dest="end", required=True, type=day, help="last day (YYYY-MM-DD), included")
    report.add_argument("--unit", help="this unit and the units below it (default: every unit)")
    report.add_argument("--drills", action="store_true", help="the figures of drills instead of real cases")
    report.add_argument("--as", dest="user", help="only the cases this user may see (a supervisor)")
    report.add_argument("--json", action="store_true")
    add_file_options(report)
    report.set_defaults(handler=report_cmd)


def report_cmd(ctx: Context, args: argparse.Namespace) -> int:
    scope: dict[str, Any] = {"unit": args.unit, "drills": args.drills, "user": args.user}
    if to_file(args):
        emit_file(ctx.engine.figure_table(args.start, args.end, preplan=args.key, **scope), args, ctx.settings.timezone)
        return 0
    result = ctx.engine.report(args.key, args.start, args.end, **scope)
    if args.json:
        emit_json(result)
        return 0
    print(f"{result['preplan']} {result['from']} – {result['to']}{' (drills)' if result['drills'] else ''}")
    emit_table(
        [
            (
                severity or "-",
                f["opened"],
                f["closed"],
                _share(f["closure_rate"]),
                _share(f["on_time_rate"]),
                f["median_hours"],
                f["overdue_now"],
                f["escalations"],
            )
            for severity, f in [("ALL", result), *result["by_severity"].items()]
        ],
        ["SEVERITY", "OPENED", "CLOSED", "CLOSURE", "ON TIME", "MEDIAN H", "OVERDUE", "ESCALATED"],
    )
    return 0


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"
