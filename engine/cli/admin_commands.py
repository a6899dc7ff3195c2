"""Administration commands: schema, check, deploy, preplans, decisions, the working calendar."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from engine import clock
from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table, read_data, read_text
from engine.errors import InvalidPreplan, PreplanError
from engine.preplans.archive import MAX_BYTES, read_zip
from engine.preplans.check import check_package
from engine.preplans.decisions import decide
from engine.preplans.history import compare
from engine.preplans.listing import list_preplans, preplan_versions
from engine.preplans.package import PreplanPackage, discover, load_package, package_from_files
from engine.service.base import OPERATOR
from engine.store import schema
from engine.time.calendar_store import load_calendar, working_hours_text, year_view
from engine.timefmt import iso


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("init", help="create or upgrade the schema").set_defaults(handler=db_init)

    check = commands.add_parser("check", help="validate preplan folders")
    check.add_argument("paths", nargs="+", type=Path, help="preplan folders or .zip files")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=check_cmd)

    dep = commands.add_parser("deploy", help="store a new version of each changed preplan")
    dep.add_argument("paths", nargs="*", type=Path, help="preplan folders or .zip files")
    dep.add_argument("--all", action="store_true", help="every preplan under ./processes")
    dep.add_argument("--note")
    dep.set_defaults(handler=deploy_cmd, json_always=True)

    versions = commands.add_parser("versions", help="versions of a preplan")
    versions.add_argument("key")
    versions.add_argument("--json", action="store_true")
    versions.set_defaults(handler=versions_cmd)
    for name, status in (("retire", "retired"), ("reactivate", "active")):
        sub = commands.add_parser(name, help=f"{name} a version (running cases carry on)")
        sub.add_argument("key")
        sub.add_argument("--version", type=int, required=True)
        sub.set_defaults(handler=lambda ctx, args, status=status: status_cmd(ctx, args, status), json_always=True)
    diff = commands.add_parser("diff", help="what changed between two versions")
    diff.add_argument("key")
    diff.add_argument("old", type=int)
    diff.add_argument("new", type=int)
    diff.set_defaults(handler=diff_cmd)

    plans = commands.add_parser("preplans", help="list deployed preplans")
    plans.add_argument("--json", action="store_true")
    plans.set_defaults(handler=preplans_cmd)

    dec = commands.add_parser("decide", help="evaluate one DMN decision standalone")
    dec.add_argument("reference", metavar="PREPLAN/DECISION")
    dec.add_argument("--data", required=True)
    dec.set_defaults(handler=decide_cmd, json_always=True)

    cal = commands.add_parser("calendar", help="working calendar").add_subparsers(
        dest="calendar_command", required=True
    )
    due = cal.add_parser("due", help="compute a working-time deadline")
    due.add_argument("--from", dest="start", required=True, metavar="ISO8601")
    amount = due.add_mutually_exclusive_group(required=True)
    amount.add_argument("--working-days", type=float)
    amount.add_argument("--working-hours", type=float)
    amount.add_argument("--next-opening", action="store_true")
    due.add_argument("--json", action="store_true")
    due.set_defaults(handler=calendar_due)
    notice = cal.add_parser("import", help="enter a year's official schedule from the State Council's notice")
    notice.add_argument("file", type=Path, help="the notice's text (or one 'DATE 放假|上班 [note]' per line)")
    notice.add_argument("--year", type=int, help="when the text has no title naming the year")
    notice.set_defaults(handler=calendar_import, json_always=True)
    confirm = cal.add_parser("confirm", help="declare a year's official schedule completely entered")
    confirm.add_argument("year", type=int)
    confirm.set_defaults(handler=calendar_confirm, json_always=True)
    cal.add_parser("recount", help="count provisional deadlines again on the calendar as it is").set_defaults(
        handler=calendar_recount, json_always=True
    )
    day = cal.add_parser("set", help="make a date a holiday or a (make-up) workday")
    day.add_argument("date", type=date.fromisoformat, metavar="DATE")
    kind = day.add_mutually_exclusive_group(required=True)
    kind.add_argument("--holiday", action="store_true")
    kind.add_argument("--workday", action="store_true")
    day.add_argument("--note")
    day.set_defaults(handler=calendar_set)
    clear = cal.add_parser("clear", help="remove an admin override for a date")
    clear.add_argument("date", type=date.fromisoformat, metavar="DATE")
    clear.set_defaults(handler=calendar_clear)
    show = cal.add_parser("show", help="holidays, make-up workdays and overrides of a year")
    show.add_argument("year", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=calendar_show)
    hours = cal.add_parser("hours", help="show or set working hours, e.g. 09:00-12:00,13:30-18:00")
    hours.add_argument("periods", nargs="?")
    hours.set_defaults(handler=calendar_hours)


def db_init(ctx: Context, args: argparse.Namespace) -> int:
    schema.upgrade(ctx.db)
    ctx.engine.ensure_builtins()
    print(f"database ready: {ctx.db.engine.url.render_as_string(hide_password=True)}")
    return 0


def check_cmd(ctx: Context, args: argparse.Namespace) -> int:
    problems = []
    for path in args.paths:
        try:
            problems += check_package(read_package(path)).problems
        except InvalidPreplan as exc:
            problems += exc.problems
    if args.json:
        emit_json({"ok": not problems, "problems": [p.to_json() for p in problems]})
    else:
        for problem in problems:
            print(problem)
        print(
            f"{len(problems)} problem(s) in {len(args.paths)} preplan(s)"
            if problems
            else f"ok: {len(args.paths)} preplan(s)"
        )
    return 1 if problems else 0


def deploy_cmd(ctx: Context, args: argparse.Namespace) -> int:
    paths = list(args.paths) + (discover(Path("processes")) if args.all else [])
    if not paths:
        raise PreplanError("nothing to deploy: give preplan folders or --all")
    packages, problems = [], []
    for path in paths:
        try:
            package = read_package(path)
            problems += check_package(package).problems
            packages.append(package)
        except InvalidPreplan as exc:
            problems += exc.problems
    if problems:
        raise InvalidPreplan(problems)  # nothing is deployed unless every named preplan is valid
    for package in packages:
        emit_json(ctx.engine.deploy(package, note=args.note))
    return 0


def read_package(path: Path) -> PreplanPackage:
    """A preplan folder, or a ``.zip`` of one (engine/preplans/archive.py says which layouts)."""
    if path.suffix.lower() == ".zip" and path.is_file():
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # read_zip refuses what is larger, without reading it all
        return package_from_files(*read_zip(data, source=str(path)))
    return load_package(path)


def versions_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        rows = preplan_versions(session, args.key, ctx.settings.timezone)
    if not rows:
        raise PreplanError(f"no preplan {args.key!r}")
    if args.json:
        emit_json(rows)
    else:
        emit_table(
            [(f"v{r['number']}", r["status"], r["deployed_at"], r["deployed_by"], r["note"]) for r in rows],
            ["VERSION", "STATUS", "DEPLOYED", "BY", "NOTE"],
        )
    return 0


def status_cmd(ctx: Context, args: argparse.Namespace, status: str) -> int:
    emit_json(ctx.engine.set_version_status(args.key, args.version, status))
    return 0


def diff_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        changes = compare(session, args.key, args.old, args.new)
    for change in changes:
        print("\n".join(change["diff"]) if change["diff"] else f"{change['file']}: {change['change']}")
    if not changes:
        print(f"v{args.old} and v{args.new} have the same files")
    return 0


def preplans_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        plans = list_preplans(session, ctx.engine.versions)
    if args.json:
        emit_json(plans)
    else:
        emit_table(
            [(p["key"], p["version"], p["title"]["zh"], p["title"]["en"]) for p in plans],
            ["KEY", "VERSION", "标题", "TITLE"],
        )
    return 0


def decide_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        emit_json(decide(session, ctx.settings, args.reference, read_data(args.data)))
    return 0


def calendar_set(ctx: Context, args: argparse.Namespace) -> int:
    moved = ctx.engine.set_calendar_day(args.date, args.workday, args.note)
    print(
        f"{args.date.isoformat()}: {'workday' if args.workday else 'holiday'}"
        " (applies to deadlines computed from now on; existing deadlines keep their value, provisional ones "
        "are counted again)"
    )
    _report_recount(moved)
    return 0


def calendar_clear(ctx: Context, args: argparse.Namespace) -> int:
    moved = ctx.engine.clear_calendar_day(args.date)
    print(f"{args.date.isoformat()}: {'override removed' if moved is not None else 'no override'}")
    _report_recount(moved or [])
    return 0


def _report_recount(moved: list[dict[str, Any]]) -> None:
    if moved:
        print(f"{sum(len(m['moved']) for m in moved)} provisional deadline(s) of {len(moved)} case(s) moved")


def calendar_import(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.import_calendar_notice(read_text(args.file), year=args.year))
    return 0


def calendar_confirm(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.confirm_calendar_year(args.year))
    return 0


def calendar_recount(ctx: Context, args: argparse.Namespace) -> int:
    emit_json({"moved": ctx.engine.recount_deadlines(OPERATOR, "calendar recounted")})
    return 0


def calendar_show(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        view = year_view(session, ctx.settings, args.year)
    if args.json:
        emit_json(view)
        return 0
    print(
        f"{view['year']}  working hours {view['working_hours']}"
        + ("" if view["covered"] else "  (NOT COVERED: enter this year's holidays and make-up workdays)")
    )
    emit_table(
        [
            (d["date"], "workday" if d["workday"] else "holiday", d["source"], (d["name"] or {}).get("zh"), d["note"])
            for d in view["days"]
        ],
        ["DATE", "KIND", "SOURCE", "NAME", "NOTE"],
    )
    return 0


def calendar_hours(ctx: Context, args: argparse.Namespace) -> int:
    if args.periods:
        try:
            print(ctx.engine.set_working_hours(args.periods))
        except ValueError as exc:
            raise PreplanError(str(exc)) from None
        return 0
    with ctx.db.read() as session:
        print(working_hours_text(session, ctx.settings))
    return 0


def calendar_due(ctx: Context, args: argparse.Namespace) -> int:
    try:
        start = clock.parse_instant(args.start)
    except ValueError as exc:
        raise PreplanError(f"--from: {exc}") from None
    with ctx.db.read() as session:
        calendar = load_calendar(session, ctx.settings)
    if args.next_opening:
        due = calendar.next_opening(start)
    elif args.working_days is not None:
        due = calendar.working_days(args.working_days, start)
    else:
        due = calendar.working_hours(args.working_hours, start)
    provisional = calendar.is_provisional(due.astimezone(ctx.settings.timezone).date())
    if args.json:
        emit_json({"due": iso(due, ctx.settings.timezone), "provisional": provisional})
        return 0
    print(iso(due, ctx.settings.timezone))
    if provisional:
        print(
            f"provisional: the official holiday schedule ends on {calendar.official_until.isoformat()}; this "
            f"deadline follows the holiday law and may move when the schedule is entered",
            file=sys.stderr,
        )
    return 0
