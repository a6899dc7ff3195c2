"""bpmnlint's recommended rules (the pinned npm package ``make lint-bpmn`` runs) on a draft's diagrams, from the
server: one ``node`` process runs ``bpmnlint.cjs`` on every diagram of a check, within :data:`TIMEOUT` seconds.

Its findings are said in the reader's language by rule (bpmnlint writes English only); a machine without node,
or a run that fails or takes too long, gives one warning saying so instead of failing the check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Text, say

SCRIPT = Path(__file__).with_name("bpmnlint.cjs")
TIMEOUT = 20.0

#: Each rule of ``bpmnlint:recommended`` in a sentence (translated in the catalogues).
RULES: dict[str, Text] = {
    "ad-hoc-sub-process": say("an ad-hoc sub-process may hold no start or end event"),
    "conditional-flows": say("a flow leaving a fork needs a condition, or must be its default"),
    "end-event-required": say("the process needs an end event"),
    "event-based-gateway": say("an event-based gateway needs two or more outgoing flows to catching events"),
    "event-sub-process-typed-start-event": say("an event sub-process needs a start event with a trigger"),
    "fake-join": say("two flows enter this element: join them with a gateway"),
    "global": say("this message, signal or error is defined but never used"),
    "label-required": say("this element needs a name"),
    "link-event": say("a link event needs its matching throw or catch with the same name"),
    "no-bpmndi": say("this element has no shape in the diagram"),
    "no-complex-gateway": say("complex gateways are not supported"),
    "no-disconnected": say("this element is not connected to the flow"),
    "no-duplicate-sequence-flows": say("two flows join the same elements"),
    "no-gateway-join-fork": say("a gateway may join or fork, not both"),
    "no-implicit-split": say("several flows leave this element without a gateway"),
    "no-implicit-end": say("this element ends the flow without an end event"),
    "no-implicit-start": say("this element starts the flow without a start event"),
    "no-inclusive-gateway": say("inclusive gateways are better avoided"),
    "no-overlapping-elements": say("this element overlaps another in the diagram"),
    "single-blank-start-event": say("a process may have only one start event without a trigger"),
    "single-event-definition": say("an event may have only one trigger"),
    "start-event-required": say("the process needs a start event"),
    "sub-process-blank-start-event": say("a sub-process needs a start event without a trigger"),
    "superfluous-gateway": say("this gateway has one flow in and one out: it does nothing"),
    "superfluous-label": say("this element has a name that is not shown"),
    "superfluous-termination": say("a terminate end event here does no more than a plain end event"),
    "parse": say("the diagram cannot be read as BPMN"),
}


@dataclass(frozen=True)
class Report:
    file: str
    element: str | None
    rule: str
    severity: str  # error | warning
    message: Text | str


def lint(diagrams: Mapping[str, str]) -> list[Report]:
    """bpmnlint's reports on each diagram (``name -> XML``); a run that cannot happen is one warning."""
    if not diagrams:
        return []
    node = shutil.which("node")
    if node is None or not (SCRIPT.parent.parents[1] / "node_modules" / "bpmnlint").is_dir():
        return [_unavailable(diagrams, say("bpmnlint did not run: node or the npm packages are not installed"))]
    try:
        done = subprocess.run(
            [node, str(SCRIPT)], input=json.dumps(dict(diagrams)), capture_output=True, text=True, timeout=TIMEOUT
        )
        found = json.loads(done.stdout) if done.returncode == 0 else None
    except (subprocess.TimeoutExpired, ValueError, OSError):
        found = None
    if not isinstance(found, dict):
        return [_unavailable(diagrams, say("bpmnlint did not run: it failed or took longer than %(s)s s", s=TIMEOUT))]
    return [
        Report(
            file=name,
            element=report.get("id"),
            rule=str(report.get("rule")),
            severity="error" if report.get("category") == "error" else "warning",
            message=RULES.get(str(report.get("rule")), report.get("message") or ""),
        )
        for name, reports in sorted(found.items())
        for report in reports
    ]


def _unavailable(diagrams: Mapping[str, str], message: Text) -> Report:
    return Report(file=sorted(diagrams)[0], element=None, rule="unavailable", severity="warning", message=message)
