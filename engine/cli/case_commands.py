"""Case commands: start, tasks, claim/unclaim, complete, terminate, show, timers and the worker."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from sqlalchemy.orm import Session

from engine.cases import drills
from engine.cases.sight import Sight
from engine.cases.stats import statistics
from engine.cases.views import case_view, list_tasks
from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table, read_data
from engine.errors import ValidationFailed, say
from engine.notify.notices import list_notifications
from engine.people.users import get_user
from engine.service.timers import work


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    start = commands.add_parser("start", help="start a case")
    start.add_argument("key")
    start.add_argument("--data")
    start.add_argument("--as", dest="user")
    start.add_argument("--unit", help="the unit the case concerns (default: the starter's own unit)")
    start.add_argument("--drill", action="store_true", help="a drill (演练) case on its own virtual clock")
    _correction_argument(start)
    start.add_argument("--json", action="store_true")
    start.set_defaults(handler=start_cmd, json_errors=True)

    tasks = commands.add_parser("tasks", help="list open tasks")
    tasks.add_argument("--user")
    tasks.add_argument("--case")
    tasks.add_argument("--all", action="store_true", help="include completed and cancelled tasks")
    tasks.add_argument("--json", action="store_true")
    tasks.set_defaults(handler=tasks_cmd)

    for name, handler in (("claim", claim_cmd), ("unclaim", unclaim_cmd)):
        sub = commands.add_parser(name, help=f"{name} a task")
        sub.add_argument("task")
        sub.add_argument("--as", dest="user", required=True)
        sub.set_defaults(handler=handler, json_always=True)

    complete = commands.add_parser("complete", help="complete a task with its form data")
    complete.add_argument("task")
    complete.add_argument("--as", dest="user", required=True)
    complete.add_argument("--data")
    _correction_argument(complete)
    complete.set_defaults(handler=complete_cmd, json_always=True)

    move = commands.add_parser("move", help="move a case to another unit (its open steps follow), with a reason")
    move.add_argument("case")
    move.add_argument("--unit", required=True)
    move.add_argument("--reason", required=True)
    move.add_argument("--as", dest="user")
    move.set_defaults(handler=move_cmd, json_always=True)

    terminate = commands.add_parser("terminate", help="end a case early, with a reason")
    terminate.add_argument("case")
    terminate.add_argument("--reason", required=True)
    terminate.add_argument("--as", dest="user")
    terminate.set_defaults(handler=terminate_cmd, json_always=True)

    resume = commands.add_parser("resume", help="run a case that stopped with an error again, after the fix")
    resume.add_argument("case")
    resume.add_argument("--as", dest="user")
    resume.set_defaults(handler=resume_cmd, json_always=True)

    show = commands.add_parser("show", help="a case: data, tasks, timers, audit trail")
    show.add_argument("case")
    show.add_argument("--as", dest="user", help="as this user sees it (the access rule and confidential fields apply)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_cmd, json_errors=True)

    timer = commands.add_parser("timers", help="timers").add_subparsers(dest="timers_command", required=True)
    timer.add_parser("run", help="fire every due timer once").set_defaults(handler=timers_run, json_always=True)

    commands.add_parser("worker", help="fire timers, send deadline notices and mail, continuously").set_defaults(
        handler=worker_cmd
    )

    drill = commands.add_parser("drill", help="drills (演练) on their own virtual clock").add_subparsers(
        dest="drill_command", required=True
    )
    advance = drill.add_parser("advance", help="move one drill's clock and fire what comes due")
    advance.add_argument("case")
    how = advance.add_mutually_exclusive_group(required=True)
    how.add_argument("--to-next-deadline", action="store_true")
    how.add_argument("--by", metavar="ISO8601_DURATION")
    advance.add_argument("--json", action="store_true")
    advance.set_defaults(handler=drill_advance)
    report = drill.add_parser("report", help="per-step timeliness of a drill")
    report.add_argument("case")
    report.add_argument("--as", dest="user", help="as this user may see it")
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler=drill_report)

    stats = commands.add_parser("stats", help="cases, open and overdue work, deadlines met, per preplan")
    stats.add_argument("--drills", action="store_true", help="the figures of drills instead of real cases")
    stats.add_argument("--as", dest="user", help="only the cases this user may see")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=stats_cmd)

    notes = commands.add_parser("notifications", help="notifications (outbox and inbox)")
    notes.add_argument("--user")
    notes.add_argument("--pending", action="store_true", help="only those not delivered yet")
    notes.add_argument("--json", action="store_true")
    notes.set_defaults(handler=notifications_cmd)
    actions = notes.add_subparsers(dest="notifications_command")
    actions.add_parser("send", help="deliver due notifications once").set_defaults(
        handler=notifications_send, json_always=True
    )


def _correction_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--correction",
        action="append",
        default=[],
        metavar="FIELD=REASON",
        help="why a counted field (--data) differs from the number the case history gives",
    )


def _corrections(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        field, sep, reason = pair.partition("=")
        if not sep or not field.strip():
            raise ValidationFailed(say("--correction takes FIELD=REASON"), {"correction": "is not FIELD=REASON"})
        found[field.strip()] = reason
    return found


def start_cmd(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.engine.start(
        args.key,
        read_data(args.data),
        user=args.user,
        drill=args.drill,
        unit=args.unit,
        corrections=_corrections(args.correction),
    )
    if args.json:
        emit_json(result)
    else:
        print(
            f"started {result['business_key']} (case {result['case']}, version {result['version']}): {result['status']}"
        )
        _print_tasks(result["tasks"])
    return 0


def tasks_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        user = get_user(session, args.user) if args.user else None
        case_id = Sight(session, ctx.engine.versions, user).case(args.case).id if args.case else None
        rows = list_tasks(session, ctx.settings.timezone, user=user, case_id=case_id, include_closed=args.all)
    if args.json:
        emit_json(rows)
    else:
        _print_tasks(rows)
    return 0


def _print_tasks(rows: list[dict[str, Any]]) -> None:
    emit_table(
        [
            (
                t["id"],
                t["business_key"],
                t["name"],
                t["role"],
                t["unit"],
                t["assignee"],
                t["status"],
                t["due_at"],
                "OVERDUE" if t["overdue"] else "",
            )
            for t in rows
        ],
        ["ID", "CASE", "STEP", "ROLE", "UNIT", "ASSIGNEE", "STATUS", "DUE", ""],
    )


def claim_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.claim(args.task, user=args.user))
    return 0


def unclaim_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.unclaim(args.task, user=args.user))
    return 0


def complete_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(
        ctx.engine.complete(args.task, read_data(args.data), user=args.user, corrections=_corrections(args.correction))
    )
    return 0


def move_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.move(args.case, args.unit, args.reason, user=args.user))
    return 0


def terminate_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.terminate(args.case, args.reason, user=args.user))
    return 0


def resume_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.resume(args.case, user=args.user))
    return 0


def _sight(ctx: Context, session: Session, user: str | None) -> Sight:
    """What the command may show: everything for the operator, what ``--as USER`` may see otherwise."""
    return Sight(session, ctx.engine.versions, get_user(session, user) if user else None)


def show_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        sight = _sight(ctx, session, args.user)
        case = sight.case(args.case)
        view = case_view(session, case, ctx.settings.timezone, sight.hidden(case))
    if args.json:
        emit_json(view)
        return 0
    print(
        f"{view['business_key']}  {view['title']}  [{view['status']}]  {view['preplan']} v{view['version']}"
        + ("  (drill)" if view["is_drill"] else "")
    )
    print(
        f"unit: {view['unit']}   severity: {view['severity'] or '-'}   started {view['started_at']} by "
        f"{view['started_by']}"
    )
    _print_tasks(view["tasks"])
    for timer in view["timers"]:
        print(f"timer {timer['bpmn_id']} due {timer['due_at']}")
    for event in view["events"]:
        print(f"{event['at']}  {event['actor']:<12} {event['kind']:<16} {event['details']}")
    return 0


def timers_run(ctx: Context, args: argparse.Namespace) -> int:
    fired = ctx.engine.run_due()
    emit_json({"fired": fired, "notices": ctx.engine.sweep_deadlines() + ctx.engine.warn_admins()})
    return 0


def drill_advance(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.engine.advance_drill(args.case, to_next_deadline=args.to_next_deadline, by=args.by)
    if args.json:
        emit_json(result)
    else:
        print(f"case {result['case']} now at {result['now']}; {result['fired']} timer(s) fired")
    return 0


def drill_report(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        result = drills.report(session, _sight(ctx, session, args.user).case(args.case), ctx.settings.timezone)
    if args.json:
        emit_json(result)
        return 0
    print(f"{result['business_key']}  {result['title']}  [{result['status']}]  now {result['now']}")
    emit_table(
        [
            (
                s["name"],
                s["role"],
                s["assignee"],
                s["opened_at"],
                s["due_at"],
                s["completed_at"],
                {True: "on time", False: "LATE", None: ""}[s["on_time"]],
            )
            for s in result["steps"]
        ],
        ["STEP", "ROLE", "ASSIGNEE", "OPENED", "DUE", "COMPLETED", ""],
    )
    summary = result["summary"]
    print(
        f"{summary['steps']} steps: {summary['on_time']} on time, {summary['late']} late, {summary['open']} still open"
    )
    return 0


def stats_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        rows = statistics(session, _sight(ctx, session, args.user), drills=args.drills)
    if args.json:
        emit_json(rows)
    else:
        emit_table(
            [
                (
                    r["preplan"],
                    r["cases"].get("running", 0),
                    r["cases"].get("completed", 0),
                    r["cases"].get("terminated", 0),
                    r["open_tasks"],
                    r["overdue_tasks"],
                    r["deadlines_met"],
                    r["deadlines_missed"],
                )
                for r in rows
            ],
            ["PREPLAN", "RUNNING", "COMPLETED", "TERMINATED", "OPEN TASKS", "OVERDUE", "MET", "MISSED"],
        )
    return 0


def notifications_cmd(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.db.read() as session:
        rows = list_notifications(session, ctx.settings.timezone, user=args.user, pending=args.pending)
    if args.json:
        emit_json(rows)
    else:
        emit_table(
            [
                (
                    n["id"],
                    n["to"],
                    n["channel"],
                    n["kind"],
                    n["subject"],
                    n["created_at"],
                    n["sent_at"]
                    or (f"pending, {n['attempts']} attempt(s)" + (f": {n['last_error']}" if n["last_error"] else "")),
                )
                for n in rows
            ],
            ["ID", "TO", "CHANNEL", "KIND", "SUBJECT", "CREATED", "SENT"],
        )
    return 0


def notifications_send(ctx: Context, args: argparse.Namespace) -> int:
    emit_json({"sent": ctx.engine.deliver_mail()})
    return 0


def worker_cmd(ctx: Context, args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logging.info("worker started on %s", ctx.db.engine.url.render_as_string(hide_password=True))
    work(ctx.engine, stop)
    logging.info("worker stopped")
    return 0
