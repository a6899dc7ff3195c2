"""In-process cache of deployed versions. A version never changes after deployment, so what an operation needs
from it (the manifest, the preplan key, the parsed spec) is read from the database once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.preplans.spec import ParsedSpec, spec_from_dict
from engine.store.models import Preplan, PreplanVersion


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    preplan_key: str
    manifest: dict[str, Any]


class VersionCache:
    def __init__(self) -> None:
        self._info: dict[int, VersionInfo] = {}
        self._specs: dict[int, ParsedSpec] = {}
        self._lock = threading.Lock()

    def info(self, session: Session, version_id: int) -> VersionInfo:
        found = self._info.get(version_id)
        if found is None:
            number, key, manifest = session.execute(
                select(PreplanVersion.number, Preplan.key, PreplanVersion.manifest)
                .join(Preplan)
                .where(PreplanVersion.id == version_id)
            ).one()
            found = VersionInfo(version_id, number, key, manifest)
            with self._lock:
                found = self._info.setdefault(version_id, found)
        return found

    def spec(self, session: Session, version_id: int) -> ParsedSpec:
        parsed = self._specs.get(version_id)
        if parsed is None:
            parsed = spec_from_dict(self.stored_spec(session, version_id))
            with self._lock:
                parsed = self._specs.setdefault(version_id, parsed)
        return parsed

    @staticmethod
    def stored_spec(session: Session, version_id: int) -> dict[str, Any]:
        return session.scalar(select(PreplanVersion.spec).where(PreplanVersion.id == version_id))
