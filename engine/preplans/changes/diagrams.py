"""Changes of the diagrams: every element by id, described by what a process owner sees of it (its name, lane,
flows, conditions, deadline, form, instructions, scripts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from engine.errors import Text, say
from engine.preplans.changes.canonical import (
    BPMN,
    GATEWAYS,
    TASKS,
    canonical,
    is_element,
    local_name,
    own_parts,
    text_of,
)
from engine.preplans.changes.entry import change
from engine.preplans.deadline_words import describe
from engine.preplans.safexml import XmlRejected, parse

_ASPECT_ATTRIBUTES = frozenset({"name", "sourceRef", "targetRef", "default", "attachedToRef", "cancelActivity"})
_ASPECT_CHILDREN = {
    "conditionExpression",
    "timerEventDefinition",
    "script",
    "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics",
    "messageEventDefinition",
    "signalEventDefinition",
    "errorEventDefinition",
    "escalationEventDefinition",
    "terminateEventDefinition",
    "instructionsForEndUser",
    "preScript",
    "postScript",
    "calledDecisionId",
    "messageVariable",
}


def _aspect_part(child: etree._Element) -> bool:
    if local_name(child) in _ASPECT_CHILDREN:
        return True
    return local_name(child) == "property" and child.get("name") == "formJsonSchemaFilename"


class _Diagram:
    """The elements of a package's diagrams by id, with the lane of each flow node."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.elements: dict[str, etree._Element] = {}
        self.lanes: dict[str, str] = {}
        for name in sorted(files):
            if not name.endswith(".bpmn") or "/" in name:
                continue
            try:
                root = parse(files[name])
            except XmlRejected:
                continue  # such a version was never deployed; the file diff still shows it
            for element in root.iter():
                if isinstance(element.tag, str) and is_element(element):
                    self.elements[element.get("id", "")] = element
            for lane in root.iter(f"{{{BPMN}}}lane"):  # outer lanes come first: the innermost wins
                for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
                    self.lanes[(ref.text or "").strip()] = lane.get("id", "")

    def title(self, element_id: str | None) -> str:
        element = self.elements.get(element_id or "")
        if element is None:
            return element_id or ""
        name = " ".join((element.get("name") or "").split())
        if name:
            return name
        if local_name(element) == "sequenceFlow":
            return f"{self.title(element.get('sourceRef'))} → {self.title(element.get('targetRef'))}"
        return element_id or ""

    def aspects(self, element_id: str) -> dict[str, str | None]:
        element = self.elements[element_id]
        found: dict[str, str | None] = {
            "type": local_name(element),
            "name": " ".join((element.get("name") or "").split()) or None,
            "lane": self.lanes.get(element_id),
            "source": element.get("sourceRef"),
            "target": element.get("targetRef"),
            "default": element.get("default"),
            "attachedTo": element.get("attachedToRef"),
            "cancelActivity": element.get("cancelActivity", "true") if local_name(element) == "boundaryEvent" else None,
            "other": repr(canonical(element, _ASPECT_ATTRIBUTES, _aspect_part)[1:]),  # its type is an aspect
        }
        events = []
        for child in own_parts(element):
            local = local_name(child)
            if local == "conditionExpression" and child.getparent() is element:
                found["condition"] = text_of(child)
            elif local in ("timeDate", "timeDuration", "timeCycle"):
                found["timer"] = f"{local}:{text_of(child)}"
            elif local == "property" and child.get("name") == "formJsonSchemaFilename":
                found["form"] = child.get("value")
            elif local in ("instructionsForEndUser", "preScript", "postScript", "calledDecisionId", "messageVariable"):
                found[local] = text_of(child)
            elif local == "script" and child.getparent() is element:
                found["script"] = text_of(child)
            elif local in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
                found["loop"] = repr(canonical(child))
            elif local.endswith("EventDefinition") and local != "timerEventDefinition":
                events.append(repr(canonical(child)))
        if events:
            found["events"] = "".join(sorted(events))
        return found


def _noun(local: str) -> Text:
    if local in TASKS:
        return say("步骤")
    if local in GATEWAYS:
        return say("网关")
    return {
        "startEvent": say("开始事件"),
        "endEvent": say("结束事件"),
        "boundaryEvent": say("边界事件"),
        "intermediateCatchEvent": say("中间事件"),
        "intermediateThrowEvent": say("中间事件"),
        "sequenceFlow": say("连线"),
        "messageFlow": say("消息流"),
        "lane": say("泳道"),
        "participant": say("参与者"),
        "process": say("流程"),
        "message": say("消息"),
        "signal": say("信号"),
        "subProcess": say("子流程"),
        "transaction": say("子流程"),
        "adHocSubProcess": say("子流程"),
        "dataObject": say("数据对象"),
        "dataObjectReference": say("数据对象"),
    }.get(local, say("元素"))


_PART_NOUNS = {
    "instructionsForEndUser": lambda: say("办理说明"),
    "script": lambda: say("脚本"),
    "preScript": lambda: say("开始时脚本"),
    "postScript": lambda: say("完成后脚本"),
    "loop": lambda: say("多实例设置"),
    "events": lambda: say("事件定义"),
    "messageVariable": lambda: say("消息变量"),
    "other": lambda: say("其他设置"),
}


