"""``preplan check``: everything that can be known about a preplan before a case runs on it.

XML safety and XSD validity, SpiffWorkflow's own parse, the manifest, forms, and our diagram and decision rules.
A clean result carries what deployment stores (the parsed spec, lane roles, task forms), so a deploy never parses
twice.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.config import load_settings
from engine.errors import Problem, Text, say
from engine.preplans import forms as formlib
from engine.preplans.conventions import SCHEMA_SUFFIX, schema_file
from engine.preplans.decision_rules import check_dmn, decisions, output_domains
from engine.preplans.diagram_rules import analyse
from engine.preplans.duties import duty_problems, duty_processes
from engine.preplans.gateway_coverage import form_domains
from engine.preplans.organisation_rules import organisation_problems
from engine.preplans.package import FORMS_PREFIX, MANIFEST, PreplanPackage, forms_dir
from engine.preplans.safexml import XmlRejected, parse
from engine.preplans.spec import ParsedSpec
from engine.preplans.spec import parse as parse_spec
from engine.scripting.helpers import build_helpers, timer_helpers
from engine.time.calendar import WorkCalendar

_PREFIX = re.compile(r"^[A-Z]{2,4}$")
#: SpiffWorkflow's own refusals of a diagram, by its English message, as sentences people read in their language.
_SPIFF = {
    "Non-default exclusive outgoing sequence flow without condition": say(
        "a flow leaving an exclusive gateway needs a condition, unless it is the gateway's default flow"
    ),
    "No start event found": say("the process has no start event"),
    "A SubWorkflow Must contain an End event": say("a sub-process needs an end event"),
    "Conditional event definition with missing condition": say("a conditional event needs its condition"),
    "Unknown Time Specification": say("a timer needs a date, a duration or a cycle"),
}


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    parsed: ParsedSpec | None = None
    lane_roles: dict[str, str] = field(default_factory=dict)
    lane_of: dict[str, str] = field(default_factory=dict)
    task_forms: dict[str, str] = field(default_factory=dict)
    task_ui: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    deadlines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _helpers() -> dict[str, Any]:
    settings = load_settings()
    calendar = WorkCalendar(settings.timezone, settings.working_hours)
    return build_helpers(lambda: calendar, settings.timezone)


def check_package(package: PreplanPackage) -> CheckResult:
    result = CheckResult()
    where = _Locator(package)
    helpers = _helpers()
    result.problems += _check_manifest(package, where)
    schemas = _check_forms(package, where, set(helpers), result.problems)
    result.problems += [
        Problem(where(MANIFEST), message) for message in organisation_problems(package.manifest, schemas)
    ]

    decision_ids: set[str] = set()
    domains = form_domains(s for s in schemas.values() if s)
    for name, data in package.dmn.items():
        root = _parse_or_report(name, data, where, result.problems)
        if root is None:
            continue
        result.problems += [Problem(where(name), p.message, p.line, p.element) for p in check_dmn(name, root)]
        decision_ids.update(decisions(root))
        domains = {**domains, **output_domains(root)}

    if not package.bpmn:
        result.problems.append(Problem(where(""), say("no .bpmn file")))
    for name, data in package.bpmn.items():
        root = _parse_or_report(name, data, where, result.problems)
        if root is None:
            continue
        facts = analyse(root, package.manifest, schemas, decision_ids, domains, timer_helpers(helpers))
        result.problems += [Problem(where(name), m, line, element) for m, line, element in facts.problems]
        result.lane_roles.update(facts.lane_roles)
        result.lane_of.update(facts.lane_of)
        result.task_forms.update(facts.task_forms)
        result.task_ui.update(facts.task_ui)
        result.instructions.update(facts.instructions)
        result.deadlines += facts.deadlines

    if not result.problems:
        result.parsed = _parse(package, where, result.problems)
    result.problems.sort(key=lambda p: (p.file, p.line or 0))
    return result


def _parse_or_report(name: str, data: bytes, where: _Locator, problems: list[Problem]) -> Any:
    try:
        return parse(data)
    except XmlRejected as exc:
        problems.append(Problem(where(name), exc.args[0], exc.line))
        return None


def _parse(package: PreplanPackage, where: _Locator, problems: list[Problem]) -> ParsedSpec | None:
    try:
        return parse_spec(package.process_id, package.bpmn, package.dmn, duty_processes(package.manifest))
    except ValidationException as exc:
        message = _SPIFF.get(str(exc.args[0] if exc.args else "").strip().rstrip("."))
        problems.append(
            Problem(
                where(exc.file_name or ""),
                message or say("the workflow engine cannot read the diagram: %(problem)s", problem=str(exc)),
                exc.line_number or None,
                exc.id or None,
            )
        )
    except XmlRejected as exc:
        problems.append(Problem(where(""), exc.args[0], exc.line))
    except Exception as exc:  # SpiffWorkflow raises plain exceptions for some malformed models
        problems.append(
            Problem(where(""), say("SpiffWorkflow could not parse the preplan: %(problem)s", problem=str(exc)))
        )
    return None


def _check_manifest(package: PreplanPackage, where: _Locator) -> list[Problem]:
    manifest, file = package.manifest, where("preplan.toml")
    problems = []

    def need(condition: bool, message: Text) -> None:
        if not condition:
            problems.append(Problem(file, message))

    need(isinstance(manifest.get("process"), str), say('needs process = "<id of the executable BPMN process>"'))
    need(isinstance(manifest.get("start_form"), str), say('needs start_form = "<form name in the forms folder>"'))
    title = manifest.get("title", {})
    need(
        isinstance(title, dict) and bool(title.get("zh")) and bool(title.get("en")), say("needs [title] with zh and en")
    )
    roles = manifest.get("roles", {})
    need(isinstance(roles, dict) and bool(roles), say("needs at least one [roles.<key>] table"))
    for key, role in (roles or {}).items() if isinstance(roles, dict) else []:
        need(
            isinstance(role, dict) and bool(role.get("zh")) and bool(role.get("en")),
            say("role %(role)s needs zh and en titles", role=repr(key)),
        )
    lanes = manifest.get("lanes", {})
    need(
        isinstance(lanes, dict) and all(isinstance(v, str) for v in lanes.values()),
        say("[lanes] maps lane ids to role keys"),
    )
    for role in manifest.get("case", {}).get("starters", []):
        need(role in roles, say("starter role %(role)s is not declared under [roles]", role=repr(role)))
    category = manifest.get("case", {}).get("category")
    if category is not None:
        known = set(manifest.get("fields", {})) | {
            name for data in package.forms.values() for name in _form_fields(data)
        }
        need(
            isinstance(category, str) and category in known,
            say("[case] category %(field)s is no field of a form or of [fields]", field=repr(category)),
        )
    prefix = manifest.get("key_prefix", "TS")
    need(isinstance(prefix, str) and bool(_PREFIX.match(prefix)), say("key_prefix must be 2-4 capital letters"))
    problems += [Problem(file, message) for message in duty_problems(manifest, package.bpmn)]
    start_form = manifest.get("start_form")
    if isinstance(start_form, str):
        need(
            schema_file(start_form) in package.forms,
            say("start form %(form)s not found in the forms folder", form=repr(start_form)),
        )
    return problems


def _check_forms(
    package: PreplanPackage, where: _Locator, helper_names: set[str], problems: list[Problem]
) -> dict[str, dict[str, Any] | None]:
    """Form file name -> parsed schema (None when broken; the problem is recorded)."""
    schemas: dict[str, dict[str, Any] | None] = {}
    for name, raw in package.forms.items():
        path = where(FORMS_PREFIX + name)
        if name.endswith(SCHEMA_SUFFIX):
            found = formlib.schema_problems(raw)
            problems.extend(Problem(path, message) for message in found)
            schema = None if found else json.loads(raw)
            schemas[name] = schema
            for clash in sorted(set((schema or {}).get("properties", {})) & helper_names):
                problems.append(
                    Problem(path, say("field %(field)s has the name of a script helper; rename it", field=repr(clash)))
                )
        else:
            try:
                json.loads(raw)
                schemas[name] = {}
            except ValueError as exc:
                problems.append(Problem(path, say("not valid JSON: %(problem)s", problem=str(exc))))
    return schemas


class _Locator:
    """Display paths relative to the working directory, as an editor would open them; a package not read from a
    folder (a zip, a draft) names its files as the version stores them, under its key."""

    def __init__(self, package: PreplanPackage) -> None:
        self.key = package.key
        self.root = package.root
        self.forms = forms_dir(package.root, package.manifest, package.key) if package.root else None

    def __call__(self, name: str) -> str:
        if self.root is None or self.forms is None:
            return f"{self.key}/{name}"
        if name.startswith(FORMS_PREFIX):
            rest = name[len(FORMS_PREFIX) :]
            path = (self.forms.parent / rest) if "/" in rest else self.forms / rest
        else:
            path = (self.root.parent / name) if "/" in name else self.root / os.path.basename(name)
        return os.path.relpath(path)


def _form_fields(data: bytes) -> list[str]:
    """The property names of a form (none when it does not parse: the forms' own check says so)."""
    try:
        schema = json.loads(data)
    except ValueError:
        return []
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return list(properties) if isinstance(properties, dict) else []
