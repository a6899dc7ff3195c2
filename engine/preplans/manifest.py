"""A deployed version's manifest as one typed, frozen object: ``preplan.toml`` plus what deployment worked out
(lane roles, forms, instructions, deadlines, who may start). Built once per version from the stored document
(:mod:`engine.preplans.catalog` caches it); everything the runtime and the adapters read from a preplan goes
through it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.preplans.conventions import CONFIDENTIAL, schema_file, ui_file

Titles = Mapping[str, str]
#: A JSON Schema (or UI hints) of a form, as deployed.
Schema = dict[str, Any]


@dataclass(frozen=True)
class Manifest:
    process: str
    title: Titles
    about: Titles | None
    source: Mapping[str, str]
    category: str | None
    key_prefix: str
    #: role key -> {"zh", "en"} titles
    roles: Mapping[str, Titles]
    #: BPMN element id -> role key (from the lanes)
    lane_roles: Mapping[str, str]
    #: BPMN element id -> its lane's routing (:mod:`engine.preplans.routing`), for lanes not routed to the case's unit
    routes: Mapping[str, Any]
    #: the case's unit as the start form offers it: {"zh", "en", "kinds": [...]}
    unit_choice: Mapping[str, Any]
    start_roles: frozenset[str]
    #: file name of the start form's schema
    start_form: str
    #: form file name -> JSON Schema (or UI hints for ``*.ui.json``)
    forms: Mapping[str, Schema]
    #: user task id -> its form's / UI hints' file name
    task_forms: Mapping[str, str]
    task_ui: Mapping[str, str]
    #: user task id -> instructions (a Jinja template filled with case data)
    instructions: Mapping[str, str]
    #: every timer: {"bpmn_id", "name", "kind", "expression", "attached_to", "attached_name", "interrupting"}
    deadlines: tuple[Mapping[str, Any], ...]
    #: ``str.format`` template of a case's title, from its data
    case_title: str
    #: the data field lists show as the case's severity
    severity_field: str | None
    #: labels of data fields and their values, for values a script or decision computes
    fields: Mapping[str, Mapping[str, Any]]
    #: field -> the roles that may read its value (``x-confidential`` in its form)
    confidential: Mapping[str, frozenset[str]]
    #: field -> how it is counted from the case history (``[counts.<field>]``: period, where, same, distinct)
    counts: Mapping[str, Mapping[str, Any]]
    #: periodic duty kind -> its ``[duties.<kind>]`` table (process, period, due, unit, readers, mail, compile, …)
    duties: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Manifest:
        """From the document deployment stored (``preplan_version.manifest``)."""
        case = stored.get("case", {})
        forms = stored.get("forms", {})
        return cls(
            process=stored["process"],
            title=_frozen(stored["title"]),
            about=_frozen(stored["about"]) if stored.get("about") else None,
            source=_frozen(stored.get("source", {})),
            category=stored.get("category"),
            key_prefix=stored.get("key_prefix", "TS"),
            roles=_frozen({key: _frozen(titles) for key, titles in stored.get("roles", {}).items()}),
            lane_roles=_frozen(stored.get("lane_roles", {})),
            routes=_frozen(stored.get("routes", {})),
            unit_choice=_frozen(case.get("unit", {})),
            start_roles=frozenset(stored.get("start_roles", ())),
            start_form=schema_file(stored["start_form"]),
            forms=_frozen(forms),
            task_forms=_frozen(stored.get("task_forms", {})),
            task_ui=_frozen(stored.get("task_ui", {})),
            instructions=_frozen(stored.get("instructions", {})),
            deadlines=tuple(_frozen(d) for d in stored.get("deadlines", ())),
            case_title=case.get("title", ""),
            severity_field=case.get("severity"),
            fields=_frozen({name: _frozen(spec) for name, spec in stored.get("fields", {}).items()}),
            confidential=_confidential(forms),
            counts=_frozen({name: _frozen(spec) for name, spec in stored.get("counts", {}).items()}),
            duties=_frozen({kind: _frozen(spec) for kind, spec in stored.get("duties", {}).items()}),
        )

    @property
    def start_schema(self) -> Schema:
        return self.forms[self.start_form]

    @property
    def start_ui(self) -> Schema:
        return self.forms.get(ui_file(self.start_form), {})

    def form(self, name: str | None) -> Schema | None:
        """A form's schema by file name (None for a step without a form)."""
        return self.forms.get(name) if name else None

    def ui_of(self, bpmn_id: str) -> Schema:
        """The UI hints of a user task's form (empty when it has none)."""
        return self.forms.get(self.task_ui.get(bpmn_id, ""), {})

    def role_of(self, bpmn_id: str) -> str:
        """The role whose lane holds a flow node ("" when none does)."""
        return self.lane_roles.get(bpmn_id, "")

    def duty_process(self, duty: str | None) -> str | None:
        """The process a case runs: None for a complaint, the duty's process for a periodic duty's case."""
        return None if duty is None else str(self.duties[duty]["process"])

    def route_of(self, bpmn_id: str) -> Any:
        """The routing of a flow node's lane ("case" unless ``[routing]`` says otherwise)."""
        return self.routes.get(bpmn_id, "case")


def _confidential(forms: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    for schema in forms.values():
        for name, prop in (schema.get("properties", {}) if isinstance(schema, dict) else {}).items():
            roles = prop.get(CONFIDENTIAL) if isinstance(prop, dict) else None
            if roles:
                found[name] = found.get(name, frozenset()) | frozenset(roles)
    return found


def _frozen(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy, typed read-only (``Mapping``): the manifest is shared by every operation on its version."""
    return dict(value)
