"""What changed between two versions of a preplan, in words a process owner reads.

The files are compared by meaning, not by text. A diagram is read as its elements by id (steps, events, gateways,
flows, lanes, messages, signals, data objects), each in a canonical form: no diagram interchange (shapes, edges,
waypoints, label bounds), namespace prefixes resolved, attributes and sibling elements unordered, whitespace
around text dropped, defaults made explicit, empty ``extensionElements`` and a flow node's ``incoming`` /
``outgoing`` (the flows already say so) ignored, and the ids of an element's own parts (event definitions, loop
characteristics, data associations) forgotten. A modeller that moves shapes or writes the same diagram its own way
changes none of it: that is a change of layout only. Decision tables are compared rule by rule (rule N of each),
forms field by field, ``preplan.toml`` key by key, the README line by line.

Each change is ``{"element", "kind": added|removed|changed, "what", "before", "after", "text", "group"}``; the text
is a sentence (``say``, Chinese by default, translated by the adapters) and ``group`` says where the change is
(diagram, decisions, forms, settings).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from engine.errors import say
from engine.preplans.changes.decisions import decision_changes
from engine.preplans.changes.diagrams import diagram_changes
from engine.preplans.changes.entry import change, json_object, shown, toml_object
from engine.preplans.changes.forms import form_changes
from engine.preplans.package import FORMS_PREFIX, MANIFEST, README
from engine.preplans.safexml import XmlRejected, parse


def compare_packages(old_files: Mapping[str, str | bytes], new_files: Mapping[str, str | bytes]) -> dict[str, Any]:
    """``{"changes": [...], "layout_only": bool}``: layout only when the files differ and their meaning does not."""
    old, new = _as_bytes(old_files), _as_bytes(new_files)
    labels = _labels(new) | _labels(old)
    changes = [
        *diagram_changes(old, new, labels),
        *decision_changes(old, new),
        *form_changes(old, new),
        *_setting_changes(old, new),
        *_other_file_changes(old, new),
    ]
    return {"changes": changes, "layout_only": not changes and old != new}


def _as_bytes(files: Mapping[str, str | bytes]) -> dict[str, bytes]:
    return {name: data.encode("utf-8") if isinstance(data, str) else data for name, data in files.items()}


def _labels(files: Mapping[str, bytes]) -> dict[str, str]:
    """Case-data names to their titles (forms, then the manifest's ``[fields]``), for timers in words."""
    labels: dict[str, str] = {}
    for name, data in files.items():
        if name.startswith(FORMS_PREFIX) and name.endswith(".schema.json"):
            for field, spec in (json_object(data).get("properties") or {}).items():
                if isinstance(spec, dict) and isinstance(spec.get("title"), str):
                    labels[field] = spec["title"]
    fields = toml_object(files.get(MANIFEST, b"")).get("fields", {})
    for field, titles in fields.items() if isinstance(fields, dict) else []:
        if isinstance(titles, dict) and isinstance(titles.get("zh"), str):
            labels.setdefault(field, titles["zh"])
    return labels


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _setting_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[dict[str, Any]]:
    if old.get(MANIFEST) == new.get(MANIFEST):
        return []
    a, b = _flat(toml_object(old.get(MANIFEST, b""))), _flat(toml_object(new.get(MANIFEST, b"")))
    changes = []
    for key in [*a, *(k for k in b if k not in a)]:
        x, y = a.get(key), b.get(key)
        if key not in b:
            text = say("删除设置 %(key)s（原为 %(before)s）", key=key, before=shown(x))
            changes.append(change("settings", key, "removed", "setting", x, None, text))
        elif key not in a:
            text = say("新增设置 %(key)s = %(after)s", key=key, after=shown(y))
            changes.append(change("settings", key, "added", "setting", None, y, text))
        elif x != y:
            text = say("设置 %(key)s 由 %(before)s 改为 %(after)s", key=key, before=shown(x), after=shown(y))
            changes.append(change("settings", key, "changed", "setting", x, y, text))
    return changes


def _other_file_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """The README as a line diff; a diagram or table that cannot be read, as a changed file."""
    changes = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b or name == MANIFEST or name.startswith(FORMS_PREFIX):
            continue
        if name == README:
            lines_a, lines_b = (a or b"").decode("utf-8").splitlines(), (b or b"").decode("utf-8").splitlines()
            diff = [line for line in difflib.ndiff(lines_a, lines_b) if line[:1] in "-+"]
            removed = "\n".join(line[2:] for line in diff if line.startswith("-"))
            added = "\n".join(line[2:] for line in diff if line.startswith("+"))
            changes.append(
                change("settings", README, "changed", "readme", removed, added, say("说明文档 README.md 已修改"))
            )
        elif not _readable(a) or not _readable(b):
            kind = "added" if a is None else "removed" if b is None else "changed"
            changes.append(change("settings", name, kind, "file", None, None, say("文件 %(file)s 已修改", file=name)))
    return changes


def _readable(data: bytes | None) -> bool:
    if data is None:
        return True
    try:
        parse(data)
    except XmlRejected:
        return False
    return True
