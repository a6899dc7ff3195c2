"""Changing the organisation: add and edit units, and import an org chart from CSV (organisations keep them in
spreadsheets). Every change is audited; an import is all or nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine import clock, inputs
from engine.errors import Conflict, NotFound, ValidationFailed, say
from engine.people.org import Org
from engine.store import audit
from engine.store.models import ROOT_UNIT, Unit
from engine.store.records import SETUP_REVISION, raise_revision

#: Unit keys appear in URLs, CSV files and routing: letters, digits and ``_ . -``.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: A unit added without a kind.
DEFAULT_KIND = "unit"
#: The columns of an org chart (extra columns are ignored, so a wider spreadsheet can be exported as is).
CSV_COLUMNS = ("key", "name", "parent", "kind")
#: Largest org chart accepted at once.
MAX_CSV_BYTES = 2 * 1024 * 1024


def unit_key(value: str, field: str = "key") -> str:
    value = (value or "").strip()
    if not _KEY.fullmatch(value):
        raise ValidationFailed(
            say("unit key %(value)r is not valid: use letters, digits, '_', '.' or '-' (at most 80)", value=value[:80]),
            {field: "is not a valid unit key"},
        )
    return value


def unit_kind(value: str | None) -> str:
    value = (value or "").strip() or DEFAULT_KIND
    if not _KIND.fullmatch(value):
        raise ValidationFailed(
            say("unit kind %(value)r is not valid: use lower-case letters, digits and '_'", value=value[:40]),
            {"kind": "is not a valid kind"},
        )
    return value


def add_unit(
    session: Session, key: str, name: str, *, parent: str | None = None, kind: str | None = None, actor: str
) -> Unit:
    key = unit_key(key)
    if session.get(Unit, key) is not None:
        raise Conflict(say("unit %(unit)s already exists", unit=key))
    parent = _existing(session, parent or ROOT_UNIT, "parent")
    unit = Unit(
        key=key,
        name=inputs.note(name, "name", say("the unit's name"), limit=200),
        parent_key=parent,
        kind=unit_kind(kind),
        created_at=clock.now(),
    )
    session.add(unit)
    raise_revision(session, SETUP_REVISION, actor)
    audit.record(session, None, actor, "unit_added", unit=key, name=unit.name, parent=parent, unit_kind=unit.kind)
    return unit


def update_unit(
    session: Session,
    key: str,
    *,
    name: str | None = None,
    parent: str | None = None,
    kind: str | None = None,
    actor: str,
) -> Unit:
    """Rename, re-kind or move a unit (under a parent that is not itself or below it). Cases and roles stay."""
    unit = session.get(Unit, key)
    if unit is None:
        raise NotFound(say("no unit %(unit)s", unit=str(key)[:80]))
    changes: dict[str, str | None] = {}
    if name is not None:
        unit.name = changes["name"] = inputs.note(name, "name", say("the unit's name"), limit=200)
    if kind is not None:
        unit.kind = changes["unit_kind"] = unit_kind(kind)
    if parent is not None and parent != unit.parent_key:
        if unit.key == ROOT_UNIT:
            raise ValidationFailed(say("the root unit has no parent"), {"parent": "must be empty for the root"})
        parent = _existing(session, parent, "parent")
        if Org.load(session).is_within(parent, unit.key):
            raise ValidationFailed(
                say("unit %(unit)s cannot move under %(parent)s, which lies within it", unit=unit.key, parent=parent),
                {"parent": "lies within the unit"},
            )
        unit.parent_key = changes["parent"] = parent
    if changes:
        raise_revision(session, SETUP_REVISION, actor)
        audit.record(session, None, actor, "unit_changed", unit=unit.key, **changes)
    return unit


def _existing(session: Session, key: str, field: str) -> str:
    if session.get(Unit, key) is None:
        raise NotFound(say("no unit %(unit)s", unit=str(key)[:80]))
    return key


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    changed: list[str]
    unchanged: int

    def as_json(self) -> dict[str, object]:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged}


def decode_chart(raw: bytes) -> str:
    """An org chart file as text: UTF-8 (with or without Excel's byte-order mark) or GB 18030, which Excel on a
    Chinese Windows writes when it saves CSV."""
    if len(raw) > MAX_CSV_BYTES:
        raise ValidationFailed(
            say("the org chart is larger than %(size)s MB", size=MAX_CSV_BYTES // 1024 // 1024), {"file": "too large"}
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(say("the org chart is not valid text"), {"file": "neither UTF-8 nor GB 18030"})


def import_units(session: Session, text: str, *, actor: str) -> ImportResult:
    """Add or update the units of a CSV org chart (``key,name,parent,kind``; parents may come later in the file; an
    empty parent means the root). Every row is checked first; one bad row and nothing is written, and the refusal
    lists every bad row by its line."""
    rows = _read_chart(text)
    known = Org.load(session)
    problems: dict[str, str] = {}
    wanted: dict[str, tuple[str, str, str]] = {}
    for line, row in rows:
        try:
            key = unit_key(row.get("key") or "")
            name = inputs.note(row.get("name"), "name", say("the unit's name"), limit=200)
            parent = (row.get("parent") or "").strip() or (None if key == ROOT_UNIT else ROOT_UNIT)
            kind = unit_kind(row.get("kind"))
        except ValidationFailed as exc:
            problems[f"line {line}"] = str(exc)
            continue
        if key in wanted:
            problems[f"line {line}"] = f"unit {key} appears twice"
        wanted[key] = (name, parent or "", kind)
    for line, row in rows:
        key = (row.get("key") or "").strip()
        if key not in wanted or f"line {line}" in problems:
            continue
        parent = wanted[key][1]
        if parent and parent not in wanted and parent not in known:
            problems[f"line {line}"] = f"parent {parent} is neither in the file nor an existing unit"
    if not problems:
        cycle = _cycle(wanted, known)
        if cycle:
            problems["file"] = "the parents form a loop: " + " → ".join(cycle)
    if problems:
        raise ValidationFailed(say("the org chart has errors; nothing was imported"), problems)
    return _apply(session, wanted, known, actor)


def _read_chart(text: str) -> list[tuple[int, dict[str, str]]]:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CSV_BYTES:
        raise ValidationFailed(
            say("the org chart is larger than %(size)s MB", size=MAX_CSV_BYTES // 1024 // 1024), {"file": "too large"}
        )
    problem = inputs.text_problem(text)
    if problem:
        raise ValidationFailed(say("the org chart is not valid text"), {"file": problem})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a byte-order mark
    missing = [c for c in ("key", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            say("the org chart needs the columns key,name,parent,kind (first line)"),
            {"file": "missing columns: " + ", ".join(missing)},
        )
    return [(reader.line_num, {k: (v or "") for k, v in row.items() if k}) for row in reader if any(row.values())]


def _cycle(wanted: dict[str, tuple[str, str, str]], known: Org) -> list[str]:
    def parent_of(key: str) -> str | None:
        if key in wanted:
            return wanted[key][1] or None
        info = known.units.get(key)
        return info.parent if info else None

    for start in wanted:
        seen: list[str] = []
        current: str | None = start
        while current is not None:
            if current in seen:
                return [*seen[seen.index(current) :], current]
            seen.append(current)
            current = parent_of(current)
    return []


def _apply(session: Session, wanted: dict[str, tuple[str, str, str]], known: Org, actor: str) -> ImportResult:
    added, changed, unchanged = [], [], 0
    pending = dict(wanted)
    while pending:  # parents first: the loop check above guarantees progress
        ready = [k for k, (_, parent, _) in pending.items() if not parent or parent not in pending]
        for key in ready:
            name, parent, kind = pending.pop(key)
            unit = session.get(Unit, key)
            if unit is None:
                session.add(Unit(key=key, name=name, parent_key=parent or None, kind=kind, created_at=clock.now()))
                session.flush()
                added.append(key)
            elif (unit.name, unit.parent_key or "", unit.kind) != (name, parent, kind):
                unit.name, unit.parent_key, unit.kind = name, parent or None, kind
                session.flush()
                changed.append(key)
            else:
                unchanged += 1
    if added or changed:
        raise_revision(session, SETUP_REVISION, actor)
        audit.record(session, None, actor, "units_imported", added=added, changed=changed)
    return ImportResult(added, changed, unchanged)
