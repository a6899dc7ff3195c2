"""The preplan catalogue (/preplans): every preplan with its source, roles, deadlines and diagram, so a process
owner can pick a template to adapt; and one preplan in words (what it is for, its steps, who does them and by
when) with its versions. The developers' clause-by-clause notes stay in the preplan's README in the repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import NotFound
from engine.people.users import role_titles
from engine.preplans.duties import diagram_of, duty_processes
from engine.preplans.history import compare
from engine.preplans.listing import preplan_catalogue, preplan_versions
from engine.preplans.manifest import Manifest
from engine.preplans.outline import steps
from engine.store.records import newest_active_version

from . import schema_form
from .auth import engine
from .deadlines import describe
from .feedback import attempt
from .i18n import current_language

bp = Blueprint("preplans", __name__)


def _deadlines(items: Iterable[Mapping[str, Any]], manifest: Manifest) -> list[dict[str, Any]]:
    labels = {name: title for name, (title, _values) in schema_form.labels(manifest, current_language()).items()}
    return [{**item, "words": describe(item["expression"], item["kind"], labels)} for item in items]


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
        roles = role_titles(session)
    outline = steps(files, manifest)
    for step in outline:
        step["deadlines"] = _deadlines(step["deadlines"], manifest)
    return render_template(
        "preplans/show.html",
        key=key,
        manifest=manifest,
        version=version.number,
        versions=versions,
        roles=roles,
        steps=outline,
        deadlines=_deadlines([d for d in manifest.deadlines if not d.get("attached_to")], manifest),
    )


@bp.get("/preplans/<key>/compare")
@login_required
def compare_versions(key: str) -> ResponseReturnValue:
    old, new = request.args.get("old", type=int), request.args.get("new", type=int)
    if old is None or new is None:
        abort(404)
    with engine().db.read() as session:
        try:
            changes = compare(session, key, old, new)
        except NotFound:
            abort(404)
    return render_template("preplans/compare.html", key=key, old=old, new=new, changes=changes)


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
        files = version.files
        name = diagram_of(files, duty_processes(version.manifest))
    return Response(files[name or ""], mimetype="application/xml")
