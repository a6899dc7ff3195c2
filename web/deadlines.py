"""Deadlines in words, for the preplan catalogue: "4 小时", "1 个工作日（自 收到时间）", "每 7 天"."""

from __future__ import annotations

import ast

from flask_babel import gettext as _
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def _duration(text: str) -> str:
    parts = TimerEventDefinition.parse_iso_duration(text)
    words = {
        "years": lambda n: _("%(n)s years", n=n),
        "months": lambda n: _("%(n)s months", n=n),
        "weeks": lambda n: _("%(n)s weeks", n=n),
        "days": lambda n: _("%(n)s days", n=n),
        "hours": lambda n: _("%(n)s hours", n=n),
        "minutes": lambda n: _("%(n)s minutes", n=n),
        "seconds": lambda n: _("%(n)s seconds", n=n),
    }
    return " ".join(words[unit](_number(value)) for unit, value in parts.items() if unit in words)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def describe(expression: str, kind: str, labels: dict[str, str]) -> str:
    """``labels`` maps case-data names to their titles (for "from 收到时间")."""
    try:
        node = ast.parse(expression, mode="eval").body
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if kind == "timeCycle":
                cycles, _start, step = TimerEventDefinition.parse_iso_recurring_interval(node.value)
                every = _("every %(span)s", span=_duration(node.value.split("/")[-1]))
                return every if cycles < 0 else _("%(every)s, %(n)s times", every=every, n=cycles)
            return _duration(node.value) if kind == "timeDuration" else node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return _helper(node, labels)
    except Exception:  # a description is a courtesy: show the expression rather than fail the page
        pass
    return expression


def _helper(node: ast.Call, labels: dict[str, str]) -> str:
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
    text = {
        "working_days": lambda: _("%(n)s working days", n=arg(0)),
        "working_hours": lambda: _("%(n)s working hours", n=arg(0)),
        "after": lambda: _duration(arg(0) or "") if (arg(0) or "").upper().startswith("P") else arg(0) or "",
        "next_opening": lambda: _("the next working period"),
        "end_of_day": lambda: _("the same day"),
        "at": lambda: _("at %(field)s", field=arg(0)),
    }.get(name, lambda: name)()
    return _("%(span)s from %(origin)s", span=text, origin=origin) if origin else text
