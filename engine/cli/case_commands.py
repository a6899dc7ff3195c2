"""Case commands: start, tasks, claim/unclaim, complete, terminate, show, timers and the worker."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from .. import timers
from ..users import get_user
from ..views import case_view, find_case, list_tasks
from .output import emit_json, emit_table, read_data


def register(commands: argparse._SubParsersAction) -> None:
    start = commands.add_parser("start", help="start a case")
    start.add_argument("key")
    start.add_argument("--data")
    start.add_argument("--as", dest="user")
    start.add_argument("--drill", action="store_true", help="a drill (演练) case on its own virtual clock")
    start.add_argument("--json", action="store_true")
    start.set_defaults(handler=start_cmd)

    tasks = commands.add_parser("tasks", help="list open tasks")
    tasks.add_argument("--user")
    tasks.add_argument("--case")
    tasks.add_argument("--all", action="store_true", help="include completed and cancelled tasks")
    tasks.add_argument("--json", action="store_true")
    tasks.set_defaults(handler=tasks_cmd)

    for name, handler in (("claim", claim_cmd), ("unclaim", unclaim_cmd)):
        sub = commands.add_parser(name, help=f"{name} a task")
        sub.add_argument("task", type=int)
        sub.add_argument("--as", dest="user", required=True)
        sub.set_defaults(handler=handler, json_always=True)

    complete = commands.add_parser("complete", help="complete a task with its form data")
    complete.add_argument("task", type=int)
    complete.add_argument("--as", dest="user", required=True)
    complete.add_argument("--data")
    complete.set_defaults(handler=complete_cmd, json_always=True)

    terminate = commands.add_parser("terminate", help="end a case early, with a reason")
    terminate.add_argument("case")
    terminate.add_argument("--reason", required=True)
    terminate.add_argument("--as", dest="user")
    terminate.set_defaults(handler=terminate_cmd, json_always=True)

    show = commands.add_parser("show", help="a case: data, tasks, timers, audit trail")
    show.add_argument("case")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_cmd)

    timer = commands.add_parser("timers", help="timers").add_subparsers(dest="timers_command", required=True)
    timer.add_parser("run", help="fire every due timer once").set_defaults(handler=timers_run, json_always=True)

    commands.add_parser("worker", help="fire timers continuously (within 1 s of due)").set_defaults(handler=worker_cmd)


def start_cmd(ctx, args) -> int:
    result = ctx.engine.start(args.key, read_data(args.data), user=args.user, drill=args.drill)
    if args.json:
        emit_json(result)
    else:
        print(f"started {result['business_key']} (case {result['case']}, version {result['version']}): {result['status']}")
        _print_tasks(result["tasks"])
    return 0


def tasks_cmd(ctx, args) -> int:
    with ctx.db.read() as session:
        user = get_user(session, args.user) if args.user else None
        case_id = find_case(session, args.case).id if args.case else None
        rows = list_tasks(session, ctx.settings.timezone, user=user, case_id=case_id, include_closed=args.all)
    if args.json:
        emit_json(rows)
    else:
        _print_tasks(rows)
    return 0


def _print_tasks(rows) -> None:
    emit_table(
        [(t["id"], t["business_key"], t["name"], t["role"], t["assignee"], t["status"], t["due_at"],
          "OVERDUE" if t["overdue"] else "") for t in rows],
        ["ID", "CASE", "STEP", "ROLE", "ASSIGNEE", "STATUS", "DUE", ""],
    )


def claim_cmd(ctx, args) -> int:
    emit_json(ctx.engine.claim(args.task, user=args.user))
    return 0


def unclaim_cmd(ctx, args) -> int:
    emit_json(ctx.engine.unclaim(args.task, user=args.user))
    return 0


def complete_cmd(ctx, args) -> int:
    emit_json(ctx.engine.complete(args.task, read_data(args.data), user=args.user))
    return 0


def terminate_cmd(ctx, args) -> int:
    emit_json(ctx.engine.terminate(args.case, args.reason, user=args.user))
    return 0


def show_cmd(ctx, args) -> int:
    with ctx.db.read() as session:
        view = case_view(session, find_case(session, args.case), ctx.settings.timezone)
    if args.json:
        emit_json(view)
        return 0
    print(f"{view['business_key']}  {view['title']}  [{view['status']}]  {view['preplan']} v{view['version']}"
          + ("  (drill)" if view["is_drill"] else ""))
    print(f"severity: {view['severity'] or '-'}   started {view['started_at']} by {view['started_by']}")
    _print_tasks(view["tasks"])
    for timer in view["timers"]:
        print(f"timer {timer['bpmn_id']} due {timer['due_at']}")
    for event in view["events"]:
        print(f"{event['at']}  {event['actor']:<12} {event['kind']:<16} {event['details']}")
    return 0


def timers_run(ctx, args) -> int:
    emit_json({"fired": timers.run_due(ctx.engine)})
    return 0


def worker_cmd(ctx, args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logging.info("worker started on %s", ctx.db.engine.url.render_as_string(hide_password=True))
    timers.work(ctx.engine, stop)
    logging.info("worker stopped")
    return 0
