"""Webhooks out: subscribe a URL to case and task events, list the subscriptions, end one, deliver what is due
once (the worker does it continuously)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table
from engine.notify.webhooks import EVENTS


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hooks = commands.add_parser("webhooks", help="webhooks out to other systems").add_subparsers(
        dest="webhooks_command", required=True
    )
    add = hooks.add_parser("add", help="subscribe a URL to events; each delivery is signed with the secret")
    add.add_argument("url")
    add.add_argument("--event", action="append", required=True, dest="events", metavar="EVENT", help=", ".join(EVENTS))
    add.add_argument("--secret", required=True, help="the key of the HMAC-SHA256 signature (X-Preplan-Signature)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=webhooks_add)
    listing = hooks.add_parser("list", help="every subscription")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=webhooks_list)
    off = hooks.add_parser("deactivate", help="end a subscription (its pending deliveries are cancelled)")
    off.add_argument("id")
    off.add_argument("--json", action="store_true")
    off.set_defaults(handler=webhooks_deactivate)
    deliver = hooks.add_parser("deliver", help="attempt the deliveries that are due, once")
    deliver.add_argument("--json", action="store_true")
    deliver.set_defaults(handler=webhooks_deliver)


def webhooks_add(ctx: Context, args: argparse.Namespace) -> int:
    _say(args, ctx.engine.add_webhook(args.url, args.events, args.secret))
    return 0


def webhooks_deactivate(ctx: Context, args: argparse.Namespace) -> int:
    _say(args, ctx.engine.deactivate_webhook(args.id))
    return 0


def _say(args: argparse.Namespace, hook: dict[str, Any]) -> None:
    if args.json:
        emit_json(hook)
    else:
        print(f"webhook {hook['id']}: {hook['url']} ({', '.join(hook['events'])}){'' if hook['active'] else ' ended'}")


def webhooks_list(ctx: Context, args: argparse.Namespace) -> int:
    hooks = ctx.engine.list_webhooks()
    if args.json:
        emit_json(hooks)
    else:
        emit_table(
            [
                (h["id"], h["url"], ",".join(h["events"]), "yes" if h["active"] else "no", h["created_at"])
                for h in hooks
            ],
            ["ID", "URL", "EVENTS", "ACTIVE", "CREATED"],
        )
    return 0


def webhooks_deliver(ctx: Context, args: argparse.Namespace) -> int:
    outcome = ctx.engine.deliver_webhooks()
    if args.json:
        emit_json(outcome)
    else:
        print(", ".join(f"{count} {what}" for what, count in outcome.items()))
    return 0
