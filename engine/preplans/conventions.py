"""Our conventions on top of BPMN and JSON Schema, in one place for the checker and the runtime: how a user task
names its form, how a form's file is named, and how a field lists the values it may take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The spiffworkflow extension properties a user task names its form (and optional UI hints) with.
FORM_PROPERTY = "formJsonSchemaFilename"
UI_PROPERTY = "formUiSchemaFilename"
SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".ui.json"


def schema_file(form: str) -> str:
    """``intake`` or ``intake.schema.json`` -> ``intake.schema.json``."""
    return form if form.endswith(SCHEMA_SUFFIX) else form + SCHEMA_SUFFIX


def ui_file(form: str) -> str:
    """The UI hints that go with a form: ``intake`` -> ``intake.ui.json``."""
    return schema_file(form)[: -len(SCHEMA_SUFFIX)] + UI_SUFFIX


def enum_values(prop: Mapping[str, Any]) -> list[Any] | None:
    """The values a field may take: ``enum``, or ``oneOf`` of ``{"const": …, "title": …}`` (labelled choices)."""
    if "enum" in prop:
        return list(prop["enum"])
    options = prop.get("oneOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [o["const"] for o in options]
    return None


#: ``"format": "unit"``: a text field whose value is the key of an organisation unit (offered as a choice of units;
#: a lane may route to the unit it names).
UNIT_FORMAT = "unit"
#: ``"x-confidential": ["role", …]``: only holders of these roles read the field's value; others see that it exists.
CONFIDENTIAL = "x-confidential"
#: What a hidden value reads as, everywhere (pages, ``show``, exports, notices).
HIDDEN = "［保密］"


def unit_fields(schema: Mapping[str, Any]) -> list[str]:
    """The fields of a form that choose a unit."""
    return _fields_of_format(schema, UNIT_FORMAT)


def _fields_of_format(schema: Mapping[str, Any], format_: str) -> list[str]:
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    return [name for name, prop in properties.items() if isinstance(prop, Mapping) and prop.get("format") == format_]


#: ``"format": "attachments"`` on an array of integers: the ids of files attached to the case (a photo of the scene,
#: a receipt). Forms offer it as a file input; the files sent are stored and the field holds their ids; an id that
#: is not a file of this case is refused.
FILES_FORMAT = "attachments"


def file_fields(schema: Mapping[str, Any]) -> list[str]:
    """The fields of a form that hold attachments."""
    return _fields_of_format(schema, FILES_FORMAT)
