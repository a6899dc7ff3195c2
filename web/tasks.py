"""My work (/tasks) and a task (/tasks/<id>): claim, unclaim, complete with a form, and supervisors' reassign."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from engine.cases import instructions
from engine.cases.attachments import case_attachments
from engine.cases.counts import Counting, preview
from engine.cases.exports import tasks_table
from engine.cases.sight import Sight
from engine.cases.views import case_comments, hide, recorded_steps, task_view
from engine.cases.worklist import severities, work_list
from engine.errors import NotFound, PreplanError, ValidationFailed
from engine.people.access import may_work_on, supervises_unit
from engine.people.org import Org
from engine.people.users import holders, role_titles
from engine.preplans.conventions import file_fields
from engine.preplans.listing import list_preplans
from engine.preplans.manifest import Manifest
from engine.store.models import Case, Task

from . import schema_form
from .auth import engine, person
from .downloads import download
from .feedback import attempt, refusal
from .i18n import current_language
from .uploads import sent_files

bp = Blueprint("tasks", __name__)


@bp.get("/tasks")
@login_required
def my_tasks() -> ResponseReturnValue:
    filters = _filters()
    descending = filters["descending"]
    with engine().db.read() as session:
        user = person(session)
        result = work_list(
            session,
            engine().tz,
            user,
            Org.load(session),
            after=request.args.get("after"),
            reminder_share=engine().settings.reminder_share,
            **filters,
        )
        roles = role_titles(session)
        preplans = list_preplans(session, engine().versions)
        choices = severities(session, user)
        manifests = [engine().versions.newest(session, p["key"]).manifest for p in preplans]
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


@bp.get("/tasks.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    """The work list with the page's filters and order, every page of it."""
    filters, share = _filters(), engine().settings.reminder_share
    return download(
        lambda session: tasks_table(
            session, engine().tz, Sight(session, engine().versions, person(session)), reminder_share=share, **filters
        ),
        fmt,
        "tasks",
    )


def _filters() -> dict[str, Any]:
    """The list's filters and order as the address gives them: the page and its downloads read the same."""
    return {
        "preplan": request.args.get("preplan") or None,
        "severity": request.args.get("severity") or None,
        "overdue": request.args.get("overdue") == "1",
        "scope": request.args.get("scope", "all"),
        "search": request.args.get("q") or None,
        "descending": request.args.get("sort") == "-due",
    }


def _load(session: Session, task_id: int) -> tuple[Task, Case, Manifest, Sight]:
    """The task if the logged-in user may see it (the engine's rule), with its case, manifest and the user's
    sight."""
    sight = Sight(session, engine().versions, person(session))
    try:
        row, case = sight.task(task_id)
    except NotFound:
        abort(404)
    return row, case, engine().versions.info(session, case.version_id).manifest, sight


@bp.get("/tasks/<id:task_id>")
@login_required
def show(task_id: int) -> ResponseReturnValue:
    return _render(task_id, values=None, errors={})


def _render(
    task_id: int, values: dict[str, Any] | None, errors: Mapping[str, str], status: int = 200
) -> ResponseReturnValue:
    with engine().db.read() as session:
        row, case, manifest, sight = _load(session, task_id)
        key = engine().versions.info(session, case.version_id).preplan_key
        view = task_view(row, case, key, engine().tz)
        roles = role_titles(session)
        user = person(session)
        supervisor = supervises_unit(user, case.unit_key, sight.org)
        candidates = [u.name for u in holders(session, row.role, row.unit_key)] if supervisor else []
        may_work = may_work_on(user, row)
        hidden = sight.hidden(case)
        earlier = [step for step in recorded_steps(session, case, engine().tz, hidden) if step["data"]]
        comments = case_comments(session, case, engine().tz)
        data = hide(dict(case.data), hidden)
        if row.context:  # an instance of a multi-instance step reads its own item
            data[row.context["item"]] = row.context["value"]
        schema = manifest.form(row.form)
        counted = {
            name: {"value": found.value, "cases": found.cases}
            for name, found in preview(
                session,
                manifest.counts,
                schema or {},
                Counting(case.unit_key, case.started_at, case.data, case.id),
                engine().tz,
            ).items()
        }
        units = [(info.key, sight.org.path(info.key)) for _, info in sight.org.ordered()]
        unit_path = sight.org.path(row.unit_key)
        files = [(str(a["id"]), a["name"]) for a in case_attachments(session, case.id, engine().tz)]
    shown = values if values is not None else (row.data or {})
    fields = (
        schema_form.fields_for(
            schema, manifest.ui_of(row.bpmn_id), shown, errors, engine().tz, units=units, counted=counted, files=files
        )
        if schema
        else []
    )
    labels = schema_form.labels(manifest, current_language())
    facts = [(n, data[n]) for n in schema_form.ordered(manifest.start_schema, None) if n in data]
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
        instructions=instructions.render(manifest.instructions.get(row.bpmn_id), data, engine().settings),
        candidates=candidates,
        may_work=may_work,
        unit_path=unit_path,
        form_title=(schema or {}).get("title"),
        severity_labels=schema_form.severity_labels(manifest, current_language()),
    ), status


@bp.post("/tasks/<id:task_id>/claim")
@login_required
def claim(task_id: int) -> ResponseReturnValue:
    return _act(task_id, lambda: engine().claim(task_id, user=current_user.name), _("You claimed this task."))


@bp.post("/tasks/<id:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> ResponseReturnValue:
    return _act(task_id, lambda: engine().unclaim(task_id, user=current_user.name), _("You released this task."))


@bp.post("/tasks/<id:task_id>/reassign")
@login_required
def reassign(task_id: int) -> ResponseReturnValue:
    target = request.form.get("assignee", "")
    return _act(
        task_id,
        lambda: engine().reassign(task_id, target, user=current_user.name),
        _("Task reassigned to %(name)s.", name=target),
    )


def _act(task_id: int, action: Callable[[], object], done: str) -> ResponseReturnValue:
    with engine().db.read() as session:
        _load(session, task_id)
    attempt(action, done)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<id:task_id>/complete")
@login_required
def complete(task_id: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        row, case, manifest, _sight = _load(session, task_id)
        name, business_key, case_id = row.name, case.business_key, case.id
    schema = manifest.form(row.form) or {"properties": {}}
    data, errors = schema_form.coerce(schema, request.form, engine().tz)
    errors.update(_attach_sent(schema, data, case_id, task_id))
    shown = {**request.form.to_dict(), **{name: data.get(name) for name in file_fields(schema)}}
    if errors:
        return _render(task_id, shown, errors, 422)
    try:
        engine().complete(task_id, data, user=current_user.name, corrections=schema_form.corrections(request.form))
    except ValidationFailed as exc:
        return _render(task_id, shown, schema_form.localized(exc.kinds, exc.fields), 422)
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    flash(_("Completed “%(step)s” of %(case)s.", step=name, case=business_key), "success")
    return redirect(url_for("tasks.my_tasks"))


def _attach_sent(schema: dict[str, Any], data: dict[str, Any], case_id: int, task_id: int) -> dict[str, str]:
    """Store the files sent in the form's file fields as the step's attachments; their ids join the field's. Files
    stored before a refusal stay on the case (the form shown again offers them, ticked)."""
    errors: dict[str, str] = {}
    for field in file_fields(schema):
        for name, content in sent_files(field):
            try:
                sent = engine().attach(case_id, name, content, user=current_user.name, task=task_id)
            except PreplanError as exc:
                errors[field] = refusal(exc)
                break
            data[field] = [*data.get(field, []), sent["id"]]
    return errors
