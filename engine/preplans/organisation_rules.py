"""What ``preplan.toml`` and the forms say about the organisation, checked before deployment: lane routing, the
case's unit on the start form, confidential fields and counts taken from the case history."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.errors import say
from engine.preplans.conventions import CONFIDENTIAL, unit_fields
from engine.preplans.routing import route_problem

_PERIOD = re.compile(r"year|[1-9][0-9]{0,3}d")
_COUNT_KEYS = frozenset({"period", "where", "same", "distinct"})


def organisation_problems(manifest: Mapping[str, Any], schemas: Mapping[str, dict[str, Any] | None]) -> list[str]:
    forms = [s for s in schemas.values() if s]
    fields = {name: prop for s in forms for name, prop in s.get("properties", {}).items()}
    problems = _routing(manifest, {f for s in forms for f in unit_fields(s)})
    problems += _unit_choice(manifest.get("case", {}).get("unit"))
    problems += _confidential(manifest, fields)
    problems += _counts(manifest.get("counts", {}), fields)
    return problems


def _routing(manifest: Mapping[str, Any], unit_choices: set[str]) -> list[str]:
    routing, lanes = manifest.get("routing", {}), manifest.get("lanes", {})
    if not isinstance(routing, Mapping):
        return [say("[routing] maps lane ids to where their tasks go")]
    problems: list[str] = []
    for lane, route in routing.items():
        if lane not in lanes:
            problems.append(say("[routing] names lane %(lane)s, which is not under [lanes]", lane=repr(lane)))
        problem = route_problem(route)
        if problem:
            problems.append(say("[routing] %(lane)s: %(problem)s", lane=lane, problem=problem))
        elif isinstance(route, Mapping) and "field" in route and route["field"] not in unit_choices:
            problems.append(
                say(
                    '[routing] %(lane)s: field %(field)s is not a unit choice of any form (a field with "format": '
                    '"unit")',
                    lane=lane,
                    field=repr(route["field"]),
                )
            )
    return problems


def _unit_choice(choice: Any) -> list[str]:
    if choice is None:
        return []
    if not isinstance(choice, Mapping) or not choice.get("zh") or not choice.get("en"):
        return [say("[case.unit] needs zh and en labels")]
    kinds = choice.get("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
        return [say("[case.unit] kinds is a list of unit kinds")]
    return []


def _confidential(manifest: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    roles = manifest.get("roles", {})
    problems: list[str] = []
    title = manifest.get("case", {}).get("title", "")
    for name, prop in fields.items():
        allowed = prop.get(CONFIDENTIAL) if isinstance(prop, Mapping) else None
        if allowed is None:
            continue
        if not isinstance(allowed, list) or not allowed or not all(r in roles for r in allowed):
            problems.append(
                say(
                    "field %(field)s: %(key)s lists roles declared under [roles] (at least one)",
                    field=repr(name),
                    key=CONFIDENTIAL,
                )
            )
        if "{" + name in title:
            problems.append(
                say(
                    "[case] title shows the confidential field %(field)s to everyone who sees the case",
                    field=repr(name),
                )
            )
    return problems


def _counts(counts: Any, fields: Mapping[str, Any]) -> list[str]:
    if not isinstance(counts, Mapping):
        return [say("[counts] maps form fields to how they are counted")]
    problems: list[str] = []
    for name, spec in counts.items():
        where = f"[counts.{name}]"
        if fields.get(name, {}).get("type") != "integer":
            problems.append(say("%(where)s: no form has an integer field %(field)s", where=where, field=repr(name)))
        if not isinstance(spec, Mapping) or set(spec) - _COUNT_KEYS:
            problems.append(say("%(where)s: keys are period, where, same, distinct", where=where))
            continue
        if not _PERIOD.fullmatch(str(spec.get("period", ""))):
            problems.append(
                say('%(where)s: period is "year" (the natural year) or "<n>d" (the n days up to the case)', where=where)
            )
        conditions, same = spec.get("where", {}), spec.get("same", [])
        if not isinstance(conditions, Mapping) or not isinstance(same, list):
            problems.append(say("%(where)s: where is a table of field = value, same a list of fields", where=where))
            continue
        named = [*conditions, *same, *filter(None, [spec.get("distinct")])]
        problems += [
            say("%(where)s: %(field)s is not a field of any form", where=where, field=repr(field))
            for field in named
            if field not in fields
        ]
    return problems