def diagram_changes(old: Mapping[str, bytes], new: Mapping[str, bytes], labels: Mapping[str, str]) -> list[Any]:
    before, after = _Diagram(old), _Diagram(new)
    changes = []
    for element_id in sorted(set(before.elements) | set(after.elements)):
        if element_id not in after.elements:
            changes.append(_added_or_removed(before, element_id, "removed", labels))
        elif element_id not in before.elements:
            changes.append(_added_or_removed(after, element_id, "added", labels))
        else:
            changes += _element_changes(before, after, element_id, labels)
    return changes


def _added_or_removed(diagram: _Diagram, element_id: str, kind: str, labels: Mapping[str, str]) -> dict[str, Any]:
    element = diagram.elements[element_id]
    local, title = local_name(element), diagram.title(element_id)
    aspects = diagram.aspects(element_id)
    if local == "sequenceFlow":
        source, target = diagram.title(aspects["source"]), diagram.title(aspects["target"])
        condition = aspects.get("condition")
        if kind == "added":
            text = (
                say(
                    "新增网关条件：%(condition)s 时从「%(source)s」走向「%(target)s」",
                    condition=condition,
                    source=source,
                    target=target,
                )
                if condition
                else say("新增连线：从「%(source)s」到「%(target)s」", source=source, target=target)
            )
        else:
            text = say("删除连线：从「%(source)s」到「%(target)s」", source=source, target=target)
    elif kind == "added":
        text = say("新增%(kind)s「%(name)s」", kind=_noun(local), name=title)
    else:
        text = say("删除%(kind)s「%(name)s」", kind=_noun(local), name=title)
    value = {"type": local, "name": aspects["name"]}
    return change(
        "diagram",
        element_id,
        kind,
        local,
        value if kind == "removed" else None,
        value if kind == "added" else None,
        text,
    )


def _element_changes(
    before: _Diagram, after: _Diagram, element_id: str, labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    if canonical(before.elements[element_id]) == canonical(after.elements[element_id]) and before.lanes.get(
        element_id
    ) == after.lanes.get(element_id):
        return []
    old, new = before.aspects(element_id), after.aspects(element_id)
    local = local_name(after.elements[element_id])
    noun, title = _noun(local), after.title(element_id)
    changes = []
    for what in sorted(set(old) | set(new)):
        a, b = old.get(what), new.get(what)
        if a == b:
            continue
        text = _aspect_text(what, a, b, noun, title, before, after, element_id, labels)
        if what == "other":
            a = b = None  # the canonical form is for comparing, not for reading
        changes.append(change("diagram", element_id, "changed", what, a, b, text))
    return changes


def _aspect_text(
    what: str,
    a: str | None,
    b: str | None,
    noun: Text,
    title: str,
    before: _Diagram,
    after: _Diagram,
    element_id: str,
    labels: Mapping[str, str],
) -> str:
    if what == "name":
        return say(
            "%(kind)s「%(before)s」改名为「%(after)s」", kind=noun, before=a or element_id, after=b or element_id
        )
    if what == "type":
        return say("「%(name)s」由%(before)s改为%(after)s", name=title, before=_noun(a or ""), after=_noun(b or ""))
    if what == "lane":
        return say(
            "%(kind)s「%(name)s」由泳道「%(before)s」移到「%(after)s」",
            kind=noun,
            name=title,
            before=before.title(a),
            after=after.title(b),
        )
    if what in ("source", "target"):
        return say(
            "连线「%(name)s」改为从「%(source)s」到「%(target)s」",
            name=title,
            source=after.title(after.aspects(element_id)["source"]),
            target=after.title(after.aspects(element_id)["target"]),
        )
    if what == "condition":
        if not a:
            return say("连线「%(name)s」新增条件：%(after)s", name=title, after=b)
        if not b:
            return say("连线「%(name)s」不再有条件（原为 %(before)s）", name=title, before=a)
        return say("连线「%(name)s」的条件由 %(before)s 改为 %(after)s", name=title, before=a, after=b)
    if what == "timer":
        words_a, words_b = _timer_words(a, labels), _timer_words(b, labels)
        task = after.aspects(element_id).get("attachedTo")
        if task:
            return say(
                "步骤「%(task)s」的期限由 %(before)s 改为 %(after)s",
                task=after.title(task),
                before=words_a,
                after=words_b,
            )
        return say("定时器「%(name)s」由 %(before)s 改为 %(after)s", name=title, before=words_a, after=words_b)
    if what == "form":
        return say("步骤「%(name)s」的表单由 %(before)s 改为 %(after)s", name=title, before=a or "-", after=b or "-")
    if what == "calledDecisionId":
        return say(
            "步骤「%(name)s」调用的决策由 %(before)s 改为 %(after)s", name=title, before=a or "-", after=b or "-"
        )
    if what == "default":
        return say(
            "%(kind)s「%(name)s」的默认路径由「%(before)s」改为「%(after)s」",
            kind=noun,
            name=title,
            before=before.title(a) if a else "-",
            after=after.title(b) if b else "-",
        )
    if what == "attachedTo":
        return say("边界事件「%(name)s」改为挂在步骤「%(task)s」上", name=title, task=after.title(b))
    if what == "cancelActivity":
        return (
            say("边界事件「%(name)s」改为中断所在步骤", name=title)
            if b == "true"
            else say("边界事件「%(name)s」改为不中断所在步骤", name=title)
        )
    return say("%(kind)s「%(name)s」的%(part)s已修改", kind=noun, name=title, part=_PART_NOUNS[what]())


def _timer_words(value: str | None, labels: Mapping[str, str]) -> str:
    if not value:
        return "-"
    kind, expression = value.split(":", 1)
    return describe(expression, kind, labels)
