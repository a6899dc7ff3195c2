"""What the studio shows on a draft: ``preplan check``'s problems and bpmnlint's reports as one list of findings,
each at its file and element (a BPMN or DMN element id, a form field) so the editor marks the element. Errors stop
a draft from being published; bpmnlint's warnings do not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidPreplan, Problem, Text
from engine.preplans import bpmnlint
from engine.preplans.check import check_package
from engine.preplans.package import package_from_files


@dataclass(frozen=True)
class Finding:
    file: str
    element: str | None
    line: int | None
    severity: str  # error | warning
    source: str  # check | bpmnlint
    rule: str | None
    message: Text | str

    def to_json(self) -> dict[str, Any]:
        """As the studio's contract has it; the message in English (adapters say it in the reader's language)."""
        return {**vars(self), "message": str(self.message)}


def findings(key: str, files: Mapping[str, str]) -> list[Finding]:
    """Every finding on a draft's files, errors first, in file order."""
    found = [_of_problem(key, p) for p in _problems(key, files)]
    found += [
        Finding(r.file, r.element, None, r.severity, "bpmnlint", r.rule, r.message)
        for r in bpmnlint.lint({n: t for n, t in files.items() if n.endswith(".bpmn") and "/" not in n})
    ]
    return sorted(found, key=lambda f: (f.severity != "error", f.file, f.line or 0))


def blocking(found: list[Finding]) -> list[Finding]:
    """The findings that stop a draft from being published."""
    return [f for f in found if f.severity == "error"]


def _problems(key: str, files: Mapping[str, str]) -> list[Problem]:
    try:
        package = package_from_files(key, {name: text.encode("utf-8") for name, text in files.items()})
    except InvalidPreplan as exc:
        return exc.problems
    return check_package(package).problems


def _of_problem(key: str, problem: Problem) -> Finding:
    """A checker's problem, its file named as in the draft (the checker writes ``KEY/name``)."""
    file = problem.file.removeprefix(f"{key}/")
    return Finding(file, problem.element, problem.line, "error", "check", None, problem.message)
