"""Where a lane's tasks go: the unit whose holders of the lane's role are its candidates.

``preplan.toml`` says it per lane (``[routing]``): the case's unit (the default), the nearest unit of a kind at or
above it (``{ above = "branch" }``: a station's branch), a fixed unit (``{ unit = "KEY" }``) or the unit a form
field chose (``{ field = "dispatch_to" }``: the case's unit until the field is set). Whatever cannot be found falls
back upwards (the top of the case's chain), so a task always has somewhere to go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import say
from engine.people.org import Org

CASE = "case"
KINDS = ("above", "unit", "field")


def route_problem(raw: Any) -> str | None:
    """Why a ``[routing]`` value is not valid, or None."""
    if raw == CASE:
        return None
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((kind, value),) = raw.items()
        if kind in KINDS and isinstance(value, str) and value:
            return None
    return say('must be "case", { above = "<kind>" }, { unit = "<unit key>" } or { field = "<form field>" }')


def route_unit(route: Any, case_unit: str, data: Mapping[str, Any], org: Org) -> str:
    """The unit a task of a lane with this ``route`` goes to, for a case in ``case_unit`` with ``data``."""
    if not isinstance(route, Mapping):
        return case_unit
    if "above" in route:
        return org.nearest(case_unit, str(route["above"]))
    if "unit" in route:
        fixed = str(route["unit"])
        return fixed if fixed in org else _top(case_unit, org)
    chosen = data.get(str(route.get("field")))
    return chosen if isinstance(chosen, str) and chosen in org else case_unit


def _top(unit: str, org: Org) -> str:
    *_, top = org.above(unit)
    return top
