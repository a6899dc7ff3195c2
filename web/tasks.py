"""My work (/tasks) and a task (/tasks/<id>): claim, unclaim, complete with a form, and supervisors' reassign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from engine.cases.views import case_comments, list_preplans, recorded_steps, role_titles, task_view, users_with_role
from engine.cases.worklist import severities, work_list
from engine.errors import PreplanError, ValidationFailed
from engine.people.access import supervises
from engine.preplans.forms import schema_file
from engine.store.models import Case, Task
from engine.store.records import newest_active_version

from . import schema_form
from .auth import engine, person
from .feedback import attempt, refusal
from .formatting import when
from .i18n import current_language

bp = Blueprint("tasks", __name__)
_TEMPLATES = SandboxedEnvironment(autoescape=True)
_TEMPLATES.filters["when"] = when


@bp.get("/tasks")
@login_required
def my_tasks():
    filters = {
        "preplan": request.args.get("preplan") or None,
        "severity": request.args.get("severity") or None,
        "overdue": request.args.get("overdue") == "1",
        "scope": request.args.get("scope", "all"),
    }
    page = request.args.get("page", 1, type=int)
    descending = request.args.get("sort") == "-due"
    with engine().db.read() as session:
        user = person(session)
        result = work_list(session, engine().tz, user, page=page, descending=descending, **filters)
        roles = role_titles(session)
        preplans = list_preplans(session)
        choices = severities(session, user)
        manifests = [
            engine().versions.info(session, newest_active_version(session, p["key"]).id).manifest for p in preplans
        ]
    names: dict[str, str] = {}
    for manifest in manifests:
        names.update(schema_form.severity_labels(manifest, current_language()))
    return render_template(
        "tasks/list.html",
        page=result,
        filters=filters,
        roles=roles,
        preplans=preplans,
        descending=descending,
        severities=[(v, names.get(v, v)) for v in choices],
    )


def _load(session, task_id: int) -> tuple[Task, Case, dict]:
    """The task if the logged-in user may see it: a holder of its role, its assignee, or a supervisor."""
    row = session.get(Task, task_id)
    user = person(session)
    if row is None or not (row.role in user.role_keys or row.assignee == user.name or supervises(user)):
        abort(404)
    case = session.get(Case, row.case_id)
    return row, case, engine().versions.info(session, case.version_id).manifest


@bp.get("/tasks/<id:task_id>")
@login_required
def show(task_id: int):
    return _render(task_id, values=None, errors={})


def _render(task_id: int, values: dict | None, errors: dict, status: int = 200):
    with engine().db.read() as session:
        row, case, manifest = _load(session, task_id)
        key = engine().versions.info(session, case.version_id).preplan_key
        view = task_view(row, case, key, engine().tz)
        roles = role_titles(session)
        candidates = users_with_role(session, row.role) if current_user.supervises else []
        earlier = [step for step in recorded_steps(session, case, engine().tz) if step["data"]]
        comments = case_comments(session, case, engine().tz)
        data = dict(case.data)
        if row.context:  # an instance of a multi-instance step reads its own item
            data[row.context["item"]] = row.context["value"]
    forms = manifest["forms"]
    schema = forms.get(row.form) if row.form else None
    ui = forms.get(manifest.get("task_ui", {}).get(row.bpmn_id, ""), {})
    fields = (
        schema_form.fields_for(schema, ui, values if values is not None else (row.data or {}), errors, engine().tz)
        if schema
        else []
    )
    start_schema = forms[schema_file(manifest["start_form"])]
    labels = schema_form.labels(manifest, current_language())
    facts = [(n, data[n]) for n in schema_form.ordered(start_schema, None) if n in data]
    return render_template(
        "tasks/detail.html",
        task=view,
        case=case,
        manifest=manifest,
        fields=fields,
        facts=facts,
        roles=roles,
        labels=labels,
        earlier=earlier,
        comments=comments,
        instructions=_instructions(manifest.get("instructions", {}).get(row.bpmn_id), data),
        candidates=candidates,
        form_title=(schema or {}).get("title"),
        severity_labels=schema_form.severity_labels(manifest, current_language()),
    ), status


def _instructions(template: str | None, data: dict) -> Markup | None:
    """The step's instructions from the diagram, filled in with case data (sandboxed, escaped)."""
    if not template:
        return None
    try:
        return Markup(_TEMPLATES.from_string(template).render(**data))
    except Exception:  # a template error must not hide the task; show the text as written
        return Markup.escape(template)


@bp.post("/tasks/<id:task_id>/claim")
@login_required
def claim(task_id: int):
    return _act(task_id, lambda: engine().claim(task_id, user=current_user.name), _("You claimed this task."))


@bp.post("/tasks/<id:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    return _act(task_id, lambda: engine().unclaim(task_id, user=current_user.name), _("You released this task."))


@bp.post("/tasks/<id:task_id>/reassign")
@login_required
def reassign(task_id: int):
    target = request.form.get("assignee", "")
    return _act(
        task_id,
        lambda: engine().reassign(task_id, target, user=current_user.name),
        _("Task reassigned to %(name)s.", name=target),
    )


def _act(task_id: int, action, done: str):
    with engine().db.read() as session:
        _load(session, task_id)
    attempt(action, done)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<id:task_id>/complete")
@login_required
def complete(task_id: int):
    with engine().db.read() as session:
        row, case, manifest = _load(session, task_id)
        name, business_key = row.name, case.business_key
    schema = manifest["forms"].get(row.form) if row.form else {"properties": {}}
    data, errors = schema_form.coerce(schema, request.form, engine().tz)
    if errors:
        return _render(task_id, request.form.to_dict(), errors, 422)
    try:
        engine().complete(task_id, data, user=current_user.name)
    except ValidationFailed as exc:
        return _render(task_id, request.form.to_dict(), schema_form.localized(exc.kinds, exc.fields), 422)
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    flash(_("Completed “%(step)s” of %(case)s.", step=name, case=business_key), "success")
    return redirect(url_for("tasks.my_tasks"))
