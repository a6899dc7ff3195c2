"""Events into a running case: BPMN messages and signals, delivered through SpiffWorkflow's own event API.

An event is caught by what waits for it now (an intermediate catch event, a receive task, a boundary event, an
event-based gateway) and starts every event sub-process of the case's process whose start event it is: such a
sub-process can start at any time while the case runs. SpiffWorkflow tells event definitions apart by class and
name, so the event sent is built from the definition the diagram declares. A message's data lands where
SpiffWorkflow puts it: in the variable the message's ``spiffworkflow:messageVariable`` names, in the data of the
task that caught it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition

from engine.preplans.spec import ParsedSpec

MESSAGE, SIGNAL = "message", "signal"
_CLASSES: dict[str, type[EventDefinition]] = {MESSAGE: MessageEventDefinition, SIGNAL: SignalEventDefinition}


def names(parsed: ParsedSpec, kind: str) -> list[str]:
    """The messages (or signals) a preplan's diagram can catch, by name."""
    return sorted({d.name for d in _definitions(parsed.spec, parsed.subprocess_specs) if _is(d, kind)})


def event(workflow: BpmnWorkflow, kind: str, name: str, data: dict[str, Any]) -> BpmnEvent | None:
    """The event ``name`` as the case's diagram declares it, carrying ``data``; None when it declares none."""
    for definition in _definitions(workflow.spec, workflow.subprocess_specs):
        if _is(definition, kind) and definition.name == name:
            return BpmnEvent(definition, payload=data)
    return None


def catchers(workflow: BpmnWorkflow, sent: BpmnEvent) -> list[dict[str, Any]]:
    """What would catch ``sent`` now: the waiting events that catch it and the start events of the event
    sub-processes it starts, as ``{"bpmn_id", "name"}``."""
    found = [
        task.task_spec
        for task in workflow.event_manager.tasks.values()
        if task.state == TaskState.WAITING and task.task_spec.catches(task, sent)
    ]
    for name in workflow.spec.start.trigger_specs:
        found += [
            s for s in workflow.subprocess_specs[name].bpmn_start_events if s.event_definition == sent.event_definition
        ]
    return [{"bpmn_id": spec.bpmn_id, "name": spec.bpmn_name} for spec in found]


def _is(definition: EventDefinition, kind: str) -> bool:
    return isinstance(definition, _CLASSES[kind]) and bool(definition.name)


def _definitions(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Iterator[EventDefinition]:
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(definition, MultipleEventDefinition):
                yield from definition.event_definitions
            elif definition is not None:
                yield definition
