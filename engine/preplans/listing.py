"""The deployed preplans as lists people and programs read: the preplans that can start cases, the catalogue a
process owner compares templates by, and a preplan's versions."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.people.users import role_titles
from engine.preplans.catalog import VersionCache
from engine.store.models import Case, Preplan, PreplanVersion
from engine.timefmt import iso


def list_preplans(session: Session, versions: VersionCache) -> list[dict[str, Any]]:
    """Every preplan with an active version: ``{"key", "title", "version", "start_form"}`` (the start form as its
    JSON Schema), of the newest active version."""
    rows = session.execute(
        select(Preplan.key, PreplanVersion.id)
        .join(PreplanVersion)
        .where(PreplanVersion.status == "active")
        .order_by(Preplan.key, PreplanVersion.number.desc())
    )
    newest: dict[str, dict[str, Any]] = {}
    for key, version_id in rows:
        if key in newest:
            continue
        info = versions.info(session, version_id)
        newest[key] = {
            "key": key,
            "title": dict(info.manifest.title),
            "version": info.number,
            "start_form": info.manifest.start_schema,
        }
    return list(newest.values())


def preplan_catalogue(session: Session, versions: VersionCache) -> list[dict[str, Any]]:
    """Every deployed preplan (newest active version) with what a process owner compares templates by."""
    roles = role_titles(session)
    result = []
    for item in list_preplans(session, versions):
        manifest = versions.newest(session, item["key"]).manifest
        result.append(
            {
                "key": item["key"],
                "title": item["title"],
                "version": item["version"],
                "category": manifest.category,
                "source": dict(manifest.source),
                "about": dict(manifest.about) if manifest.about else None,
                "roles": [{"key": key, **roles.get(key, {"zh": key, "en": key})} for key in manifest.roles],
                "deadlines": list(manifest.deadlines),
                "steps": len(manifest.task_forms),
            }
        )
    return result


def preplan_versions(session: Session, key: str, tz: tzinfo) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PreplanVersion)
        .join(Preplan)
        .where(Preplan.key == key, PreplanVersion.number > 0)  # a trial's hidden version is no version of it
        .order_by(PreplanVersion.number.desc())
    )
    return [
        {
            "number": v.number,
            "status": v.status,
            "deployed_at": iso(v.deployed_at, tz),
            "deployed_by": v.deployed_by,
            "note": v.note,
            "sha256": v.sha256,
        }
        for v in rows
    ]


def oldest_running_version(session: Session, key: str) -> int | None:
    """The oldest version a running case of ``key`` is on (None when none runs): newer ones may take it over."""
    return session.scalar(
        select(func.min(PreplanVersion.number))
        .join(Preplan)
        .join(Case, Case.version_id == PreplanVersion.id)
        .where(Preplan.key == key, Case.status == "running")
    )
