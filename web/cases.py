"""Cases: start one (/cases/new), follow one on its diagram (/cases/<id>), move it, and the list of the cases one
may see (/cases)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from engine.cases import drills
from engine.cases.attachments import case_attachments
from engine.cases.exports import cases_table
from engine.cases.progress import case_progress
from engine.cases.sight import Sight
from engine.cases.stats import statistics
from engine.cases.views import case_view, data_by_step, recorded_steps
from engine.cases.worklist import case_list
from engine.errors import AlreadyStarted, NotFound, PreplanError, ValidationFailed
from engine.people.access import CLOSED, may_start, may_start_somewhere, start_choices, supervises_unit
from engine.people.org import Org
from engine.people.users import role_titles
from engine.preplans.conventions import HIDDEN, file_fields
from engine.preplans.duties import diagram_of
from engine.preplans.listing import list_preplans
from engine.preplans.manifest import Manifest
from engine.store.models import Case

from . import schema_form
from .auth import engine, person
from .downloads import download
from .feedback import attempt, refusal
from .i18n import current_language
from .redirects import same_site
from .uploads import sent_files

bp = Blueprint("cases", __name__)
#: The start form's unit choice (not a field of the preplan's form: every case has a unit).
UNIT_FIELD = "_unit"
STATUSES = ("running", "completed", "terminated", "error")


@bp.get("/cases")
@login_required
def index() -> ResponseReturnValue:
    filters = _filters()
    with engine().db.read() as session:
        sight = Sight(session, engine().versions, person(session))
        result = case_list(session, engine().tz, sight, after=request.args.get("after"), **filters)
        figures = statistics(session, sight, drills=request.args.get("drills") == "1")
        manifests = {c["version_id"]: engine().versions.info(session, c["version_id"]).manifest for c in result.items}
    for item in result.items:
        item["severity_label"] = schema_form.severity_labels(manifests[item["version_id"]], current_language()).get(
            item["severity"] or "", item["severity"]
        )
    return render_template(
        "cases/list.html",
        page=result,
        filters=filters,
        statuses=STATUSES,
        figures=figures,
        drills=request.args.get("drills") == "1",
    )


@bp.get("/cases.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    """The list with the page's filters, every page of it."""
    filters = _filters()
    return download(
        lambda session: cases_table(
            session, engine().tz, Sight(session, engine().versions, person(session)), **filters
        ),
        fmt,
        "cases",
    )


def _filters() -> dict[str, Any]:
    """The list's filters as the address gives them: the page and its downloads read the same."""
    return {
        "status": request.args.get("status") or None,
        "overdue": request.args.get("overdue") == "1",
        "search": request.args.get("q") or None,
    }


@bp.get("/cases/new")
@login_required
def choose() -> ResponseReturnValue:
    with engine().db.read() as session:
        user = person(session)
        versions = engine().versions
        plans = [
            p
            for p in list_preplans(session, versions)
            if may_start_somewhere(user, versions.newest(session, p["key"]).manifest.start_roles)
        ]
    return render_template("cases/choose.html", preplans=plans)


@bp.route("/cases/new/<key>", methods=["GET", "POST"])
@login_required
def start(key: str) -> ResponseReturnValue:
    with engine().db.read() as session:
        try:
            manifest = engine().versions.newest(session, key).manifest
        except PreplanError:
            abort(404)
        user = person(session)
        if not may_start_somewhere(user, manifest.start_roles):
            abort(403)
        org = Org.load(session)
        units = [
            (unit, org.path(unit))
            for unit in start_choices(user, manifest.start_roles, manifest.unit_choice.get("kinds", ()), org)
        ]
        every_unit = [(info.key, org.path(info.key)) for _, info in org.ordered()]
    schema, ui = manifest.start_schema, manifest.start_ui
    counted: dict[str, dict[str, Any]] = {
        name: {"value": None, "cases": []} for name in manifest.counts if name in schema.get("properties", {})
    }
    token = request.args.get("form")
    if request.method == "GET" and not token:
        # One case per form: the form's address carries a one-time token, so a form shown again by Back (even
        # re-fetched) and sent again is recognised, while each "start a case" link opens a new form.
        return redirect(url_for("cases.start", key=key, form=secrets.token_urlsafe(24)))
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data, errors = schema_form.coerce(schema, request.form, engine().tz)
        values = request.form.to_dict()
        if not errors:
            try:
                started = engine().start(
                    key,
                    data,
                    user=current_user.name,
                    drill=request.form.get("drill") == "true",
                    intake_key=token,
                    unit=request.form.get(UNIT_FIELD) or None,
                    corrections=schema_form.corrections(request.form),
                    uploads={name: sent_files(name) for name in file_fields(schema)},
                )
                flash(_("Case %(key)s started.", key=started["business_key"]), "success")
                return redirect(url_for("cases.show", case_id=started["case"]))
            except AlreadyStarted as exc:
                flash(
                    _(
                        "This form was already sent: it started case %(key)s, shown here. No second case was started.",
                        key=exc.business_key,
                    ),
                    "warning",
                )
                return redirect(url_for("cases.show", case_id=exc.case))
            except ValidationFailed as exc:
                errors = schema_form.localized(exc.kinds, exc.fields)
            except PreplanError as exc:
                flash(refusal(exc), "error")
        status = 422
    fields = schema_form.fields_for(schema, ui, values, errors, engine().tz, units=every_unit, counted=counted)
    unit_label = manifest.unit_choice.get("en" if current_language() == "en" else "zh") or _("Unit")
    return render_template(
        "cases/start.html",
        key=key,
        manifest=manifest,
        fields=fields,
        form_title=schema.get("title"),
        units=units,
        unit_label=unit_label,
        unit_field=UNIT_FIELD,
        chosen_unit=values.get(UNIT_FIELD) or (units[0][0] if units else ""),
        unit_error=errors.get(UNIT_FIELD),
    ), status


