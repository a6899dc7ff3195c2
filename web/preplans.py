"""The preplan catalogue (/preplans): every preplan with its source, roles, deadlines and diagram, so a process
owner can pick a template to adapt; and one preplan in words (what it is for, its steps, who does them and by
when) with its versions. The developers' clause-by-clause notes stay in the preplan's README in the repository."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import NotFound
from engine.people.access import may_edit_preplan
from engine.people.users import role_titles
from engine.preplans.deadline_words import describe
from engine.preplans.duties import diagram_of, duty_processes
from engine.preplans.history import find_version
from engine.preplans.listing import oldest_running_version, preplan_catalogue, preplan_versions
from engine.preplans.manifest import Manifest
from engine.preplans.outline import steps
from engine.store.records import newest_active_version

from . import schema_form
from .auth import engine, person
from .feedback import attempt
from .i18n import current_language, localize

bp = Blueprint("preplans", __name__)


def _deadlines(items: Iterable[Mapping[str, Any]], manifest: Manifest) -> list[dict[str, Any]]:
    labels = {name: title for name, (title, _values) in schema_form.labels(manifest, current_language()).items()}
    return [{**item, "words": localize(describe(item["expression"], item["kind"], labels))} for item in items]


@bp.get("/preplans")
@login_required
def index() -> ResponseReturnValue:
    with engine().db.read() as session:
        plans = preplan_catalogue(session, engine().versions)
        manifests = {p["key"]: engine().versions.newest(session, p["key"]).manifest for p in plans}
    for plan in plans:
        plan["deadlines"] = _deadlines(plan["deadlines"], manifests[plan["key"]])
    return render_template("preplans/index.html", preplans=plans)


@bp.get("/preplans/<key>")
@login_required
def show(key: str) -> ResponseReturnValue:
    with engine().db.read() as session:
        try:
            version = newest_active_version(session, key, active=False)
        except NotFound:
            abort(404)
        manifest, files = engine().versions.info(session, version.id).manifest, version.files
        versions = preplan_versions(session, key, engine().tz)
        oldest = oldest_running_version(session, key)
        roles = role_titles(session)
        may_edit = may_edit_preplan(session, person(session), key)
    outline = steps(files, manifest)
    for step in outline:
        step["deadlines"] = _deadlines(step["deadlines"], manifest)
    return render_template(
        "preplans/show.html",
        key=key,
        manifest=manifest,
        version=version.number,
        versions=versions,
        oldest_running=oldest,
        roles=roles,
        steps=outline,
        may_edit=may_edit,
        deadlines=_deadlines([d for d in manifest.deadlines if not d.get("attached_to")], manifest),
    )


@bp.get("/preplans/<key>/compare")
@login_required
def compare_versions(key: str) -> ResponseReturnValue:
    """Two versions side by side: both diagrams with what was added, removed and changed marked, the changes in
    words grouped by where they are, and the raw file diff for developers. Without ``old``/``new``: the newest
    version against the one before it."""
    with engine().db.read() as session:
        versions = preplan_versions(session, key, engine().tz)
    if not versions:
        abort(404)
    numbers = [v["number"] for v in versions]
    newest = max(numbers)
    old = request.args.get("old", type=int, default=max(newest - 1, min(numbers)))
    new = request.args.get("new", type=int, default=newest)
    if old not in numbers or new not in numbers:
        abort(404)
    compared = engine().version_changes(key, old, new)
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
    for change in compared["changes"]:
        groups[change["group"]].append({**change, "text": localize(change["text"])})
    marks = {kind: [c["element"] for c in groups["diagram"] if c["kind"] == kind] for kind in ("added", "removed")}
    marks["changed"] = sorted({c["element"] for c in groups["diagram"] if c["kind"] == "changed"})
    return render_template(
        "preplans/compare.html",
        key=key,
        old=old,
        new=new,
        versions=numbers,
        groups=groups,
        marks=marks,
        layout_only=compared["layout_only"],
        files=compared["files"],
    )


GROUPS = ("diagram", "decisions", "forms", "settings")


@bp.get("/preplans/<key>/versions/<id:number>.zip")
@login_required
def version_zip(key: str, number: int) -> ResponseReturnValue:
    """The version as a zip that ``preplan deploy`` accepts (whoever may read the preplan's page)."""
    try:
        data = engine().export_version(key, number)
    except NotFound:
        abort(404)
    return send_file(io.BytesIO(data), "application/zip", as_attachment=True, download_name=f"{key}-v{number}.zip")


@bp.get("/preplans/<key>/versions/<id:number>/diagram.bpmn")
@login_required
def version_diagram(key: str, number: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        try:
            version = find_version(session, key, number)
        except NotFound:
            abort(404)
        return _diagram_response(version.files, version.manifest)


@bp.post("/preplans/<key>/versions/<id:number>")
@login_required
def set_version_status(key: str, number: int) -> ResponseReturnValue:
    status = "retired" if request.form.get("status") == "retired" else "active"

    attempt(
        lambda: engine().set_version_status(key, number, status, user=current_user.name),
        _("v%(n)s is now retired: it starts no new case; running cases carry on.", n=number)
        if status == "retired"
        else _("v%(n)s is active again.", n=number),
    )
    return redirect(url_for("preplans.show", key=key) + "#versions-h")


@bp.get("/preplans/<key>/diagram.bpmn")
@login_required
def diagram(key: str) -> ResponseReturnValue:
    with engine().db.read() as session:
        try:
            version = newest_active_version(session, key, active=False)
        except NotFound:
            abort(404)
        return _diagram_response(version.files, version.manifest)


def _diagram_response(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Response:
    """The preplan's own diagram, not one of its duties'."""
    name = diagram_of(files, duty_processes(manifest))
    if name is None:
        abort(404)
    return Response(files[name], mimetype="application/xml")
