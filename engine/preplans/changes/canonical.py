"""A diagram element's meaning as a value: two writings of the same thing give the same value.

Diagram interchange (shapes, edges, waypoints, label bounds) is left out, namespace prefixes are resolved,
attributes and sibling elements are unordered, whitespace around text is dropped (code keeps its indentation),
defaults are made explicit, empty ``extensionElements`` and a flow node's ``incoming`` / ``outgoing`` (the flows
already say so) are ignored, and the ids of an element's own parts (event definitions, loop characteristics, data
associations) are forgotten: a modeller rewrites those freely.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_PREFIXES = {BPMN: "bpmn", SPIFF: "spiffworkflow", XSI: "xsi"}
LAYOUT = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://www.omg.org/spec/DMN/20180521/DC/",
}
TASKS = {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
_EVENTS = {"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
_OTHERS = {
    "process",
    "participant",
    "lane",
    "sequenceFlow",
    "messageFlow",
    "message",
    "signal",
    "error",
    "escalation",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "property",
    "textAnnotation",
    "association",
    "subProcess",
    "transaction",
    "adHocSubProcess",
}
ELEMENTS = TASKS | GATEWAYS | _EVENTS | _OTHERS
# attribute values that mean the same as the attribute's absence
_DEFAULTS = {
    "cancelActivity": "true",
    "isInterrupting": "true",
    "parallelMultiple": "false",
    "isForCompensation": "false",
    "startQuantity": "1",
    "completionQuantity": "1",
    "isSequential": "false",
    "gatewayDirection": "Unspecified",
    "isClosed": "false",
    "triggeredByEvent": "false",
    "isExecutable": "false",
    "instantiate": "false",
    "implementation": "##unspecified",
    "eventGatewayType": "Exclusive",
}
_CODE = {"script", "preScript", "postScript", "conditionExpression", "instructionsForEndUser", "text"}

Canonical = tuple[str, tuple[tuple[str, str], ...], str, tuple[Any, ...]]


def _name(qualified: str) -> str:
    name = etree.QName(qualified)
    prefix = _PREFIXES.get(name.namespace or "", name.namespace)
    return f"{prefix}:{name.localname}" if prefix else name.localname


def local_name(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def text_of(element: etree._Element) -> str:
    text = (element.text or "").replace("\r\n", "\n")
    if local_name(element) in _CODE:
        return textwrap.dedent("\n".join(line.rstrip() for line in text.strip("\n").split("\n"))).strip()
    return " ".join(text.split())


def _attributes(element: etree._Element, leave_out: frozenset[str] = frozenset()) -> tuple[tuple[str, str], ...]:
    found = []
    for key, value in element.attrib.items():
        name = _name(key)
        if name == "id" or name in leave_out or _DEFAULTS.get(name) == value:
            continue
        if name == "xsi:type" and ":" in value:  # a QName: its prefix is the document's choice
            prefix, local = value.split(":", 1)
            value = _name(f"{{{element.nsmap.get(prefix, prefix)}}}{local}")
        found.append((name, " ".join(value.split())))
    return tuple(sorted(found))


def is_element(element: etree._Element) -> bool:
    return etree.QName(element).namespace == BPMN and local_name(element) in ELEMENTS and "id" in element.attrib


def _parts(element: etree._Element) -> Iterator[etree._Element]:
    """The children that belong to this element's meaning (not layout, not elements compared on their own)."""
    for child in element:
        if not isinstance(child.tag, str) or etree.QName(child).namespace in LAYOUT:
            continue
        if local_name(child) in ("incoming", "outgoing", "flowNodeRef") or is_element(child):
            continue
        yield child


def own_parts(element: etree._Element) -> Iterator[etree._Element]:
    """Every descendant that belongs to this element (its parts' parts too), none of a nested element's."""
    for child in _parts(element):
        yield child
        yield from own_parts(child)


def canonical(
    element: etree._Element,
    leave_out: frozenset[str] = frozenset(),
    skip: Callable[[etree._Element], bool] = lambda _e: False,
) -> Canonical:
    """The element's meaning as a value: equal for two writings of the same thing."""
    children = []
    for child in _parts(element):
        if skip(child):
            continue
        form = canonical(child, skip=skip)
        if local_name(child) == "extensionElements" and not form[3]:
            continue
        children.append(form)
    return (_name(element.tag), _attributes(element, leave_out), text_of(element), tuple(sorted(children, key=repr)))
