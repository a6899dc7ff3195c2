"""``preplan attach``: a file (a photo, a scan, an Office document) to a case or one of its steps."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.context import Context
from engine.cli.output import emit_json
from engine.errors import PreplanError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    attach = commands.add_parser("attach", help="attach a file (photo, PDF, Office document) to a case or a step")
    attach.add_argument("case")
    attach.add_argument("file", type=Path)
    attach.add_argument("--task", help="the step of the case the file belongs to")
    attach.add_argument("--as", dest="user", help="attach as this user (the access rule applies)")
    attach.add_argument("--json", action="store_true")
    attach.set_defaults(handler=attach_cmd, json_errors=True)


def attach_cmd(ctx: Context, args: argparse.Namespace) -> int:
    try:
        with args.file.open("rb") as source:  # one byte past the limit is enough to refuse a larger file
            data = source.read(ctx.settings.attachment_bytes + 1)
    except OSError as exc:
        raise PreplanError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    sent = ctx.engine.attach(args.case, args.file.name, data, user=args.user, task=args.task)
    if args.json:
        emit_json(sent)
    else:
        print(f"attached {sent['name']} as {sent['id']} ({sent['size']} bytes, sha256 {sent['sha256']})")
    return 0