def _visible_case(session: Session, case_id: int) -> tuple[Case, Manifest, Sight]:
    """The case if the logged-in user may see it (the engine's rule), with its manifest and the user's sight."""
    sight = Sight(session, engine().versions, person(session))
    try:
        case = sight.case(case_id)
    except NotFound:
        abort(404)
    return case, engine().versions.info(session, case.version_id).manifest, sight


@bp.get("/cases/<id:case_id>")
@login_required
def show(case_id: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        case, manifest, sight = _visible_case(session, case_id)
        hidden = sight.hidden(case)
        view = case_view(session, case, engine().tz, hidden)
        progress = case_progress(engine().versions, session, case)
        roles = role_titles(session)
        steps = recorded_steps(session, case, engine().tz, hidden)
        unit_path = sight.org.path(case.unit_key)
        user = person(session)
        movable = [
            (unit, sight.org.path(unit))
            for unit in start_choices(user, manifest.start_roles, manifest.unit_choice.get("kinds", ()), sight.org)
            if unit != case.unit_key
        ]
        may_move = may_start(user, manifest.start_roles, case.unit_key, sight.org) and case.status != "completed"
        supervisor = supervises_unit(user, case.unit_key, sight.org)
        files = case_attachments(session, case.id, engine().tz)
    start_schema = manifest.start_schema
    groups = data_by_step(view["data"], steps, set(start_schema.get("properties", {})))
    return render_template(
        "cases/detail.html",
        case=view,
        manifest=manifest,
        progress=progress,
        roles=roles,
        groups=groups,
        start_title=start_schema.get("title"),
        labels=schema_form.labels(manifest, current_language()),
        severity_labels=schema_form.severity_labels(manifest, current_language()),
        unit_path=unit_path,
        movable=movable if may_move else [],
        supervisor=supervisor,
        hidden_value=HIDDEN,
        attachments=files,
        may_attach=case.status not in CLOSED,
        attachment_limit=engine().settings.attachment_megabytes,
    )


@bp.get("/cases/<id:case_id>/diagram.bpmn")
@login_required
def diagram(case_id: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        case, manifest, _sight = _visible_case(session, case_id)
        files = case.version.files
    duties = (str(duty["process"]) for duty in manifest.duties.values())
    return Response(
        files[diagram_of(files, duties, manifest.duty_process(case.duty)) or ""], mimetype="application/xml"
    )


@bp.post("/cases/<id:case_id>/comments")
@login_required
def comment(case_id: int) -> ResponseReturnValue:
    attempt(
        lambda: engine().comment(case_id, request.form.get("text", ""), user=current_user.name), _("Comment added.")
    )
    return redirect(same_site(request.form.get("back"), url_for("cases.show", case_id=case_id)) + "#comments")


@bp.post("/cases/<id:case_id>/move")
@login_required
def move(case_id: int) -> ResponseReturnValue:
    attempt(
        lambda: engine().move(
            case_id, request.form.get("unit", ""), request.form.get("reason", ""), user=current_user.name
        ),
        _("The case was moved; its open steps went to the people of the new unit."),
    )
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<id:case_id>/terminate")
@login_required
def terminate(case_id: int) -> ResponseReturnValue:
    attempt(
        lambda: engine().terminate(str(case_id), request.form.get("reason", ""), user=current_user.name),
        _("The case was terminated."),
    )
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<id:case_id>/resume")
@login_required
def resume(case_id: int) -> ResponseReturnValue:
    attempt(lambda: engine().resume(str(case_id), user=current_user.name), _("The case runs again."))
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<id:case_id>/drill/advance")
@login_required
def advance_drill(case_id: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        _visible_case(session, case_id)
    attempt(
        lambda: engine().advance_drill(
            case_id,
            to_next_deadline=request.form.get("mode") == "next",
            by=request.form.get("by") or None,
            user=current_user.name,
        ),
        lambda result: _(
            "Drill clock now at %(now)s; %(n)s deadline(s) reached.",
            now=result["now"][:16].replace("T", " "),
            n=result["fired"],
        ),
    )
    return redirect(url_for("cases.show", case_id=case_id))


@bp.get("/cases/<id:case_id>/report")
@login_required
def report(case_id: int) -> ResponseReturnValue:
    with engine().db.read() as session:
        case, manifest, _sight = _visible_case(session, case_id)
        result = drills.report(session, case, engine().tz)
        roles = role_titles(session)
    return render_template("cases/report.html", report=result, manifest=manifest, roles=roles)
