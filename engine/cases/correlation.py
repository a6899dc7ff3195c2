"""Finding the one running case an outside system means, from what that system knows of it.

A correlation is a JSON object naming the case by its business key, ``{"business_key": "TS-20261123-0001"}``, or by
a text field of its data, ``{"field": "ticket_no", "value": "12345-2026-0001"}``; either may add ``"preplan"`` (a
preplan key) to look only among that preplan's cases. Only running cases the caller may see are looked at: none is
"not found", several is a conflict that names them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, ValidationFailed, say
from engine.people import access
from engine.people.org import Org
from engine.store.models import Case, Preplan, PreplanVersion, User

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_KEYS = {"business_key", "field", "value", "preplan"}
#: Cases named in a refusal when the correlation fits several.
_NAMED = 10


def correlated_case(session: Session, correlation: Any, person: User | None, org: Org) -> int:
    """The id of the one running case ``correlation`` identifies among those ``person`` may see (``None``: the
    system, every case)."""
    condition, shown = _condition(correlation)
    statement = select(Case.id, Case.business_key).where(Case.status == "running", ~Case.is_trial, condition)
    preplan = correlation.get("preplan")
    if preplan is not None:
        statement = statement.join(PreplanVersion, Case.version_id == PreplanVersion.id).join(Preplan)
        statement = statement.where(Preplan.key == preplan)
    if person is not None:
        statement = statement.where(access.case_clause(person, org))
    found = session.execute(statement.order_by(Case.id).limit(_NAMED + 1)).all()
    if not found:
        raise NotFound(say("no running case has %(correlation)s", correlation=shown))
    if len(found) > 1:
        keys = ", ".join(row.business_key for row in found[:_NAMED]) + ("…" if len(found) > _NAMED else "")
        raise Conflict(
            say("several running cases have %(correlation)s: %(cases)s", correlation=shown, cases=keys),
            cases=[row.business_key for row in found[:_NAMED]],
        )
    return int(found[0].id)


def _where(key: str) -> str:
    return key if key == "correlation" else f"correlation.{key}"


def _condition(correlation: Any) -> tuple[Any, str]:
    """The condition on :class:`Case` and how the correlation reads in a refusal; a malformed one is refused."""
    problems: dict[str, str] = {}
    if not isinstance(correlation, dict):
        raise ValidationFailed(say("the correlation must be a JSON object"), {"correlation": "is not an object"})
    problems.update(dict.fromkeys(correlation.keys() - _KEYS, "is not a key of a correlation"))
    for key in ("business_key", "field", "value", "preplan"):
        value = correlation.get(key)
        if value is not None and (not isinstance(value, str) or not value or len(value) > 200):
            problems[key] = "must be a non-empty text of at most 200 characters"
    by_key, field = correlation.get("business_key"), correlation.get("field")
    if (by_key is None) == (field is None):
        problems["correlation"] = "needs either business_key, or field and value"
    elif field is not None and correlation.get("value") is None:
        problems["value"] = "is required with field"
    elif field is not None and isinstance(field, str) and not _FIELD.match(field):
        problems["field"] = "must be a data field name (letters, digits and _)"
    elif by_key is not None and "value" in correlation:
        problems["value"] = "goes with field, not with business_key"
    if problems:
        raise ValidationFailed(say("the correlation is not valid"), {_where(k): v for k, v in problems.items()})
    if by_key is not None:
        return Case.business_key == by_key, f"business_key = {by_key}"
    value = correlation["value"]
    return Case.data[field].as_string() == value, f"{field} = {value}"
