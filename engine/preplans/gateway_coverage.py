"""Can an exclusive gateway get stuck? It cannot when it has a default flow, or when its conditions test one
field and together cover every value that field can take (the enum of a form field, a boolean, or the literal
outputs of a decision table). SpiffWorkflow raises "No conditions satisfied" at run time otherwise.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import say
from engine.preplans.conventions import enum_values

#: The values a field can take.
Domain = frozenset[Any]


def covered_values(condition: str) -> tuple[str, set[Any]] | None:
    """``(field, values that make the condition true)`` for the analysable shapes, else None.

    Shapes: ``f == "a"``, ``"a" == f``, ``f in ("a", "b")``, ``f`` / ``not f`` / ``f == True`` for booleans,
    and ``or`` of such tests on the same field.
    """
    try:
        node = ast.parse(condition.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _covered(node)


def _covered(node: ast.AST) -> tuple[str, set[Any]] | None:
    if isinstance(node, ast.Name):
        return node.id, {True}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        return node.operand.id, {False}
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        parts = [_covered(v) for v in node.values]
        if all(parts) and len({p[0] for p in parts}) == 1:  # type: ignore[index]
            return parts[0][0], set().union(*(p[1] for p in parts))  # type: ignore[index]
        return None
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            if isinstance(left, ast.Name) and isinstance(right, ast.Constant):
                return left.id, {right.value}
            if isinstance(right, ast.Name) and isinstance(left, ast.Constant):
                return right.id, {left.value}
        if (
            isinstance(op, ast.In)
            and isinstance(left, ast.Name)
            and isinstance(right, (ast.Tuple, ast.List, ast.Set))
            and all(isinstance(e, ast.Constant) for e in right.elts)
        ):
            return left.id, {e.value for e in right.elts}  # type: ignore[attr-defined]
    return None


def coverage_problem(conditions: Iterable[str], domains: Mapping[str, Domain]) -> str | None:
    """Why the conditions may leave the gateway with no way out (None when they cannot)."""
    fields: dict[str, set[Any]] = {}
    for condition in conditions:
        analysed = covered_values(condition)
        if analysed is None:
            return say(
                "condition %(condition)s cannot be checked for coverage; add a default flow",
                condition=repr(condition.strip()),
            )
        fields.setdefault(analysed[0], set()).update(analysed[1])
    if len(fields) != 1:
        return say("conditions test several fields (%(fields)s); add a default flow", fields=", ".join(sorted(fields)))
    ((field, values),) = fields.items()
    domain = domains.get(field)
    if domain is None:
        return say(
            "the values of %(field)s are not known from a form enum, a boolean or a decision table; add a default flow",
            field=repr(field),
        )
    missing = [v for v in domain if v not in values]
    if missing:
        return say(
            "no flow for %(field)s = %(values)s; add a condition or a default flow",
            field=field,
            values=", ".join(map(repr, sorted(missing, key=str))),
        )
    return None


def form_domains(schemas: Iterable[dict[str, Any]]) -> dict[str, Domain]:
    domains: dict[str, set[Any]] = {}
    for schema in schemas:
        for name, prop in schema.get("properties", {}).items():
            if not isinstance(prop, dict):
                continue
            choices = enum_values(prop)
            if choices is not None:
                domains.setdefault(name, set()).update(choices)
            elif prop.get("type") == "boolean":
                domains.setdefault(name, set()).update({True, False})
    return {k: frozenset(v) for k, v in domains.items()}
