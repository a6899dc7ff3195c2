"""Changes of the forms: fields added and removed, and per field what a person filling it in notices (title, type,
choices, required, limits, help text, format, default); JSON key order and whitespace mean nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import say
from engine.preplans.changes.entry import change, json_object, shown
from engine.preplans.package import FORMS_PREFIX

_FIELD_ASPECTS = (
    "title",
    "type",
    "format",
    "description",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
)
_FIELD_NOUNS = {
    "title": lambda: say("标题"),
    "type": lambda: say("类型"),
    "format": lambda: say("格式"),
    "description": lambda: say("说明"),
    "default": lambda: say("默认值"),
    "minimum": lambda: say("最小值"),
    "maximum": lambda: say("最大值"),
    "minLength": lambda: say("最短长度"),
    "maxLength": lambda: say("最长长度"),
    "minItems": lambda: say("最少项数"),
    "maxItems": lambda: say("最多项数"),
    "pattern": lambda: say("格式要求"),
    "choices": lambda: say("选项"),
}


def _choices(spec: dict[str, Any]) -> list[str] | None:
    if isinstance(spec.get("oneOf"), list):
        return [f"{o.get('title', o.get('const'))}" for o in spec["oneOf"] if isinstance(o, dict)]
    items: dict[str, Any] = spec["items"] if isinstance(spec.get("items"), dict) else {}
    for source in (spec, items):
        if isinstance(source.get("enum"), list):
            return [shown(v) for v in source["enum"]]
        if isinstance(source.get("oneOf"), list):
            return [f"{o.get('title', o.get('const'))}" for o in source["oneOf"] if isinstance(o, dict)]
    return None


def form_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[dict[str, Any]]:
    changes = []
    names = sorted(n for n in set(old) | set(new) if n.startswith(FORMS_PREFIX) and n.endswith(".json"))
    for file in names:
        a, b = old.get(file), new.get(file)
        if a == b:
            continue
        short = file[len(FORMS_PREFIX) :]
        schema_a, schema_b = json_object(a or b"{}"), json_object(b or b"{}")
        title = str(schema_b.get("title") or schema_a.get("title") or short)
        if not file.endswith(".schema.json"):
            if schema_a != schema_b:
                text = say("表单「%(form)s」的显示方式已修改", form=short)
                changes.append(change("forms", short, "changed", "display", None, None, text))
            continue
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            text = say("新增表单「%(form)s」", form=title) if a is None else say("删除表单「%(form)s」", form=title)
            changes.append(
                change("forms", short, kind, "form", None if a is None else title, title if a is None else None, text)
            )
            continue
        changes += _field_changes(short, title, schema_a, schema_b)
    return changes


def _field_changes(short: str, form: str, a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    fields_a, fields_b = a.get("properties") or {}, b.get("properties") or {}
    required_a, required_b = set(a.get("required") or []), set(b.get("required") or [])
    for field in [*fields_a, *(f for f in fields_b if f not in fields_a)]:
        x, y = fields_a.get(field), fields_b.get(field)
        element = f"{short}#{field}"
        label = str((y or x or {}).get("title") or field)
        if x is None:
            text = (
                say("表单「%(form)s」新增字段「%(field)s」（必填）", form=form, field=label)
                if field in required_b
                else say("表单「%(form)s」新增字段「%(field)s」", form=form, field=label)
            )
            changes.append(change("forms", element, "added", "field", None, _field_view(y, field in required_b), text))
            continue
        if y is None:
            text = say("表单「%(form)s」删除字段「%(field)s」", form=form, field=label)
            changes.append(
                change("forms", element, "removed", "field", _field_view(x, field in required_a), None, text)
            )
            continue
        if (field in required_a) != (field in required_b):
            text = (
                say("表单「%(form)s」的字段「%(field)s」改为必填", form=form, field=label)
                if field in required_b
                else say("表单「%(form)s」的字段「%(field)s」改为选填", form=form, field=label)
            )
            changes.append(
                change("forms", element, "changed", "required", field in required_a, field in required_b, text)
            )
        aspects = [(what, x.get(what), y.get(what)) for what in _FIELD_ASPECTS]
        aspects.append(("choices", _choices(x), _choices(y)))
        for what, before, after in aspects:
            if before == after:
                continue
            text = say(
                "表单「%(form)s」的字段「%(field)s」的%(part)s由 %(before)s 改为 %(after)s",
                form=form,
                field=label,
                part=_FIELD_NOUNS[what](),
                before=shown("、".join(before) if what == "choices" and before else before),
                after=shown("、".join(after) if what == "choices" and after else after),
            )
            changes.append(change("forms", element, "changed", what, before, after, text))
        known = {*_FIELD_ASPECTS, "enum", "oneOf", "items"}
        rest_x = {k: v for k, v in x.items() if k not in known}
        rest_y = {k: v for k, v in y.items() if k not in known}
        if rest_x != rest_y or _items_rest(x) != _items_rest(y):
            text = say("表单「%(form)s」的字段「%(field)s」的其他设置已修改", form=form, field=label)
            changes.append(change("forms", element, "changed", "other", None, None, text))
    rest_a = {k: v for k, v in a.items() if k not in ("properties", "required")}
    rest_b = {k: v for k, v in b.items() if k not in ("properties", "required")}
    if rest_a != rest_b:
        text = say("表单「%(form)s」的其他设置已修改", form=form)
        changes.append(change("forms", short, "changed", "other", None, None, text))
    return changes


def _items_rest(spec: dict[str, Any]) -> dict[str, Any]:
    items: dict[str, Any] = spec["items"] if isinstance(spec.get("items"), dict) else {}
    return {k: v for k, v in items.items() if k not in ("enum", "oneOf")}


def _field_view(spec: dict[str, Any] | None, required: bool) -> dict[str, Any]:
    spec = spec or {}
    return {"title": spec.get("title"), "type": spec.get("type"), "required": required}
