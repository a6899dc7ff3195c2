"""The organisation's commands: units (add, update, list, import an org chart) and users (add, grant, revoke,
deactivate, passwords, sessions, the demo installation)."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.context import Context
from engine.cli.output import emit_json, emit_table
from engine.errors import PreplanError, say
from engine.people.units import decode_chart


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    units = commands.add_parser("units", help="the organisation's units").add_subparsers(
        dest="units_command", required=True
    )
    unit_add = units.add_parser("add", help="add a unit (under the root unless --parent)")
    unit_add.add_argument("key")
    unit_add.add_argument("--name", required=True)
    unit_add.add_argument("--parent")
    unit_add.add_argument("--kind", help="company, branch, station, project, outlet, department, …")
    unit_add.set_defaults(handler=units_add, json_always=True)
    unit_update = units.add_parser("update", help="rename, re-kind or move a unit")
    unit_update.add_argument("key")
    unit_update.add_argument("--name")
    unit_update.add_argument("--parent")
    unit_update.add_argument("--kind")
    unit_update.set_defaults(handler=units_update, json_always=True)
    unit_list = units.add_parser("list", help="every unit, as a tree")
    unit_list.add_argument("--json", action="store_true")
    unit_list.set_defaults(handler=units_list)
    unit_import = units.add_parser("import", help="add or update units from a CSV org chart (key,name,parent,kind)")
    unit_import.add_argument("file", type=Path)
    unit_import.set_defaults(handler=units_import, json_always=True)

    users = commands.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user holding roles in a unit (the root unless --unit)")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, dest="roles")
    add.add_argument("--unit")
    add.add_argument("--password")
    add.add_argument("--email")
    add.set_defaults(handler=users_add)
    for verb, handler, helptext in (
        ("grant", users_grant, "let a user hold a role in a unit"),
        ("revoke", users_revoke, "take a role in a unit away (claimed tasks go back to the pool)"),
    ):
        sub = users.add_parser(verb, help=helptext)
        sub.add_argument("name")
        sub.add_argument("role", nargs="?", help="the role (or --role)")
        sub.add_argument("--role", dest="role_option")
        sub.add_argument("--unit", help="the unit it is held in (every role but process_owner)")
        sub.add_argument("--preplan", help="process_owner only: the preplan owned (all preplans when not given)")
        sub.set_defaults(handler=handler, json_always=True)
    users.add_parser("demo", help="create the demo organisation and its users and print their passwords").set_defaults(
        handler=users_demo
    )
    listing = users.add_parser("list", help="list users")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=users_list)
    off = users.add_parser("deactivate", help="end a user's access at once (their sessions end too)")
    off.add_argument("name")
    off.set_defaults(handler=users_deactivate, json_always=True)
    password = users.add_parser("password", help="set a user's password (their sessions end)")
    password.add_argument("name")
    password.add_argument("--password", required=True)
    password.set_defaults(handler=users_password, json_always=True)
    roles = users.add_parser("roles", help="replace a user's roles in a unit (the root unless --unit)")
    roles.add_argument("name")
    roles.add_argument("--role", action="append", required=True, dest="roles")
    roles.add_argument("--unit")
    roles.set_defaults(handler=users_roles, json_always=True)
    logout = users.add_parser("logout", help="end every session of a user")
    logout.add_argument("name")
    logout.set_defaults(handler=users_logout, json_always=True)


def units_add(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.add_unit(args.key, args.name, parent=args.parent, kind=args.kind))
    return 0


def units_update(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.update_unit(args.key, name=args.name, parent=args.parent, kind=args.kind))
    return 0


def units_list(ctx: Context, args: argparse.Namespace) -> int:
    rows = ctx.engine.list_units()
    if args.json:
        emit_json([{k: r[k] for k in ("key", "name", "parent", "kind")} for r in rows])
    else:
        emit_table([("  " * r["depth"] + r["name"], r["key"], r["kind"]) for r in rows], ["UNIT", "KEY", "KIND"])
    return 0


def units_import(ctx: Context, args: argparse.Namespace) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise PreplanError(f"cannot read {args.file}: {exc}") from None
    emit_json(ctx.engine.import_units(decode_chart(raw)))
    return 0


def users_add(ctx: Context, args: argparse.Namespace) -> int:
    roles = ctx.engine.add_user(args.name, args.roles, unit=args.unit, password=args.password, email=args.email)
    print(f"added user {args.name} (roles: {', '.join(roles)} in {args.unit or 'root'})")
    return 0


def users_grant(ctx: Context, args: argparse.Namespace) -> int:
    memberships = ctx.engine.grant(args.name, _role(args), args.unit, preplan=args.preplan)
    emit_json({"user": args.name, "memberships": memberships})
    return 0


def users_revoke(ctx: Context, args: argparse.Namespace) -> int:
    memberships = ctx.engine.revoke(args.name, _role(args), args.unit, preplan=args.preplan)
    emit_json({"user": args.name, "memberships": memberships})
    return 0


def _role(args: argparse.Namespace) -> str:
    """``grant NAME ROLE`` or ``grant NAME --role ROLE``: exactly one of them."""
    if bool(args.role) == bool(args.role_option):
        raise PreplanError(say("name the role once: grant NAME ROLE, or grant NAME --role ROLE"))
    return str(args.role or args.role_option)


def users_demo(ctx: Context, args: argparse.Namespace) -> int:
    rows = ctx.engine.demo_installation()
    print(f"Demo users, by unit (log in at /login; password {rows[0]['password'] if rows else ''} for new ones):")
    for path in dict.fromkeys(r["unit_path"] for r in rows):
        print(f"\n{path}")
        emit_table(
            [
                (
                    "  " + r["name"],
                    r["password"],
                    f"every role ({len(r['roles'])})" if r["name"] == "staff" else ",".join(r["roles"]),
                )
                for r in rows
                if r["unit_path"] == path
            ],
            ["  USER", "PASSWORD", "ROLES"],
        )
    return 0


def users_list(ctx: Context, args: argparse.Namespace) -> int:
    users = ctx.engine.list_users()
    if args.json:
        emit_json(users)
    else:
        emit_table(
            [
                (u["name"], " ".join(f"{m['role']}@{m['unit']}" for m in u["memberships"]), u["email"])
                for u in users
                if u["active"]
            ],
            ["NAME", "ROLES (ROLE@UNIT)", "EMAIL"],
        )
    return 0


def users_deactivate(ctx: Context, args: argparse.Namespace) -> int:
    emit_json(ctx.engine.deactivate_user(args.name))
    return 0


def users_password(ctx: Context, args: argparse.Namespace) -> int:
    ctx.engine.set_password(args.name, args.password)
    emit_json({"user": args.name, "password": "changed"})
    return 0


def users_roles(ctx: Context, args: argparse.Namespace) -> int:
    roles = ctx.engine.set_roles(args.name, args.roles, unit=args.unit)
    emit_json({"user": args.name, "roles": roles})
    return 0


def users_logout(ctx: Context, args: argparse.Namespace) -> int:
    ctx.engine.end_sessions(args.name)
    emit_json({"user": args.name, "sessions": "ended"})
    return 0
