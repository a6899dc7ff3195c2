"""Our rules on a BPMN diagram, beyond XSD and SpiffWorkflow's parser: roles, forms, timers, gateways, code.

Each finding points at the element (id and line) a process owner has to fix in the modeller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from lxml import etree

from engine.errors import say
from engine.preplans.conventions import FORM_PROPERTY, UI_PROPERTY
from engine.preplans.event_rules import check_events
from engine.preplans.gateway_coverage import Domain, coverage_problem
from engine.scripting.sandbox import check_code, check_timer

#: A parsed XML element (lxml has no type information here).
Element = Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
#: Steps people complete (a plain ``bpmn:task`` too: SpiffWorkflow waits for someone to complete it).
_HUMAN = ("userTask", "manualTask", "task")
_UNSUPPORTED = ("serviceTask", "sendTask", "complexGateway")
_JINJA = jinja2.Environment()
#: SpiffWorkflow names internal task specs like this; an element with such an id silently replaces one.
_RESERVED_IDS = ("Start", "End")


def q(tag: str, ns: str = BPMN) -> str:
    return f"{{{ns}}}{tag}"


@dataclass
class DiagramFacts:
    """What deployment keeps from a diagram: which role owns each flow node, and each human task's form."""

    lane_roles: dict[str, str] = field(default_factory=dict)
    #: flow node id -> id of its lane (its routing, in preplan.toml, is per lane)
    lane_of: dict[str, str] = field(default_factory=dict)
    task_forms: dict[str, str] = field(default_factory=dict)
    task_ui: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, int | None, str | None]] = field(default_factory=list)

    def problem(self, message: str, element: etree._Element | None = None) -> None:
        self.problems.append(
            (
                message,
                element.sourceline if element is not None else None,
                element.get("id") if element is not None else None,
            )
        )


def properties(element: etree._Element) -> dict[str, str]:
    return {
        p.get("name"): p.get("value")
        for p in element.iterfind(f"{q('extensionElements')}/{q('properties', SPIFF)}/{q('property', SPIFF)}")
    }


def lane_members(root: etree._Element) -> dict[str, tuple[etree._Element, list[str]]]:
    """Lane id -> (lane element, flow node ids). Nested lanes come after their parents, so the innermost wins."""
    lanes = {}
    for lane in root.iter(q("lane")):
        lanes[lane.get("id")] = (lane, [(r.text or "").strip() for r in lane.iterfind(q("flowNodeRef"))])
    return lanes


def analyse(
    root: etree._Element,
    manifest: dict[str, Any],
    forms: dict[str, dict[str, Any] | None],
    decision_ids: set[str],
    domains: dict[str, Domain],
    timer_helpers: dict[str, Callable[..., Any]],
) -> DiagramFacts:
    facts = DiagramFacts()
    _check_process(root, manifest, facts)
    _check_lanes(root, manifest, facts)
    _inherit_subprocess_lanes(root, facts)
    for kind in _UNSUPPORTED:
        for element in root.iter(q(kind)):
            facts.problem(say("%(kind)s is not supported by preplan", kind=kind), element)
    for kind in _HUMAN:
        for task in root.iter(q(kind)):
            _check_human_task(task, forms, facts)
    for timer in root.iter(q("timerEventDefinition")):
        _check_timer(timer, timer_helpers, facts)
    _check_gateways(root, domains, facts)
    check_events(root, q, facts.problem)
    _check_code(root, facts)
    for task in root.iter(q("businessRuleTask")):
        ref = (task.findtext(f"{q('extensionElements')}/{q('calledDecisionId', SPIFF)}") or "").strip()
        if ref not in decision_ids:
            facts.problem(say("calls decision %(ref)s, which no DMN file of this preplan defines", ref=repr(ref)), task)
    return facts


def _check_process(root: Element, manifest: Mapping[str, Any], facts: DiagramFacts) -> None:
    process_id = manifest.get("process")
    processes = {p.get("id"): p for p in root.iter(q("process"))}
    for process in processes.values():
        for element in process.iter():
            element_id = element.get("id")
            if element_id in _RESERVED_IDS or (element_id or "").endswith(".EndJoin"):
                facts.problem(
                    say("id %(id)s is reserved by the workflow engine; rename the element", id=repr(element_id)),
                    element,
                )
    if process_id in processes and processes[process_id].get("isExecutable") != "true":
        facts.problem(
            say('process %(id)s must be executable (isExecutable="true")', id=repr(process_id)), processes[process_id]
        )


def _check_lanes(root: Element, manifest: Mapping[str, Any], facts: DiagramFacts) -> None:
    lane_map = manifest.get("lanes", {})
    roles = manifest.get("roles", {})
    for lane_id, (lane, members) in lane_members(root).items():
        role = lane_map.get(lane_id)
        if role is None:
            facts.problem(
                say("lane %(lane)s is not mapped to a role in preplan.toml [lanes]", lane=repr(lane.get("name"))), lane
            )
            continue
        if role not in roles:
            facts.problem(
                say("lane maps to role %(role)s, which preplan.toml does not declare under [roles]", role=repr(role)),
                lane,
            )
        for member in members:
            facts.lane_roles[member] = role
            facts.lane_of[member] = lane_id


