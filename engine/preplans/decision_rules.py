"""Checks on DMN decision tables: every cell is restricted Python (SpiffWorkflow evaluates Python, not FEEL, and
some FEEL cells silently never match), and the literal outputs tell which values a decided field can take."""

from __future__ import annotations

import ast
from typing import Any

from lxml import etree

from engine.errors import Problem, say
from engine.scripting.sandbox import check_code

DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
}
_FEEL_ONLY = ("not(", "..", "date(", "time(")


def _ns(root: etree._Element) -> str:
    return etree.QName(root).namespace or ""


def decisions(root: etree._Element) -> dict[str, etree._Element]:
    ns = _ns(root)
    return {d.get("id"): d for d in root.iter(f"{{{ns}}}decision")}


def check_dmn(name: str, root: etree._Element) -> list[Problem]:
    ns = _ns(root)
    if ns not in DMN_NAMESPACES:
        return [Problem(name, say("not a DMN 1.1-1.3 document (namespace %(ns)s)", ns=repr(ns)), root.sourceline)]
    problems: list[Problem] = []
    for decision_id, decision in decisions(root).items():
        tables = decision.findall(f"{{{ns}}}decisionTable")
        if len(tables) != 1:
            problems.append(
                Problem(name, say("a decision needs exactly one decision table"), decision.sourceline, decision_id)
            )
            continue
        for text in tables[0].iter(f"{{{ns}}}text"):
            source = (text.text or "").strip()
            parent = etree.QName(text.getparent()).localname
            if not source or source == "-":
                continue
            for message in _cell_problems(source, parent):
                problems.append(
                    Problem(
                        name,
                        say("%(cell)s %(source)s: %(problem)s", cell=parent, source=repr(source), problem=message),
                        text.sourceline,
                        decision_id,
                    )
                )
    return problems


def _cell_problems(source: str, kind: str) -> list[str]:
    if any(token in source for token in _FEEL_ONLY):
        return [say("FEEL is not supported: cells are Python expressions (use ? for the input, e.g. ? >= 10)")]
    if kind != "inputEntry":
        return check_code(source)
    expression = source.replace("?", "dmn_input")
    problems = check_code(expression)
    if problems and not check_code(f"dmn_input {expression}"):
        return []  # a partial test such as ">= 10" or "in ('a', 'b')"
    return problems


def output_domains(root: etree._Element) -> dict[str, frozenset[Any]]:
    """Output name -> the literal values its cells produce (fields whose outputs are all literals)."""
    ns = _ns(root)
    domains: dict[str, set[Any]] = {}
    for table in root.iter(f"{{{ns}}}decisionTable"):
        names = [o.get("name") for o in table.findall(f"{{{ns}}}output")]
        literal = {n: True for n in names if n}
        values: dict[str, set[Any]] = {n: set() for n in names if n}
        for rule in table.findall(f"{{{ns}}}rule"):
            for output_name, entry in zip(names, rule.findall(f"{{{ns}}}outputEntry"), strict=False):
                if not output_name:
                    continue
                try:
                    values[output_name].add(ast.literal_eval((entry.findtext(f"{{{ns}}}text") or "").strip()))
                except (ValueError, SyntaxError, TypeError):  # not a literal, or not hashable
                    literal[output_name] = False
        for output_name, ok in literal.items():
            if ok:
                domains.setdefault(output_name, set()).update(values[output_name])
    return {k: frozenset(v) for k, v in domains.items()}
