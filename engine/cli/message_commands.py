"""Events into running cases: ``preplan message`` (to one case) and ``preplan signal`` (to a preplan's cases)."""

from __future__ import annotations

import argparse

from engine.cli.context import Context
from engine.cli.output import emit_json, read_data


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    message = commands.add_parser("message", help="deliver a message (a BPMN message event) to a running case")
    message.add_argument("case", help="case id or business key")
    message.add_argument("name", help="the message's name in the diagram, e.g. facts_changed")
    message.add_argument("--data", help="JSON object (or @file) the message carries")
    message.add_argument("--as", dest="user")
    message.add_argument("--json", action="store_true")
    message.set_defaults(handler=message_cmd, json_always=True)

    signal = commands.add_parser("signal", help="broadcast a signal to every running case of a preplan waiting for it")
    signal.add_argument("preplan")
    signal.add_argument("name", help="the signal's name in the diagram")
    signal.add_argument("--data", help="JSON object (or @file) the signal carries")
    signal.add_argument("--as", dest="user")
    signal.add_argument("--json", action="store_true")
    signal.set_defaults(handler=signal_cmd, json_always=True)


def message_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.send_message(args.case, args.name, read_data(args.data), user=args.user))
    return 0


def signal_cmd(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.broadcast_signal(args.preplan, args.name, read_data(args.data), user=args.user))
    return 0
