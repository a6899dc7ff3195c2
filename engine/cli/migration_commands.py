"""``preplan migrate KEY --to N``: move running cases onto a newer version (or preview it with ``--dry-run``)."""

from __future__ import annotations

import argparse

from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table
from engine.errors import ValidationFailed, say


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = commands.add_parser("migrate", help="move running cases onto a newer version of their preplan")
    migrate.add_argument("key")
    migrate.add_argument("--to", type=int, required=True, metavar="N", help="the version to move them onto")
    migrate.add_argument("--from", dest="from_", type=int, metavar="M", help="only the cases on version M")
    migrate.add_argument("--case", dest="cases", action="append", metavar="ID", help="only this case (repeatable)")
    migrate.add_argument("--dry-run", action="store_true", help="say what would happen; change nothing")
    migrate.add_argument(
        "--map", dest="mapping", action="append", default=[], metavar="OLD_ID=NEW_ID", help="a removed open step"
    )
    migrate.add_argument("--note", help="why: shown on each moved case's timeline")
    migrate.add_argument("--as", dest="user", help="act as this admin (default: the operator)")
    migrate.add_argument("--json", action="store_true")
    migrate.set_defaults(handler=migrate_cmd)


def migrate_cmd(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.engine.migrate_cases(
        args.key,
        args.to,
        from_=args.from_,
        cases=args.cases,
        dry_run=args.dry_run,
        mapping=_mapping(args.mapping),
        note=args.note,
        user=args.user,
    )
    if args.json:
        emit_json(result)
        return 0
    emit_table(
        [
            (
                c["case"],
                f"v{c['from']}" if c["from"] is not None else "",
                f"v{c['to']}",
                c["status"],
                "、".join(c["reset"]),
                "、".join(c["cancelled"]),
                c["reason"] or "",
            )
            for c in result["cases"]
        ],
        ["CASE", "FROM", "TO", "STATUS", "RESET", "CANCELLED", "REASON"],
    )
    if not result["cases"]:
        print(f"no running case of {args.key} on a version older than v{args.to}")
    return 0


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not (sep and old.strip() and new.strip()):
            raise ValidationFailed(say("--map takes OLD_ID=NEW_ID, not %(value)s", value=pair[:80]), {"map": pair})
        mapping[old.strip()] = new.strip()
    return mapping
