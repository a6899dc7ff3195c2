"""Deadlines in words: "4 小时", "自收到时间起 1 个工作日", "每 7 天". The preplan pages and the list of what changed
between versions say a timer this way; each is a sentence (``say``) so an adapter reads it in its language."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.errors import Text, say

_UNITS: dict[str, Callable[[str], Text]] = {
    "years": lambda n: say("%(n)s 年", n=n),
    "months": lambda n: say("%(n)s 个月", n=n),
    "weeks": lambda n: say("%(n)s 周", n=n),
    "days": lambda n: say("%(n)s 天", n=n),
    "hours": lambda n: say("%(n)s 小时", n=n),
    "minutes": lambda n: say("%(n)s 分钟", n=n),
    "seconds": lambda n: say("%(n)s 秒", n=n),
}


def _duration(text: str) -> str:
    parts = [_UNITS[unit](_number(value)) for unit, value in TimerEventDefinition.parse_iso_duration(text).items()]
    words: str = parts[-1] if parts else text
    for part in reversed(parts[:-1]):
        words = say("%(span)s又%(more)s", span=part, more=words)
    return words


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def describe(expression: str, kind: str, labels: Mapping[str, str]) -> str:
    """A timer's expression in words; ``labels`` maps case-data names to their titles (for "自收到时间起")."""
    try:
        node = ast.parse(expression, mode="eval").body
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if kind == "timeCycle":
                cycles, _start, _step = TimerEventDefinition.parse_iso_recurring_interval(node.value)
                every = say("每 %(span)s", span=_duration(node.value.split("/")[-1]))
                return every if cycles < 0 else say("%(every)s，共 %(n)s 次", every=every, n=cycles)
            return _duration(node.value) if kind == "timeDuration" else node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return _helper(node, labels)
    except Exception:  # a description is a courtesy: show the expression rather than fail
        pass
    return expression


def _helper(node: ast.Call, labels: Mapping[str, str]) -> str:
    def arg(i: int) -> str | None:
        value = node.args[i] if len(node.args) > i else None
        if isinstance(value, ast.Constant):
            return str(value.value)
        if isinstance(value, ast.Name):
            return labels.get(value.id, value.id)
        return None

    name = node.func.id if isinstance(node.func, ast.Name) else ""
    start = {"after": 1, "working_hours": 1, "working_days": 1, "next_opening": 0, "end_of_day": 0}.get(name)
    origin = arg(start) if start is not None else None
    words: dict[str, Callable[[], str]] = {
        "working_days": lambda: say("%(n)s 个工作日", n=arg(0)),
        "working_hours": lambda: say("%(n)s 个工作小时", n=arg(0)),
        "after": lambda: _duration(arg(0) or "") if (arg(0) or "").upper().startswith("P") else arg(0) or "",
        "next_opening": lambda: say("下一个工作时段开始时"),
        "end_of_day": lambda: say("当日内"),
        "at": lambda: say("按%(field)s", field=arg(0)),
    }
    text = words.get(name, lambda: name)()
    return say("自%(origin)s起 %(span)s", span=text, origin=origin) if origin else text
