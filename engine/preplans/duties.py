"""A preplan's periodic duties (``[duties.<kind>]`` in preplan.toml): the reports its source requires on calendar
dates, each a BPMN process in the preplan's folder, checked and versioned with the preplan. What a table must
say, and which processes deployment parses beside the complaint process."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from engine.time.periods import PERIODS, valid_rule

#: What a duty's report is compiled from: the period's figures (engine.cases.figures) or the preplan's appraisal
#: ledger (engine.cases.ledgers) for the period.
COMPILED = ("figures", "ledger")


def duty_tables(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    duties = manifest.get("duties", {})
    return {kind: spec for kind, spec in duties.items() if isinstance(spec, dict)} if isinstance(duties, dict) else {}


def duty_processes(manifest: Mapping[str, Any]) -> list[str]:
    """The process ids of the duties, in declaration order."""
    return [str(spec["process"]) for spec in duty_tables(manifest).values() if isinstance(spec.get("process"), str)]


def diagram_of(files: Collection[str], duties: Iterable[str], process: str | None = None) -> str | None:
    """The file of the complaint process's diagram (the one diagram that is no duty's), or of a duty's
    (``<process>.bpmn``)."""
    if process is not None:
        return f"{process}.bpmn" if f"{process}.bpmn" in files else None
    own = {f"{duty}.bpmn" for duty in duties}
    return next((n for n in sorted(files) if n.endswith(".bpmn") and "/" not in n and n not in own), None)


def duty_problems(manifest: Mapping[str, Any], diagrams: Collection[str]) -> list[str]:
    """What is wrong with the ``[duties]`` tables (messages for preplan.toml); each duty's diagram is the file
    named after its process."""
    problems: list[str] = []
    duties = manifest.get("duties", {})
    if not isinstance(duties, dict):
        return ["[duties] maps duty kinds to tables"]
    roles = manifest.get("roles", {}) if isinstance(manifest.get("roles"), dict) else {}
    seen: set[str] = {str(manifest.get("process"))}
    for kind, spec in duties.items():
        where = f"duty {kind!r}"
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a table")
            continue
        process = spec.get("process")
        if not isinstance(process, str) or process in seen:
            problems.append(f'{where} needs process = "<id of its own executable BPMN process>"')
        elif f"{process}.bpmn" not in diagrams:
            problems.append(f"{where}: its diagram must be the file {process}.bpmn in the preplan's folder")
        seen.add(str(process))
        if spec.get("period") not in PERIODS:
            problems.append(f"{where}: period must be one of {', '.join(PERIODS)}")
        if not valid_rule(spec.get("due")):
            problems.append(f'{where}: due must be "close", "before:<day>" or "working_days:<n>"')
        if not isinstance(spec.get("unit"), str):
            problems.append(f'{where} needs unit = "<the kind of unit it runs in once per period>"')
        if spec.get("compile") not in COMPILED:
            problems.append(f"{where}: compile must be one of {', '.join(COMPILED)}")
        title = spec.get("title")
        if not (isinstance(title, dict) and title.get("zh") and title.get("en")):
            problems.append(f"{where} needs a title with zh and en")
        for key in ("readers", "mail"):
            named = spec.get(key, [])
            if not isinstance(named, list) or any(role not in roles for role in named):
                problems.append(f"{where}: {key} must list roles declared under [roles]")
    return problems
