"""Preplan operations (admins): deploy a preplan folder as a new version, retire or reactivate a version; and the
reads of versions every signed-in person may make (what changed between two, a version as a zip)."""

from __future__ import annotations

from typing import Any

from engine.people import access
from engine.preplans import deploy as deployment
from engine.preplans import history
from engine.preplans.archive import write_zip
from engine.preplans.changes import compare_packages
from engine.preplans.package import PreplanPackage
from engine.service.base import OPERATOR, ServiceBase


class PreplanOperations(ServiceBase):
    def deploy(self, package: PreplanPackage, *, note: str | None = None, user: str | None = None) -> dict[str, Any]:
        """Check and store a new version when the behaviour changed: ``{"preplan", "version", "changed"}``, and
        ``"layout_only": true`` when only the layout did (nothing is stored)."""
        with self.db.read() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
        return deployment.deploy(self.db, package, actor=actor, note=note)

    def set_version_status(self, key: str, number: int, status: str, *, user: str | None = None) -> dict[str, Any]:
        """``retired``: the version starts no new case (running ones carry on); ``active``: it does again."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return history.set_status(session, key, number, status, actor)

    def version_changes(self, key: str, old: int, new: int) -> dict[str, Any]:
        """What changed from version ``old`` to ``new``: ``{"changes", "layout_only"}`` in words
        (engine/preplans/changes) and ``"files"``, the unified diff per file for developers."""
        with self.db.read() as session:
            before, after = history.version_files(session, key, old), history.version_files(session, key, new)
            files = history.compare(session, key, old, new)
        return {**compare_packages(before, after), "files": files}

    def export_version(self, key: str, number: int) -> bytes:
        """A version as a zip that ``preplan deploy`` accepts (engine/preplans/archive)."""
        with self.db.read() as session:
            files = history.version_files(session, key, number)
        return write_zip(key, {name: text.encode("utf-8") for name, text in files.items()})
