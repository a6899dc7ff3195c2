"""BPMN/DMN parsing and (de)serialization: a version's spec is parsed once, stored once, and cached in-process;
a case stores only its spec-less workflow state.

SpiffWorkflow's serializer embeds the whole spec in every workflow document (10 KB of a 14 KB state in the
probes). Cases here store the state without it and are restored against the cached, already-parsed spec of
the version they run on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from engine import clock
from engine.preplans import safexml

clock.install()


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its spec. Restoring expects the caller to put the parsed spec objects under
    ``spec`` and ``subprocess_specs``; the registry passes objects that are not dicts through unchanged."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


_FULL = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(dict(DEFAULT_CONFIG)))
_SPECLESS = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: _SpeclessWorkflowConverter})
)
SERIALIZER_VERSION = _SPECLESS.VERSION


@dataclass(frozen=True)
class ParsedSpec:
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]


def parse(process_id: str, bpmn: dict[str, bytes], dmn: dict[str, bytes]) -> ParsedSpec:
    """Parse with XSD validation (SpiffWorkflow validates nothing unless given a validator)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, data in bpmn.items():
        parser.add_bpmn_xml(safexml.parse(data), filename=name)
    for name, data in dmn.items():
        parser.add_dmn_xml(safexml.parse(data), filename=name)
    spec = parser.get_spec(process_id)
    return ParsedSpec(spec, parser.get_subprocess_specs(process_id))


def spec_to_dict(parsed: ParsedSpec) -> dict[str, Any]:
    return {
        "spec": _FULL.to_dict(parsed.spec),
        "subprocess_specs": {k: _FULL.to_dict(v) for k, v in parsed.subprocess_specs.items()},
    }


def spec_from_dict(stored: dict[str, Any]) -> ParsedSpec:
    return ParsedSpec(
        _FULL.from_dict(stored["spec"]),
        {k: _FULL.from_dict(v) for k, v in stored["subprocess_specs"].items()},
    )


def new_workflow(parsed: ParsedSpec) -> BpmnWorkflow:
    return BpmnWorkflow(parsed.spec, parsed.subprocess_specs)


def dump_workflow(workflow: BpmnWorkflow) -> dict[str, Any]:
    state: dict[str, Any] = _SPECLESS.to_dict(workflow)
    state[_SPECLESS.VERSION_KEY] = SERIALIZER_VERSION
    return state


def load_workflow(state: dict[str, Any], parsed: ParsedSpec, stored_spec: Callable[[], dict[str, Any]]) -> BpmnWorkflow:
    """Restore a case's workflow. A state written by an older serializer is migrated against the full spec."""
    state = dict(state)
    if state.get(_SPECLESS.VERSION_KEY) != SERIALIZER_VERSION:
        full = stored_spec()
        state.update(spec=full["spec"], subprocess_specs=full["subprocess_specs"])
        _FULL.migrate(state)
        return _FULL.from_dict(state)
    del state[_SPECLESS.VERSION_KEY]
    state["spec"] = parsed.spec
    state["subprocess_specs"] = parsed.subprocess_specs
    return _SPECLESS.from_dict(state)
