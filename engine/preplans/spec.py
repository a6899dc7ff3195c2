"""BPMN/DMN parsing and (de)serialization: a version's spec is parsed once, stored once, and cached in-process;
a case stores only its spec-less workflow state, split into its workflow-level part and one document per task.

SpiffWorkflow's serializer embeds the whole spec in every workflow document (10 KB of a 14 KB state in the
probes). Cases here store the state without it and are restored against the cached, already-parsed spec of
the version they run on. Splitting the tasks out lets a step write only the tasks it changed
(:mod:`engine.cases.storage`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.task import Task as SpiffTask

from engine import clock
from engine.preplans import safexml

clock.install()


#: Restores a spec-less state too: the caller puts the parsed spec objects under ``spec`` and
#: ``subprocess_specs``, and the registry passes objects that are not dicts through unchanged.
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(dict(DEFAULT_CONFIG)))
SERIALIZER_VERSION = _SERIALIZER.VERSION
#: How task specs are written down: SpiffWorkflow's spec diff compares two versions' specs in this form.
REGISTRY = _SERIALIZER.registry


@dataclass(frozen=True)
class ParsedSpec:
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    #: the preplan's periodic duties (``[duties]``): process id -> its own parsed spec, versioned with the preplan
    duties: dict[str, ParsedSpec] = field(default_factory=dict)

    def process(self, process_id: str | None) -> ParsedSpec:
        """The complaint process (None) or one duty's."""
        return self if process_id is None else self.duties[process_id]


def parse(process_id: str, bpmn: dict[str, bytes], dmn: dict[str, bytes], duties: Iterable[str] = ()) -> ParsedSpec:
    """Parse with XSD validation (SpiffWorkflow validates nothing unless given a validator)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, data in bpmn.items():
        parser.add_bpmn_xml(safexml.parse(data), filename=name)
    for name, data in dmn.items():
        parser.add_dmn_xml(safexml.parse(data), filename=name)
    return ParsedSpec(
        parser.get_spec(process_id),
        parser.get_subprocess_specs(process_id),
        {duty: ParsedSpec(parser.get_spec(duty), parser.get_subprocess_specs(duty)) for duty in duties},
    )


def spec_to_dict(parsed: ParsedSpec) -> dict[str, Any]:
    stored = {
        "spec": _SERIALIZER.to_dict(parsed.spec),
        "subprocess_specs": {k: _SERIALIZER.to_dict(v) for k, v in parsed.subprocess_specs.items()},
    }
    if parsed.duties:
        stored["duties"] = {duty: spec_to_dict(spec) for duty, spec in parsed.duties.items()}
    return stored


def spec_from_dict(stored: dict[str, Any]) -> ParsedSpec:
    return ParsedSpec(
        _SERIALIZER.from_dict(stored["spec"]),
        {k: _SERIALIZER.from_dict(v) for k, v in stored["subprocess_specs"].items()},
        {duty: spec_from_dict(spec) for duty, spec in stored.get("duties", {}).items()},
    )


def new_workflow(parsed: ParsedSpec) -> BpmnWorkflow:
    return BpmnWorkflow(parsed.spec, parsed.subprocess_specs)


def task_document(task: SpiffTask) -> dict[str, Any]:
    """One task as the serializer writes it (its data as a delta to its parent's)."""
    document: dict[str, Any] = _SERIALIZER.registry.convert(task)
    return document


def workflow_document(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The workflow-level state without any task: data, events, and each subprocess's own state."""
    registry = _SERIALIZER.registry
    document = _process_document(workflow)
    document.update(
        typename=registry.typenames[type(workflow)],
        bpmn_events=registry.convert(workflow.bpmn_events),
        subprocesses={
            str(key): {
                **_process_document(sub),
                "parent_task_id": str(sub.parent_task_id),
                "spec": sub.spec.name,
                "typename": registry.typenames[type(sub)],
            }
            for key, sub in workflow.subprocesses.items()
        },
    )
    document[_SERIALIZER.VERSION_KEY] = SERIALIZER_VERSION
    return document


def _process_document(workflow: BpmnWorkflow | BpmnSubWorkflow) -> dict[str, Any]:
    registry = _SERIALIZER.registry
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "root": str(workflow.task_tree.id),
    }


def load_workflow(state: dict[str, Any], parsed: ParsedSpec, stored_spec: Callable[[], dict[str, Any]]) -> BpmnWorkflow:
    """Restore a case's workflow. A state written by an older serializer is migrated against the full spec."""
    state = dict(state)
    if state.get(_SERIALIZER.VERSION_KEY) != SERIALIZER_VERSION:
        full = stored_spec()
        state.update(spec=full["spec"], subprocess_specs=full["subprocess_specs"])
        _SERIALIZER.migrate(state)
        return _SERIALIZER.from_dict(state)
    del state[_SERIALIZER.VERSION_KEY]
    state["spec"] = parsed.spec
    state["subprocess_specs"] = parsed.subprocess_specs
    return _SERIALIZER.from_dict(state)
