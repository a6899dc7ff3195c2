"""A preplan in words for the people who work with it: its steps in the order a case meets them, who does each
and within which deadline. Read from a deployed version's diagram (no workflow is built)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from engine.preplans.diagram_rules import q
from engine.preplans.duties import diagram_of
from engine.preplans.manifest import Manifest
from engine.preplans.safexml import parse

_STEPS = ("userTask", "manualTask")


def steps(files: dict[str, str], manifest: Manifest) -> list[dict[str, Any]]:
    """``[{"bpmn_id", "name", "role", "deadlines": [deadline entries of the manifest]}]`` in flow order: breadth
    first from the start events along sequence flows, boundary events following the task they are attached to."""
    name = diagram_of(files, (str(duty["process"]) for duty in manifest.duties.values()))
    if name is None:
        return []
    root = parse(files[name].encode("utf-8"))
    nodes = {e.get("id"): e for e in root.iter() if e.get("id")}
    following: dict[str, list[str]] = {}
    for flow in root.iter(q("sequenceFlow")):
        following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for boundary in root.iter(q("boundaryEvent")):
        following.setdefault(boundary.get("attachedToRef"), []).append(boundary.get("id"))
    for sub in root.iter(q("subProcess")):  # a sub-process is entered at its own start events
        following.setdefault(sub.get("id"), []).extend(s.get("id") for s in sub.iterfind(q("startEvent")))
    starts = [e.get("id") for e in root.iter(q("startEvent")) if e.getparent().tag == q("process")]
    deadlines: dict[str, list[Mapping[str, Any]]] = {}
    for deadline in manifest.deadlines:
        if deadline.get("attached_to"):
            deadlines.setdefault(deadline["attached_to"], []).append(deadline)
    seen, queue, result = set(starts), deque(starts), []
    while queue:
        node = queue.popleft()
        element = nodes.get(node)
        if element is not None and element.tag in {q(kind) for kind in _STEPS}:
            result.append(
                {
                    "bpmn_id": node,
                    "name": element.get("name") or node,
                    "role": manifest.lane_roles.get(node),
                    "deadlines": deadlines.get(node, []),
                }
            )
        for target in following.get(node, []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return result
