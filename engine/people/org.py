"""The organisation as a tree of units, read once per operation: what is above a unit, what lies below it, and the
nearest unit of a kind (a station's branch, a project's company). Access rules and lane routing ask it; nothing here
writes (:mod:`engine.people.units` does).

Read whole because it is small (an organisation of a thousand sites is a thousand short rows) and every question
about it walks the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import ROOT_UNIT, Unit


@dataclass(frozen=True)
class UnitInfo:
    key: str
    name: str
    parent: str | None
    kind: str

    def as_json(self) -> dict[str, str | None]:
        return {"key": self.key, "name": self.name, "parent": self.parent, "kind": self.kind}


class Org:
    def __init__(self, units: Mapping[str, UnitInfo]) -> None:
        self.units = dict(units)
        self._children: dict[str, list[str]] = {}
        for info in sorted(self.units.values(), key=lambda u: u.name):
            if info.parent is not None:
                self._children.setdefault(info.parent, []).append(info.key)

    @classmethod
    def load(cls, session: Session) -> Org:
        rows = session.execute(select(Unit.key, Unit.name, Unit.parent_key, Unit.kind))
        return cls({key: UnitInfo(key, name, parent, kind) for key, name, parent, kind in rows})

    def __contains__(self, key: object) -> bool:
        return key in self.units

    def name(self, key: str) -> str:
        info = self.units.get(key)
        return info.name if info else key

    def above(self, key: str) -> Iterator[str]:
        """The unit itself, its parent, … up to the root (a unit that no longer exists is its own chain)."""
        seen: set[str] = set()
        current: str | None = key
        while current is not None and current not in seen:
            seen.add(current)
            yield current
            info = self.units.get(current)
            current = info.parent if info else None

    def path(self, key: str) -> str:
        """``黄山分公司 / 屯溪路加油站``: the unit's name under its ancestors (the root left out)."""
        names = [self.name(k) for k in self.above(key) if k != ROOT_UNIT or k == key]
        return " / ".join(reversed(names))

    def below(self, keys: Iterable[str]) -> set[str]:
        """The units and every unit under them."""
        found: set[str] = set()
        pending = [k for k in keys if k in self.units]
        while pending:
            key = pending.pop()
            if key not in found:
                found.add(key)
                pending.extend(self._children.get(key, ()))
        return found

    def is_within(self, key: str, ancestor: str) -> bool:
        """Whether ``key`` is ``ancestor`` or lies under it."""
        return ancestor in self.above(key)

    def nearest(self, key: str, kind: str) -> str:
        """The nearest unit of ``kind`` at or above ``key``; the top of its chain (the root) when there is none, so a
        task is never routed nowhere."""
        top = key
        for current in self.above(key):
            info = self.units.get(current)
            if info is not None and info.kind == kind:
                return current
            top = current
        return top

    def children(self, key: str) -> list[str]:
        return list(self._children.get(key, ()))

    def ordered(self) -> list[tuple[int, UnitInfo]]:
        """Every unit with its depth, parents before children, siblings by name (the order of a tree view)."""
        rows: list[tuple[int, UnitInfo]] = []
        tops = sorted((u for u in self.units.values() if u.parent not in self.units), key=lambda u: u.name)
        stack = [(0, u.key) for u in reversed(tops)]
        seen: set[str] = set()
        while stack:
            depth, key = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            rows.append((depth, self.units[key]))
            stack.extend((depth + 1, child) for child in reversed(self._children.get(key, ())))
        return rows
