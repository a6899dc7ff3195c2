"""The dashboard for supervisors and leaders: the figures of a period and a unit per preplan and severity, with
charts (Apache ECharts, from our static files) and the same numbers in tables beside them. The page only parses
the choosers and labels what :meth:`Engine.figures` answers; drills are shown apart, when asked for. The real
figures download as CSV or Excel (:meth:`Engine.figure_table`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import clock
from engine.errors import PreplanError
from engine.people.users import role_titles

from . import schema_form
from .auth import engine
from .downloads import send_tables
from .errors import page
from .feedback import refusal
from .i18n import current_language, pick

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    if not current_user.supervises:
        abort(403)
    start, end, unit = _scope()
    drills = request.args.get("drills") == "1"
    try:
        real = engine().figures(start, end, unit=unit, user=current_user.name)
        rehearsed = engine().figures(start, end, unit=unit, drills=True, user=current_user.name) if drills else []
    except PreplanError as exc:
        return _refused(exc)
    units = engine().figure_units(user=current_user.name)
    with engine().db.read() as session:
        roles = role_titles(session)
        manifests = {
            entry["preplan"]: engine().versions.newest(session, entry["preplan"], active=False).manifest
            for entry in real + rehearsed
        }
    fields = {key: schema_form.labels(manifest, current_language()) for key, manifest in manifests.items()}
    severities = {key: schema_form.severity_labels(manifest, current_language()) for key, manifest in manifests.items()}
    return render_template(
        "dashboard/index.html",
        start=start,
        end=end,
        unit=unit,
        drills=drills,
        units=units,
        unit_names={u["key"]: u["name"] for u in units},
        real=[_labelled(entry, severities, fields, roles) for entry in real],
        rehearsed=[_labelled(entry, severities, fields, roles) for entry in rehearsed],
    )


@bp.get("/dashboard.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    """The page's figures of real cases (period and unit) as a table: a line per preplan, then per severity."""
    start, end, unit = _scope()
    try:
        table = engine().figure_table(start, end, unit=unit, user=current_user.name)
    except PreplanError as exc:
        return _refused(exc)
    return send_tables(table, fmt, f"figures-{start}-{end}" + (f"-{unit}" if unit else ""))


def _scope() -> tuple[date, date, str | None]:
    """The chosen period (this month to today when not chosen) and unit."""
    today = clock.real_now().astimezone(engine().tz).date()
    return _day("from", today.replace(day=1)), _day("to", today), request.args.get("unit") or None


def _refused(exc: PreplanError) -> ResponseReturnValue:
    return page(403 if exc.code == "forbidden" else 400, refusal(exc))


def _day(name: str, default: date) -> date:
    text = request.args.get(name)
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


def _labelled(
    entry: dict[str, Any],
    severities: dict[str, dict[str, str]],
    fields: dict[str, dict[str, tuple[str, dict[str, str]]]],
    roles: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """The figures with their labels in the reader's language, and what the charts draw."""
    labels = severities.get(entry["preplan"], {})
    severity = {value: labels.get(value, value) or _("(not judged)") for value in entry["by_severity"]}
    of_field = fields.get(entry["preplan"], {})
    categories = [
        {**c, "label": of_field.get(c["field"], ("", {}))[1].get(c["value"], c["value"]) or _("(not given)")}
        for c in entry["top_categories"]
    ]
    role = {item["role"]: pick(roles.get(item["role"]), item["role"]) for item in entry["by_role"]}
    chart = {
        "labels": {
            "opened": _("Cases opened"),
            "closed": _("Cases closed"),
            "on_time": _("Deadlines met"),
            "late": _("Deadlines missed"),
        },
        "week": entry["trend"]["week"],
        "month": entry["trend"]["month"],
        "severity": [
            {"name": severity[value], "opened": figures["opened"], "closed": figures["closed"]}
            for value, figures in entry["by_severity"].items()
        ],
        "steps": [
            {"name": step["name"], "on_time": step["on_time"], "late": step["late"]} for step in entry["by_step"]
        ],
    }
    return {**entry, "top_categories": categories, "severity_labels": severity, "role_labels": role, "chart": chart}
