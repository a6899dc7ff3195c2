"""``preplan deploy``: store a new immutable version when a preplan's behaviour changed.

Files that differ only in layout (engine/preplans/changes) store nothing: the answer says ``layout_only``.

The spec is parsed (and checked) once here and stored serialized; cases restore against it without parsing.
Older versions, and the cases running on them, are never touched.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import InvalidPreplan
from engine.people.users import ensure_builtins
from engine.preplans.changes import compare_packages
from engine.preplans.check import CheckResult, check_package
from engine.preplans.package import PreplanPackage
from engine.preplans.routing import CASE
from engine.preplans.spec import ParsedSpec, spec_to_dict
from engine.store import audit
from engine.store.db import Database
from engine.store.models import Preplan, PreplanVersion, Role, VersionRole


def deploy(db: Database, package: PreplanPackage, *, actor: str = "cli", note: str | None = None) -> dict[str, Any]:
    result = check_package(package)
    if not result.ok or result.parsed is None:
        raise InvalidPreplan(result.problems)
    parsed = result.parsed
    with db.write() as session:
        preplan = session.scalar(select(Preplan).where(Preplan.key == package.key).with_for_update())
        now = clock.now()
        title = package.manifest["title"]
        if preplan is None:
            preplan = Preplan(
                key=package.key,
                title_zh=title["zh"],
                title_en=title["en"],
                category=package.manifest.get("category"),
                created_at=now,
            )
            session.add(preplan)
            session.flush()
        latest = session.scalar(
            select(PreplanVersion)
            .where(PreplanVersion.preplan_id == preplan.id)
            .order_by(PreplanVersion.number.desc())
            .limit(1)
        )
        sha256 = package.sha256
        if latest is not None and latest.sha256 == sha256:
            return {"preplan": package.key, "version": latest.number, "changed": False}
        if latest is not None and compare_packages(latest.files, package.files)["layout_only"]:
            # shapes moved, the modeller's own writing: the same behaviour is no new version, and the newest one
            # stays as it was deployed (a version is never changed)
            return {"preplan": package.key, "version": latest.number, "changed": False, "layout_only": True}
        preplan.title_zh, preplan.title_en = title["zh"], title["en"]
        preplan.category = package.manifest.get("category")
        _upsert_roles(session, package.manifest.get("roles", {}))
        version = PreplanVersion(
            preplan_id=preplan.id,
            number=(latest.number + 1) if latest else 1,
            sha256=sha256,
            files={name: data.decode("utf-8") for name, data in package.files.items()},
            manifest=runtime_manifest(package, result, parsed),
            spec=spec_to_dict(parsed),
            status="active",
            deployed_by=actor,
            deployed_at=now,
            note=note,
        )
        session.add(version)
        session.flush()
        session.add_all(VersionRole(version_id=version.id, role_key=role) for role in package.manifest["roles"])
        audit.record(
            session, None, actor, "deployed", preplan=package.key, version=version.number, sha256=sha256, note=note
        )
        return {"preplan": package.key, "version": version.number, "changed": True}


def runtime_manifest(package: PreplanPackage, result: CheckResult, parsed: ParsedSpec) -> dict[str, Any]:
    """preplan.toml plus what the runtime needs without reparsing: lane roles, forms, who may start (stored with
    the version; :class:`engine.preplans.manifest.Manifest` reads it back typed)."""
    manifest = dict(package.manifest)
    starts = [spec.bpmn_id for spec in parsed.spec.start.outputs]
    declared = manifest.get("case", {}).get("starters")
    routing = manifest.get("routing", {})
    manifest.update(
        lane_roles=result.lane_roles,
        routes={node: routing[lane] for node, lane in result.lane_of.items() if routing.get(lane, CASE) != CASE},
        task_forms=result.task_forms,
        task_ui=result.task_ui,
        instructions=result.instructions,
        deadlines=result.deadlines,
        start_roles=sorted(declared or {result.lane_roles[s] for s in starts if s in result.lane_roles}),
        forms={name: json.loads(data) for name, data in package.forms.items()},
    )
    return manifest


def _upsert_roles(session: Session, roles: dict[str, dict[str, str]]) -> None:
    ensure_builtins(session)
    for key, titles in roles.items():
        role = session.get(Role, key)
        if role is None:
            session.add(Role(key=key, title_zh=titles["zh"], title_en=titles["en"]))
        else:
            role.title_zh, role.title_en = titles["zh"], titles["en"]
