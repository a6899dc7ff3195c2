"""API tokens for other systems: made for a user (the secret printed once), listed, revoked."""

from __future__ import annotations

import argparse

from engine import clock
from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table
from engine.errors import ValidationFailed, say


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tokens = commands.add_parser("tokens", help="API tokens of users").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="a new API token acting as USER (its secret is shown once)")
    create.add_argument("user")
    create.add_argument("--read-only", action="store_true", help="the token may only read")
    create.add_argument("--expires", help="ISO 8601 instant after which the token is refused")
    create.add_argument("--label", help="what the token is for")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=tokens_create, json_errors=True)
    listing = tokens.add_parser("list", help="a user's API tokens (never their secrets)")
    listing.add_argument("user")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke an API token at once")
    revoke.add_argument("id")
    revoke.set_defaults(handler=tokens_revoke, json_always=True)


def tokens_create(ctx: Context, args: argparse.Namespace) -> int:
    try:
        expires = clock.parse_instant(args.expires) if args.expires else None
    except ValueError:
        raise ValidationFailed(say("--expires must be an ISO 8601 instant"), {"expires": "invalid"}) from None
    made = ctx.engine.create_token(args.user, label=args.label, read_only=args.read_only, expires_at=expires)
    if args.json:
        emit_json(
            {"id": made["id"], "token": made["token"], "prefix": made["prefix"], "expires_at": made["expires_at"]}
        )
    else:
        print(made["token"])
    return 0


def tokens_list(ctx: Context, args: argparse.Namespace) -> int:
    rows = ctx.engine.list_tokens(args.user)
    if args.json:
        emit_json(rows)
    else:
        emit_table(
            [
                (t["id"], t["prefix"], "read-only" if t["read_only"] else "read-write", t["expires_at"], t["label"])
                for t in rows
                if t["active"]
            ],
            ["ID", "PREFIX", "SCOPE", "EXPIRES", "LABEL"],
        )
    return 0


def tokens_revoke(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.revoke_token(args.id))
    return 0
