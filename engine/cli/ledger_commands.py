"""Appraisal ledgers: ``preplan ledger petrochina_station --year Y [--month M]`` (stations, areas, people) and
``preplan ledger vanke_complaint --year Y [--quarter Q]`` (specialists' closure rates)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.cli.context import Context
from engine.cli.output import add_file_options, emit_file, emit_json, emit_table, to_file
from engine.errors import ValidationFailed, say


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ledger = commands.add_parser("ledger", help="a preplan's appraisal ledger for a year, month or quarter")
    ledger.add_argument("key")
    ledger.add_argument("--year", type=int, required=True)
    part = ledger.add_mutually_exclusive_group()
    part.add_argument("--month", type=int, help="one month (PetroChina's monthly appraisal)")
    part.add_argument("--quarter", type=int, help="one quarter (Vanke's quarterly appraisal)")
    ledger.add_argument("--as", dest="user", help="as USER sees it: only the cases they may see")
    ledger.add_argument("--json", action="store_true")
    add_file_options(ledger)
    ledger.set_defaults(handler=ledger_cmd)


def ledger_cmd(ctx: Context, args: argparse.Namespace) -> int:
    wrong = "quarter" if args.key == "petrochina_station" else "month"
    if getattr(args, wrong) is not None:
        raise ValidationFailed(say("this ledger has no --%(option)s", option=wrong), {wrong: "not applicable"})
    part = args.month or args.quarter
    if to_file(args):
        emit_file(ctx.engine.ledger_tables(args.key, args.year, part, user=args.user), args, ctx.settings.timezone)
        return 0
    result = ctx.engine.ledger(args.key, args.year, part, user=args.user)
    if args.json:
        emit_json(result)
    elif "quarters" in result:
        _specialists(result)
    else:
        _petrochina(result)
    return 0


def _specialists(result: dict[str, Any]) -> None:
    rows = [
        (q["quarter"], s["specialist"], s["valid"]["value"], s["closed"]["value"], f"{s['closure_rate']:.1%}")
        for q in result["quarters"]
        for s in q["specialists"]
    ]
    emit_table(rows, ["QUARTER", "SPECIALIST", "VALID", "CLOSED", "CLOSURE RATE"])


def _petrochina(result: dict[str, Any]) -> None:
    print(f"{result['from']} – {result['to']}")
    emit_table(
        [
            (
                s["name"],
                s["area_name"],
                s["valid_complaints"]["value"],
                s["points"]["value"],
                s["running_count"]["value"],
            )
            for s in result["stations"]
        ],
        ["STATION", "AREA", "VALID", "POINTS", "YEAR COUNT"],
    )
    print()
    emit_table([(a["name"], a["points"]["value"]) for a in result["areas"]], ["AREA", "POINTS"])
    print()
    emit_table(
        [
            (
                p["name"] or "-",
                p["unit_name"],
                p["fines_yuan"]["value"],
                p["responsible_complaints"]["value"],
                " ".join(c["code"] for c in p["consequences"]),
            )
            for p in result["people"]
        ],
        ["PERSON", "UNIT", "FINES", "RESPONSIBLE", "CONSEQUENCES"],
    )
