"""HTML forms from JSON Schema (+ optional ui hints), and submitted text back to typed JSON.

The web layer only shapes input; the engine validates every submission against the same schema. Each input's
``name`` is the schema property name. Field problems the engine reports come back as (kind, expected) and are
worded here in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.preplans.conventions import FILES_FORMAT, UNIT_FORMAT, enum_values
from engine.preplans.forms import bounded
from engine.preplans.manifest import Manifest

from .i18n import localize

LONG_TEXT = 200


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text | textarea | integer | number | checkbox | select | multiselect | datetime | date | files (a
    #            unit field is a select of units; a file field offers the case's files and a file input)
    required: bool
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    #: a field the case history counts: {"value": n or None (counted on submission), "cases": [(id, key)]}
    counted: dict[str, Any] | None = None
    reason: str = ""


def _options(prop: dict[str, Any]) -> list[tuple[Any, str]] | None:
    values = enum_values(prop)
    if values is None:
        return None
    labels = {o.get("const"): o.get("title") for o in prop.get("oneOf", []) if isinstance(o, dict)}
    return [(v, str(labels.get(v) or v)) for v in values]


#: The input carrying why a counted field was corrected: ``_reason_<field>``.
REASON_PREFIX = "_reason_"


def _kind(prop: dict[str, Any], hints: dict[str, Any]) -> str:
    if prop.get("format") == UNIT_FORMAT:
        return "unit"
    if prop.get("format") == FILES_FORMAT:
        return "files"
    if _options(prop) is not None:
        return "select"
    kind = prop.get("type")
    if kind == "array" and _options(prop.get("items", {})) is not None:
        return "multiselect"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return kind
    if prop.get("format") == "date-time":
        return "datetime"
    if prop.get("format") == "date":
        return "date"
    if hints.get("ui:widget") == "textarea" or prop.get("maxLength", 0) > LONG_TEXT:
        return "textarea"
    return "text"


def ordered(schema: dict[str, Any], ui: dict[str, Any] | None) -> list[str]:
    names = list(schema.get("properties", {}))
    order = (ui or {}).get("ui:order", [])
    return [n for n in order if n in names] + [n for n in names if n not in order]


def fields_for(
    schema: dict[str, Any],
    ui: dict[str, Any] | None,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    tz: tzinfo,
    *,
    units: list[tuple[str, str]] | None = None,
    counted: Mapping[str, dict[str, Any]] | None = None,
    files: list[tuple[str, str]] | None = None,
) -> list[Field]:
    """The form's fields with their limits as the engine enforces them (shown as ``maxlength``, ``min``, ``max``
    so a person sees a limit before sending). ``units`` are the choices of a unit field (key, path); ``counted``
    the fields the case history fills, with what it gives now; ``files`` the case's files a file field may hold
    (id, name)."""
    required = set(schema.get("required", []))
    limits = bounded(schema)["properties"]
    result = []
    for name in ordered(schema, ui):
        prop = schema["properties"][name]
        limit = limits[name] if isinstance(limits[name], dict) else {}
        hints = (ui or {}).get(name, {})
        kind = _kind(prop, hints)
        value = values.get(name, prop.get("default"))
        if kind == "datetime" and isinstance(value, str) and value:
            value = _local_input(value, tz)
        options = _options(prop.get("items", {}) if kind == "multiselect" else prop) or []
        if kind == "unit":
            kind, options = "select", list(units or [])
        elif kind == "files":
            options = list(files or [])
        count = (counted or {}).get(name)
        if count is not None and name not in values:
            value = None  # left empty: the engine counts it; a number typed here is a correction
        result.append(
            Field(
                name=name,
                label=prop.get("title", name),
                kind=kind,
                required=name in required,
                help=hints.get("ui:help") or prop.get("description", ""),
                options=[(str(v), label) for v, label in options],
                value=value,
                error=errors.get(name, ""),
                minimum=limit.get("minimum"),
                maximum=limit.get("maximum"),
                max_length=limit.get("maxLength"),
                counted=count,
                reason=str(values.get(REASON_PREFIX + name, "")),
            )
        )
    return result


def corrections(form: MultiDict[str, str]) -> dict[str, str]:
    """Why counted fields were corrected: field -> reason, from the ``_reason_<field>`` inputs that were filled."""
    return {
        key[len(REASON_PREFIX) :]: value.strip()
        for key, value in form.items()
        if key.startswith(REASON_PREFIX) and value.strip()
    }


def _local_input(value: str, tz: tzinfo) -> str:
    """A stored instant (with an offset) shown as wall time in the organisation's zone; a value the person typed
    (no offset, e.g. a form shown again after an error) is already that wall time and is shown as typed."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%Y-%m-%dT%H:%M")


