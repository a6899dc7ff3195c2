"""``preplan decide``: evaluate one DMN decision of a deployed preplan on given data, outside any case.

Integrations and tests use it to check a decision table against its contract without driving a workflow.
Cells run in the same restricted environment as in a case.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.errors import DiagramError, NotFound
from engine.preplans import safexml
from engine.scripting.helpers import build_helpers
from engine.scripting.sandbox import Budget, script_engine
from engine.store.records import newest_active_version
from engine.time.calendar_store import load_calendar


def decide(session: Session, settings: Settings, reference: str, data: dict[str, Any]) -> dict[str, Any]:
    key, _, decision_id = reference.partition("/")
    if not decision_id:
        raise NotFound(f"{reference!r}: expected PREPLAN/DECISION, e.g. vanke_complaint/severity")
    version = newest_active_version(session, key)
    table = _table(
        version.id, tuple(sorted((n, t) for n, t in version.files.items() if n.endswith(".dmn"))), decision_id
    )
    engine = script_engine(
        build_helpers(lambda: load_calendar(session, settings), settings.timezone),
        Budget(settings.script_steps, settings.script_seconds),
    )
    workflow = SimpleNamespace(script_engine=engine, spec=SimpleNamespace(file=f"{key}/{decision_id}"))
    workflow.top_workflow = workflow
    task = SimpleNamespace(
        data=dict(data), workflow=workflow, task_spec=SimpleNamespace(bpmn_name=decision_id, bpmn_id=decision_id)
    )
    try:
        return dict(DMNEngine(table).result(task))
    except Exception as exc:
        raise DiagramError(f"decision {reference} failed: {exc}", element=decision_id) from None


@lru_cache(maxsize=256)
def _table(version_id: int, dmn_files: tuple[tuple[str, str], ...], decision_id: str) -> Any:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, text in dmn_files:
        parser.add_dmn_xml(safexml.parse(text.encode("utf-8")), filename=name)
    try:
        return parser.get_engine(decision_id, None).decision_table
    except ValidationException:
        known = ", ".join(sorted(parser.dmn_parsers)) or "none"
        raise NotFound(f"no decision {decision_id!r} in this preplan; it has: {known}") from None
