"""The studio (/preplans/<key>/studio): the editor page and the JSON its script speaks (the draft, saving it,
checking unsaved edits), uploads into the draft, publishing it (admins) and dropping it, and trial cases of the
draft. Every rule is the engine's; refusals come back as ``{"title", "detail"}`` in the reader's language with
their status (a stale save: 409 with who saved last and when)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import (
    Conflict,
    Forbidden,
    InvalidPreplan,
    NotFound,
    PreplanError,
    ValidationFailed,
)
from engine.people.users import role_titles
from engine.preplans.drafts import TooLarge
from engine.preplans.findings import Finding

from . import schema_form
from .auth import engine
from .errors import explanation
from .feedback import refusal
from .i18n import localize, pick

bp = Blueprint("studio", __name__)

#: The status each refusal is answered with.
STATUS: list[tuple[type[PreplanError], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (TooLarge, 413),
    (ValidationFailed, 400),
    (InvalidPreplan, 400),
]


@bp.get("/preplans/<key>/studio")
@login_required
def edit(key: str) -> ResponseReturnValue:
    page = _or_abort(lambda: engine().studio_page(key, user=current_user.name))
    return render_template(
        "studio/edit.html",
        key=key,
        title=pick(page["title"], key),
        may_publish=page["may_publish"],
        revision=page["revision"],
    )


# -- JSON ---------------------------------------------------------------------------------------------------------
@bp.get("/preplans/<key>/draft")
@login_required
def draft(key: str) -> ResponseReturnValue:
    return _json(lambda: _with_findings(engine().draft(key, user=current_user.name)))


@bp.put("/preplans/<key>/draft")
@login_required
def save(key: str) -> ResponseReturnValue:
    body = _body()
    return _json(
        lambda: _with_findings(
            engine().save_draft(
                key, body.get("revision"), body.get("files"), body.get("manifest"), user=current_user.name
            )
        )
    )


@bp.post("/preplans/<key>/draft/check")
@login_required
def check(key: str) -> ResponseReturnValue:
    body = _body()
    return _json(
        lambda: _with_findings(
            engine().check_draft(key, body.get("files"), body.get("manifest"), user=current_user.name)
        )
    )


# -- form posts ---------------------------------------------------------------------------------------------------
@bp.post("/preplans/<key>/draft/upload")
@login_required
def upload(key: str) -> ResponseReturnValue:
    sent = request.files.get("file")
    name, data = (sent.filename or "", sent.read()) if sent is not None and sent.filename else ("", b"")
    revision = request.form.get("revision", type=int)

    def action() -> dict[str, Any]:
        return engine().upload_to_draft(key, revision, name, data, user=current_user.name)

    if _wants_json():
        return _json(lambda: _with_findings(action()))
    done = _flashed(action)
    if done is not None:
        flash(_("%(file)s is in the draft (revision %(revision)s).", file=name, revision=done["revision"]), "success")
    return redirect(url_for("studio.edit", key=key))


@bp.post("/preplans/<key>/draft/publish")
@login_required
def publish(key: str) -> ResponseReturnValue:
    revision = request.form.get("revision", type=int)
    done = _flashed(lambda: engine().publish_draft(key, revision, request.form.get("note"), user=current_user.name))
    if done is None:
        return redirect(url_for("studio.edit", key=key))
    if done["layout_only"]:
        flash(_("Only the layout changed: no new version; v%(n)s stays current.", n=done["version"]), "success")
    elif not done["changed"]:
        flash(_("The draft is the same as v%(n)s: no new version.", n=done["version"]), "success")
    else:
        flash(_("The draft is published as v%(n)s.", n=done["version"]), "success")
    return redirect(url_for("preplans.show", key=key))


@bp.post("/preplans/<key>/draft/discard")
@login_required
def discard(key: str) -> ResponseReturnValue:
    if _flashed(lambda: engine().discard_draft(key, user=current_user.name)) is not None:
        flash(_("The draft was discarded."), "success")
        return redirect(url_for("preplans.show", key=key))
    return redirect(url_for("studio.edit", key=key))


# -- trials -------------------------------------------------------------------------------------------------------
@bp.post("/preplans/<key>/draft/trials")
@login_required
def start_trial(key: str) -> ResponseReturnValue:
    started = _flashed(lambda: engine().start_trial(key, user=current_user.name))
    if started is None:
        return redirect(url_for("studio.edit", key=key))
    flash(_("Trial %(case)s started with an example of the start form.", case=started["business_key"]), "success")
    return redirect(url_for("studio.trial", key=key, business_key=started["business_key"]))


@bp.get("/preplans/<key>/draft/trials/<business_key>")
@login_required
def trial(key: str, business_key: str) -> ResponseReturnValue:
    return _trial_page(key, business_key, {}, {}, 200)


@bp.post("/preplans/<key>/draft/trials/<business_key>/tasks/<id:task_id>")
@login_required
def complete_trial_step(key: str, business_key: str, task_id: int) -> ResponseReturnValue:
    view = _or_abort(lambda: engine().trial(key, business_key, user=current_user.name))
    form = view["forms"].get(task_id)
    if form is None:
        flash(_("This step is no longer open."), "error")
        return redirect(url_for("studio.trial", key=key, business_key=business_key))
    data, errors = schema_form.coerce(form["schema"] or {"properties": {}}, request.form, engine().tz)
    if not errors:
        try:
            engine().complete_trial_step(key, business_key, task_id, data, user=current_user.name)
            return redirect(url_for("studio.trial", key=key, business_key=business_key))
        except ValidationFailed as exc:
            errors = schema_form.localized(exc.kinds, exc.fields)
        except PreplanError as exc:
            flash(refusal(exc), "error")
            return redirect(url_for("studio.trial", key=key, business_key=business_key))
    return _trial_page(key, business_key, {task_id: request.form.to_dict()}, {task_id: errors}, 422)


@bp.post("/preplans/<key>/draft/trials/<business_key>/advance")
@login_required
def advance_trial(key: str, business_key: str) -> ResponseReturnValue:
    moved = _flashed(lambda: engine().advance_trial(key, business_key, user=current_user.name))
    if moved is not None:
        flash(
            _("The trial's clock is now %(now)s; %(n)s deadline(s) came due.", now=moved["now"], n=moved["fired"]),
            "success",
        )
    return redirect(url_for("studio.trial", key=key, business_key=business_key))


@bp.post("/preplans/<key>/draft/trials/<business_key>/discard")
@login_required
def discard_trial(key: str, business_key: str) -> ResponseReturnValue:
    if _flashed(lambda: engine().discard_trial(key, business_key, user=current_user.name)) is not None:
        flash(_("Trial %(case)s was thrown away.", case=business_key), "success")
        return redirect(url_for("studio.edit", key=key))
    return redirect(url_for("studio.trial", key=key, business_key=business_key))


def _trial_page(
    key: str, business_key: str, values: dict[int, dict[str, Any]], errors: dict[int, dict[str, str]], status: int
) -> ResponseReturnValue:
    """The trial page: its open steps, each with its form (rendered as on a task's page) and its lane's role."""
    view = _or_abort(lambda: engine().trial(key, business_key, user=current_user.name))
    with engine().db.read() as session:
        roles = role_titles(session)
    steps = [
        {
            **task,
            "role": view["roles"][task["id"]],
            "instructions": view["forms"][task["id"]]["instructions"],
            "fields": schema_form.fields_for(
                view["forms"][task["id"]]["schema"],
                view["forms"][task["id"]]["ui"],
                values.get(task["id"], {}),
                errors.get(task["id"], {}),
                engine().tz,
            )
            if view["forms"][task["id"]]["schema"]
            else [],
        }
        for task in view["tasks"]
    ]
    return render_template("studio/trial.html", key=key, trial=view, steps=steps, roles=roles), status


# -- helpers ------------------------------------------------------------------------------------------------------
def _status(exc: PreplanError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _json(action: Callable[[], dict[str, Any]]) -> ResponseReturnValue:
    """The action's answer as JSON, or its refusal as ``{"title", "detail"}`` (and a conflict's who, when and
    revision) with its status."""
    try:
        return jsonify(action())
    except PreplanError as exc:
        code = _status(exc)
        body: dict[str, Any] = {"title": explanation(code)[0], "detail": refusal(exc)}
        if isinstance(exc, Conflict):
            body.update({k: exc.details.get(k) for k in ("updated_by", "updated_at", "revision")})
        if isinstance(exc, ValidationFailed):
            body["fields"] = {name: localize(text) for name, text in exc.fields.items()}
        if isinstance(exc, InvalidPreplan):
            body["findings"] = [_problem_json(p) for p in exc.problems]
        response: Response = jsonify(body)
        response.status_code = code
        return response


def _flashed(action: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """Run a form's action: its answer, or None once its refusal is flashed (a missing preplan or one the reader
    may not edit is a 404 or 403 page)."""
    try:
        return action()
    except (NotFound, Forbidden) as exc:
        abort(_status(exc))
    except InvalidPreplan as exc:
        flash(refusal(exc), "error")
        for problem in exc.problems[:20]:
            flash(
                f"{problem.file}: {problem.element + ': ' if problem.element else ''}{localize(problem.message)}",
                "error",
            )
    except PreplanError as exc:
        flash(refusal(exc), "error")
    return None


def _or_abort(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return action()
    except (NotFound, Forbidden) as exc:
        abort(_status(exc))


def _with_findings(answer: dict[str, Any]) -> dict[str, Any]:
    """An engine answer with its findings as the contract has them, each message in the reader's language."""
    found: list[Finding] = answer.get("findings", [])
    return {**answer, "findings": [{**f.to_json(), "message": localize(f.message)} for f in found]}


def _problem_json(problem: Any) -> dict[str, Any]:
    return {**problem.to_json(), "message": localize(problem.message)}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(_json_refusal(400, _("The request body must be a JSON object.")))
    return body


def _json_refusal(code: int, detail: str) -> Response:
    response: Response = jsonify({"title": explanation(code)[0], "detail": detail})
    response.status_code = code
    return response


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
