"""Changes of the decision tables: a decision's name, hit policy and columns, and its rules by position (rule N
of each version)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from engine.errors import say
from engine.preplans.changes.canonical import Canonical, canonical, local_name, text_of
from engine.preplans.changes.entry import change
from engine.preplans.safexml import XmlRejected, parse


def _decisions(files: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name in sorted(files):
        if not name.endswith(".dmn"):
            continue
        try:
            root = parse(files[name])
        except XmlRejected:
            continue
        for decision in root:
            if not isinstance(decision.tag, str) or local_name(decision) != "decision":
                continue
            table = next((c for c in decision if isinstance(c.tag, str) and local_name(c) == "decisionTable"), None)
            found[decision.get("id", "")] = {
                "name": " ".join((decision.get("name") or decision.get("id", "")).split()),
                "table": table,
                "other": repr(canonical(decision, frozenset({"name"}), lambda c: local_name(c) == "decisionTable")),
            }
    return found


def _columns(table: etree._Element | None, kind: str) -> list[str]:
    columns = []
    for column in table if table is not None else []:
        if not isinstance(column.tag, str) or local_name(column) != kind:
            continue
        expression = "".join(text_of(t) for t in column.iter() if isinstance(t.tag, str) and local_name(t) == "text")
        label = column.get("label") or column.get("name") or expression
        columns.append(f"{label}（{expression or column.get('name', '')}）" if kind == "input" else label)
    return columns


def _rules(table: etree._Element | None) -> list[tuple[list[str], list[str], str]]:
    rules = []
    for rule in table if table is not None else []:
        if not isinstance(rule.tag, str) or local_name(rule) != "rule":
            continue
        entries: dict[str, list[str]] = {"inputEntry": [], "outputEntry": []}
        for entry in rule:
            if isinstance(entry.tag, str) and local_name(entry) in entries:
                texts = [text_of(t) for t in entry if isinstance(t.tag, str) and local_name(t) == "text"]
                entries[local_name(entry)].append("".join(texts))
        rules.append((entries["inputEntry"], entries["outputEntry"], rule.get("id", "")))
    return rules


def _rule_words(rule: tuple[list[str], list[str], str], inputs: list[str], outputs: list[str]) -> str:
    labels = [i.split("（")[0] for i in inputs]
    conditions = "，".join(f"{label} {entry}" for label, entry in zip(labels, rule[0], strict=False) if entry)
    results = "，".join(f"{label} = {entry}" for label, entry in zip(outputs, rule[1], strict=False))
    return f"{conditions or '-'} ⇒ {results}"


def decision_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[dict[str, Any]]:
    before, after = _decisions(old), _decisions(new)
    changes = []
    for decision_id in sorted(set(before) | set(after)):
        a, b = before.get(decision_id), after.get(decision_id)
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            name = (b or a or {}).get("name", decision_id)
            text = say("新增决策表「%(name)s」", name=name) if a is None else say("删除决策表「%(name)s」", name=name)
            changes.append(change("decisions", decision_id, kind, "decision", a and a["name"], b and b["name"], text))
            continue
        changes += _table_changes(decision_id, a, b)
    return changes


def _table_changes(decision_id: str, a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    changes, name = [], b["name"]

    def add(what: str, old: Any, new: Any, text: str, element: str = decision_id) -> None:
        changes.append(change("decisions", element, "changed", what, old, new, text))

    if a["name"] != b["name"]:
        add("name", a["name"], b["name"], say("决策表「%(before)s」改名为「%(after)s」", before=a["name"], after=name))
    policy_a = a["table"].get("hitPolicy", "UNIQUE") if a["table"] is not None else None
    policy_b = b["table"].get("hitPolicy", "UNIQUE") if b["table"] is not None else None
    if policy_a != policy_b:
        add(
            "hitPolicy",
            policy_a,
            policy_b,
            say("决策表「%(name)s」的命中规则由 %(before)s 改为 %(after)s", name=name, before=policy_a, after=policy_b),
        )
    inputs_a, inputs_b = _columns(a["table"], "input"), _columns(b["table"], "input")
    outputs_a, outputs_b = _columns(a["table"], "output"), _columns(b["table"], "output")
    for what, x, y, noun in (
        ("inputs", inputs_a, inputs_b, say("输入列")),
        ("outputs", outputs_a, outputs_b, say("输出列")),
    ):
        if x != y:
            add(
                what,
                x,
                y,
                say(
                    "决策表「%(name)s」的%(part)s由 %(before)s 改为 %(after)s",
                    name=name,
                    part=noun,
                    before="、".join(x) or "-",
                    after="、".join(y) or "-",
                ),
            )
    rules_a, rules_b = _rules(a["table"]), _rules(b["table"])
    for index in range(max(len(rules_a), len(rules_b))):
        rule_x = rules_a[index] if index < len(rules_a) else None
        rule_y = rules_b[index] if index < len(rules_b) else None
        words_x = _rule_words(rule_x, inputs_a, outputs_a) if rule_x else None
        words_y = _rule_words(rule_y, inputs_b, outputs_b) if rule_y else None
        element = (rule_y or rule_x or ([], [], ""))[2] or f"{decision_id}#{index + 1}"
        if rule_x is None:
            text = say("决策表「%(name)s」新增第 %(n)s 行：%(after)s", name=name, n=index + 1, after=words_y)
            changes.append(change("decisions", element, "added", "rule", None, words_y, text))
        elif rule_y is None:
            text = say("决策表「%(name)s」删除第 %(n)s 行：%(before)s", name=name, n=index + 1, before=words_x)
            changes.append(change("decisions", element, "removed", "rule", words_x, None, text))
        elif rule_x[:2] != rule_y[:2]:
            text = say(
                "决策表「%(name)s」第 %(n)s 行由 %(before)s 改为 %(after)s",
                name=name,
                n=index + 1,
                before=words_x,
                after=words_y,
            )
            add("rule", words_x, words_y, text, element)
    rest_a = _table_rest(a["table"])
    if a["other"] != b["other"] or rest_a != _table_rest(b["table"]):
        add("other", None, None, say("决策表「%(name)s」的其他设置已修改", name=name))
    return changes


def _table_rest(table: etree._Element | None) -> Canonical | None:
    """A table's meaning beyond its hit policy, columns and rule entries (descriptions of rules, types)."""
    if table is None:
        return None
    return canonical(
        table, frozenset({"hitPolicy"}), lambda c: local_name(c) in ("input", "output", "inputEntry", "outputEntry")
    )
