"""The deployed versions, cached in-process. A version never changes after deployment, so what an operation needs
from it (the typed manifest, the preplan key, the parsed spec) is read and built once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.preplans.manifest import Manifest
from engine.preplans.spec import ParsedSpec, spec_from_dict
from engine.store.models import Preplan, PreplanVersion
from engine.store.records import newest_active_version


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    preplan_key: str
    manifest: Manifest


class VersionCache:
    """Thread-safe; several threads of one web process share it."""

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
            found = VersionInfo(version_id, number, key, Manifest.from_stored(manifest))
            with self._lock:
                found = self._info.setdefault(version_id, found)
        return found

    def spec(self, session: Session, version_id: int, process: str | None = None) -> ParsedSpec:
        """The version's complaint process, or (``process``) one of its duties'."""
        parsed = self._specs.get(version_id)
        if parsed is None:
            parsed = spec_from_dict(self.stored_spec(session, version_id))
            with self._lock:
                parsed = self._specs.setdefault(version_id, parsed)
        return parsed.process(process)

    def newest(self, session: Session, key: str, *, active: bool = True) -> VersionInfo:
        """The version new cases of ``key`` use (``active=False``: the newest whatever its status)."""
        return self.info(session, newest_active_version(session, key, active=active).id)

    @staticmethod
    def stored_spec(session: Session, version_id: int, process: str | None = None) -> dict[str, Any]:
        spec: dict[str, Any] = session.execute(
            select(PreplanVersion.spec).where(PreplanVersion.id == version_id)
        ).scalar_one()
        return spec if process is None else dict(spec["duties"][process])
