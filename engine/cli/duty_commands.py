"""The periodic duties' reports: ``preplan reports list [--preplan KEY] --json`` (the contract other tools read:
``[{"id", "preplan", "kind", "period", "status", "due_at"}]``), ``preplan reports show ID`` (a report whole, or its
tables with ``--format --out``) and ``preplan duties run`` (start the periods that have opened, as the worker does
every minute)."""

from __future__ import annotations

import argparse

from engine.cli.context import Context
from engine.cli.output import add_file_options, emit_file, emit_json, emit_table, to_file

#: What ``reports list --json`` answers per report: the contract other tools read.
LISTED = ("id", "preplan", "kind", "period", "status", "due_at")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = commands.add_parser("reports", help="the periodic duties' reports").add_subparsers(
        dest="reports_command", required=True
    )
    listing = reports.add_parser("list", help="the stored reports, newest period first")
    listing.add_argument("--preplan", metavar="KEY")
    listing.add_argument("--as", dest="user", help="as USER sees them: only the reports they may read")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=reports_list)

    show = reports.add_parser("show", help="one report: its figures, comments and who submitted it")
    show.add_argument("id", type=int)
    show.add_argument("--as", dest="user", help="as USER sees it")
    show.add_argument("--json", action="store_true")
    add_file_options(show)
    show.set_defaults(handler=reports_show)

    duties = commands.add_parser("duties", help="the periodic duties").add_subparsers(
        dest="duties_command", required=True
    )
    duties.add_parser("run", help="start every period whose duty has opened (each missed period once)").set_defaults(
        handler=duties_run, json_always=True
    )


def reports_list(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.engine.duty_reports(preplan=args.preplan, user=args.user)
    if args.json:
        emit_json([{key: r[key] for key in LISTED} for r in found])
    else:
        emit_table([[r[key] for key in LISTED] for r in found], ["ID", "PREPLAN", "KIND", "PERIOD", "STATUS", "DUE"])
    return 0


def reports_show(ctx: Context, args: argparse.Namespace) -> int:
    if to_file(args):
        emit_file(ctx.engine.duty_report_tables(args.id, user=args.user), args, ctx.settings.timezone)
        return 0
    found = ctx.engine.duty_report(args.id, user=args.user)
    if args.json:
        emit_json(found)
        return 0
    print(f"{found['title']['zh']} {found['period']} ({found['unit_name']}), v{found['version']}: {found['status']}")
    print(f"due {found['due_at']}; submitted {found['submitted_at'] or '-'} by {found['submitted_by'] or '-'}")
    if found["comments"]:
        print(found["comments"])
    return 0


def duties_run(ctx: Context, args: argparse.Namespace) -> int:
    emit_json({"started": ctx.engine.run_duties()})
    return 0