def _inherit_subprocess_lanes(root: Element, facts: DiagramFacts) -> None:
    """A node inside an embedded sub-process belongs to the sub-process's lane unless a lane names it (modellers
    drop the lane reference of an element moved into an expanded sub-process)."""
    for sub in root.iter(q("subProcess")):
        role, lane = facts.lane_roles.get(sub.get("id")), facts.lane_of.get(sub.get("id"))
        if role is None:
            continue
        for element in sub.iter():
            element_id = element.get("id")
            if (
                element_id
                and element is not sub
                and element_id not in facts.lane_roles
                and element.tag != q("sequenceFlow")
            ):
                facts.lane_roles[element_id] = role
                if lane is not None:
                    facts.lane_of[element_id] = lane


def _check_human_task(task: Element, forms: Mapping[str, dict[str, Any] | None], facts: DiagramFacts) -> None:
    task_id = task.get("id")
    if task_id not in facts.lane_roles:
        facts.problem(say("human task is not in a lane mapped to a role, so nobody could complete it"), task)
    props = properties(task)
    instructions = task.findtext(f"{q('extensionElements')}/{q('instructionsForEndUser', SPIFF)}")
    documentation = task.findtext(q("documentation"))
    if instructions or documentation:
        facts.instructions[task_id] = (instructions or documentation).strip()
    form = props.get(FORM_PROPERTY)
    if form is None:
        if etree.QName(task).localname == "userTask":
            facts.problem(
                say("user task names no form (spiffworkflow property %(name)s)", name=repr(FORM_PROPERTY)), task
            )
        return
    if form not in forms:
        facts.problem(say("form %(form)s does not exist in the preplan's forms folder", form=repr(form)), task)
    elif forms[form] is None:
        facts.problem(say("form %(form)s is not a valid JSON Schema (see its own finding)", form=repr(form)), task)
    ui = props.get(UI_PROPERTY)
    if ui is not None and ui not in forms:
        facts.problem(say("UI schema %(form)s does not exist in the preplan's forms folder", form=repr(ui)), task)
    elif ui is not None:
        facts.task_ui[task_id] = ui
    facts.task_forms[task_id] = form


def _check_timer(timer: Element, helpers: Mapping[str, Callable[..., Any]], facts: DiagramFacts) -> None:
    event = timer.getparent()
    found = [child for child in timer if etree.QName(child).localname in ("timeDate", "timeDuration", "timeCycle")]
    if len(found) != 1:
        facts.problem(say("a timer needs exactly one of timeDate, timeDuration, timeCycle"), event)
        return
    kind = etree.QName(found[0]).localname
    for message in check_timer(found[0].text or "", kind, helpers):
        facts.problem(message, event)
    host = event.get("attachedToRef")
    names = {e.get("id"): e.get("name") for e in event.getparent().iter() if e.get("id")} if host else {}
    facts.deadlines.append(
        {
            "bpmn_id": event.get("id"),
            "name": event.get("name"),
            "kind": kind,
            "expression": (found[0].text or "").strip(),
            "attached_to": host,
            "attached_name": names.get(host),
            "interrupting": event.get("cancelActivity") != "false" if host else None,
        }
    )


def _check_gateways(root: Element, domains: Mapping[str, Domain], facts: DiagramFacts) -> None:
    flows = list(root.iter(q("sequenceFlow")))
    for gateway in root.iter(q("exclusiveGateway")):
        outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        conditions = [(f.findtext(q("conditionExpression")) or "").strip() for f in outgoing]
        if not all(conditions):
            continue  # SpiffWorkflow's parser reports an unconditioned non-default flow
        message = coverage_problem(conditions, domains)
        if message:
            facts.problem(message, gateway)


def _check_code(root: Element, facts: DiagramFacts) -> None:
    for flow in root.iter(q("sequenceFlow")):
        condition = flow.find(q("conditionExpression"))
        if condition is not None and (condition.text or "").strip():
            for message in check_code(condition.text, "eval"):
                facts.problem(say("condition: %(problem)s", problem=message), flow)
    for task in root.iter(q("scriptTask")):
        for message in check_code(task.findtext(q("script")) or "", "exec"):
            facts.problem(say("script: %(problem)s", problem=message), task)
    for tag in ("preScript", "postScript"):
        for script in root.iter(q(tag, SPIFF)):
            owner = script.getparent().getparent()
            for message in check_code(script.text or "", "exec"):
                facts.problem(say("%(tag)s: %(problem)s", tag=tag, problem=message), owner)
    for text in root.iter(q("instructionsForEndUser", SPIFF)):
        try:
            _JINJA.parse(text.text or "")
        except jinja2.TemplateSyntaxError as exc:
            facts.problem(
                say("instructions: template error: %(problem)s (line %(line)s)", problem=exc.message, line=exc.lineno),
                text.getparent().getparent(),
            )
