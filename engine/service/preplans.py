"""Preplan operations (admins): deploy a preplan folder as a new version, retire or reactivate a version."""

from __future__ import annotations

from typing import Any

from engine.people import access
from engine.preplans import deploy as deployment
from engine.preplans import history
from engine.preplans.package import PreplanPackage
from engine.service.base import OPERATOR, ServiceBase


class PreplanOperations(ServiceBase):
    def deploy(self, package: PreplanPackage, *, note: str | None = None, user: str | None = None) -> dict[str, Any]:
        """Check and store a new version when the files changed: ``{"preplan", "version", "changed"}``."""
        with self.db.read() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
        return deployment.deploy(self.db, package, actor=actor, note=note)

    def set_version_status(self, key: str, number: int, status: str, *, user: str | None = None) -> dict[str, Any]:
        """``retired``: the version starts no new case (running ones carry on); ``active``: it does again."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return history.set_status(session, key, number, status, actor)
