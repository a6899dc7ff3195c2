"""A form's submission as the engine accepts it: its counted fields filled from the case history (a different
number only with a reason), its unit choices naming units that exist, its file fields naming files of the case,
checked against its schema and normalized. One refusal lists every field that is wrong; nothing is written before
it passes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

from sqlalchemy.orm import Session

from engine import inputs
from engine.cases.attachments import foreign_files
from engine.cases.counts import Counting, count
from engine.errors import Text, ValidationFailed, say
from engine.people.org import Org
from engine.preplans.conventions import unit_fields
from engine.preplans.forms import FieldProblem, field_errors, normalized, with_defaults
from engine.preplans.manifest import Manifest, Schema


@dataclass(frozen=True)
class Accepted:
    data: dict[str, Any]
    #: what each counted field was counted from (and any correction, with its reason): one audit event each
    counted: list[dict[str, Any]]


def accept(
    session: Session,
    manifest: Manifest,
    schema: Schema,
    data: Mapping[str, Any],
    *,
    org: Org,
    counting: Counting,
    corrections: Mapping[str, str],
    refusal: Text,
    tz: tzinfo,
    staged: Collection[int] = (),
) -> Accepted:
    """``corrections``: counted field -> why the clerk's number differs from the history's; ``staged``: the files
    sent with this form (its file fields may name them besides the case's own)."""
    given_data, counted = dict(data), []
    errors: dict[str, FieldProblem] = {}
    # a field left at its default counts as sent with it (第十四条5's person count needs station_responsible)
    merged = {**counting.data, **with_defaults(schema, given_data)}
    for name, spec in manifest.counts.items():
        if name not in schema.get("properties", {}):
            continue
        found = count(session, name, spec, replace(counting, data=merged), tz)
        note = found.as_json()
        given = given_data.get(name)
        if given is None or given == "" or given == found.value:
            given_data[name] = found.value
        elif not (corrections.get(name) or "").strip():
            errors[name] = FieldProblem(
                "counted",
                found.value,
                f"is counted from the case history ({found.value}); to enter {given} instead, give the reason",
            )
        else:
            note.update(corrected_to=given, reason=inputs.note(corrections[name], name, say("a reason")))
        counted.append(note)
    payload = with_defaults(schema, given_data)
    errors.update(field_errors(schema, payload))
    for name in unit_fields(schema):
        if payload.get(name) not in (None, "") and payload[name] not in org:
            errors[name] = FieldProblem("unit", None, f"names no unit ({str(payload[name])[:80]})")
    errors.update(foreign_files(session, schema, payload, counting.case_id, staged))
    if errors:
        raise ValidationFailed(refusal, errors)
    return Accepted(normalized(schema, payload, tz), counted)
