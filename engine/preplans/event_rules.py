"""Catch events something can trigger: a case waiting for what can never come is stuck for good.

Messages reach a case through ``preplan message`` and the API, signals through a broadcast to a preplan's cases,
timers through the sweep of the ``timer`` table. What stays refused, as SpiffWorkflow 3.2 and this engine run it:

* a conditional event: SpiffWorkflow tests its condition only when another step of the case ends;
* a timer after an event-based gateway: the gateway waits as one combined event, which the timer table does not
  schedule, so its deadline would pass unnoticed;
* an interrupting event sub-process: SpiffWorkflow starts it beside the running work and interrupts nothing;
* a message or signal event sub-process inside a sub-process: SpiffWorkflow starts only those of the process
  itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from engine.errors import say

_TRIGGERED_START = ("messageEventDefinition", "signalEventDefinition")

#: Report a finding on an element (``DiagramFacts.problem``).
Report = Callable[[str, Any], None]


def check_events(root: Any, q: Callable[[str], str], report: Report) -> None:
    for definition in root.iter(q("conditionalEventDefinition")):
        report(
            say(
                "a conditional event is tested only when another step of the case ends, so it may never fire; decide "
                "with a gateway after the step that changes the data, or wait for a message"
            ),
            definition.getparent(),
        )
    flows = {f.get("id"): f for f in root.iter(q("sequenceFlow"))}
    nodes = {e.get("id"): e for e in root.iter() if e.get("id")}
    for gateway in root.iter(q("eventBasedGateway")):
        for outgoing in gateway.iterfind(q("outgoing")):
            target = nodes.get(flows.get((outgoing.text or "").strip(), etree.Element("x")).get("targetRef"))
            if target is not None and target.find(q("timerEventDefinition")) is not None:
                report(
                    say(
                        "a timer after an event-based gateway is never scheduled; use a receive task (or a catch "
                        "event) with a boundary timer instead"
                    ),
                    target,
                )
    for sub in root.iter(q("subProcess")):
        if sub.get("triggeredByEvent") != "true":
            continue
        for start in sub.iterfind(q("startEvent")):
            if not any(start.find(q(kind)) is not None for kind in _TRIGGERED_START):
                continue
            if start.get("isInterrupting") != "false":
                report(
                    say(
                        "an event sub-process started by a message or signal runs beside the case's work and "
                        'interrupts nothing; mark its start event non-interrupting (isInterrupting="false")'
                    ),
                    start,
                )
            if etree.QName(sub.getparent()).localname != "process":
                report(
                    say(
                        "only an event sub-process of the process itself starts on a message or signal; move it out "
                        "of its sub-process"
                    ),
                    start,
                )