def coerce(schema: dict[str, Any], form: MultiDict[str, str], tz: tzinfo) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data from submitted text; empty optional inputs are left out (the schema default applies)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = _kind(prop, {})
        if kind == "checkbox":
            data[name] = form.get(name) in ("true", "on", "1")
            continue
        if kind == "multiselect":
            data[name] = [_typed_option(prop.get("items", {}), v) for v in form.getlist(name)]
            continue
        if kind == "files":  # the case's files ticked; files sent with the form join them (see the routes)
            chosen = [int(v) for v in form.getlist(name) if v.isdigit()]
            if chosen:
                data[name] = chosen
            continue
        raw = (form.get(name) or "").strip()
        if raw == "":
            continue
        try:
            data[name] = _typed(prop, kind, raw, tz)
        except (ValueError, OverflowError):
            errors[name] = message("type", prop.get("type") if kind not in ("datetime", "date") else kind)
    return data, errors


def _typed(prop: dict[str, Any], kind: str, raw: str, tz: tzinfo) -> Any:
    if kind == "select":
        return _typed_option(prop, raw)
    if kind == "integer":
        return int(raw)
    if kind == "number":
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(raw)
        return number
    if kind == "datetime":
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.isoformat(timespec="seconds")
    return raw


def _typed_option(prop: dict[str, Any], raw: str) -> Any:
    for value in enum_values(prop) or []:
        if str(value) == raw:
            return value
    return raw


def message(kind: str, expected: Any = None) -> str:
    """A field problem in the reader's language."""
    if kind == "required":
        return _("This field is required.")
    if kind == "unknown":
        return _("This is not a field of this form.")
    if kind == "enum":
        return _("Choose one of the listed options.")
    if kind == "minimum":
        return _("Must be at least %(value)s.", value=expected)
    if kind == "maximum":
        return _("Must be at most %(value)s.", value=expected)
    if kind == "minLength":
        return _("This field cannot be empty.") if expected == 1 else _("Enter at least %(n)s characters.", n=expected)
    if kind == "maxLength":
        return _("Enter at most %(n)s characters.", n=expected)
    if kind == "maxItems":
        return _("Choose at most %(n)s.", n=expected)
    if kind == "counted":
        return _(
            "The case history gives %(value)s. To enter another number, give the reason for the correction.",
            value=expected,
        )
    if kind == "unit":
        return _("Choose one of the listed units.")
    if kind == "attachment":
        return _("Choose files of this case.")
    if kind == "file":
        return localize(expected)
    if kind == "text":
        return _("This contains characters that cannot be stored (control characters or broken text).")
    if kind in ("format", "type") and expected in ("date-time", "datetime"):
        return _("Enter a date and time.")
    if kind in ("format", "type") and expected == "date":
        return _("Enter a date.")
    if kind == "type" and expected == "integer":
        return _("Enter a whole number.")
    if kind == "type" and expected == "number":
        return _("Enter a number.")
    return _("This value is not valid.")


def localized(kinds: Mapping[str, tuple[str, Any]], fallback: Mapping[str, str]) -> dict[str, str]:
    return {name: message(*kinds[name]) if name in kinds else localize(text) for name, text in fallback.items()}


def labels(manifest: Manifest, language: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Field name -> (title, {value: label}) for showing case data: the manifest's ``[fields]`` (for values a
    script or decision computed) first, then every form of the preplan."""
    result: dict[str, tuple[str, dict[str, str]]] = {}
    side = "en" if language == "en" else "zh"
    for name, spec in manifest.fields.items():
        values = {
            str(v): (t.get(side) or t.get("zh", v)) if isinstance(t, dict) else str(t)
            for v, t in spec.get("values", {}).items()
        }
        result[name] = (spec.get(side) or spec.get("zh") or name, values)
    schemas = [s for s in manifest.forms.values() if isinstance(s, dict)]
    for schema in schemas:
        for name, prop in schema.get("properties", {}).items():
            if name in result or not isinstance(prop, dict):
                continue
            options = {str(v): label for v, label in (_options(prop) or [])}
            result[name] = (prop.get("title", name), options)
    return result


def severity_labels(manifest: Manifest, language: str) -> dict[str, str]:
    """Value -> label of the preplan's severity field (``[case] severity``), in the reader's language."""
    return labels(manifest, language).get(manifest.severity_field or "", ("", {}))[1]
