"""The periodic duties' reports: the list of those one may read, one report with its compiled figures, the owner's
comments and who submitted it (printable), its CSV or Excel download, and opening a submitted report again (a
supervisor of its unit). Who may read and do what is the engine's (:meth:`Engine.duty_report`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import PreplanError
from engine.tabular import Table
from engine.timefmt import iso

from .auth import engine
from .downloads import send_tables
from .errors import page
from .feedback import attempt, refusal

bp = Blueprint("reports", __name__)


@bp.app_template_global()
def report_status(status: str) -> str:
    """A report's status in the reader's language."""
    return {"open": _("Open"), "overdue": _("Overdue"), "submitted": _("Submitted")}.get(status, status)


@bp.get("/reports")
@login_required
def index() -> ResponseReturnValue:
    preplan = request.args.get("preplan") or None
    return render_template(
        "reports/index.html", reports=engine().duty_reports(preplan=preplan, user=current_user.name), preplan=preplan
    )


@bp.get("/reports/<id:report_id>")
@login_required
def show(report_id: int) -> ResponseReturnValue:
    report = _read(report_id)
    tables = engine().duty_report_tables(report_id, user=current_user.name)
    return render_template(
        "reports/show.html",
        report=report,
        tables=[_shown(table) for table in tables],
        may_reopen=current_user.supervises and report["status"] == "submitted",
    )


@bp.get("/reports/<id:report_id>.<any(csv, xlsx):fmt>")
@login_required
def export(report_id: int, fmt: str) -> ResponseReturnValue:
    report = _read(report_id)
    tables = engine().duty_report_tables(report_id, user=current_user.name)
    return send_tables(tables, fmt, f"{report['preplan']}-{report['kind']}-{report['period']}-v{report['version']}")


@bp.post("/reports/<id:report_id>/reopen")
@login_required
def reopen(report_id: int) -> ResponseReturnValue:
    found = attempt(
        lambda: engine().reopen_duty_report(report_id, user=current_user.name),
        lambda r: _("The report was opened again as version %(version)s.", version=r["version"]),
    )
    return redirect(url_for("reports.show", report_id=found["id"] if found else report_id))


def _read(report_id: int) -> dict[str, Any]:
    try:
        return engine().duty_report(report_id, user=current_user.name)
    except PreplanError as exc:
        abort(make_response(page(404 if exc.code == "not_found" else 403, refusal(exc))))


def _shown(table: Table) -> dict[str, Any]:
    """A table as the page shows it: its title, headers and each cell as text (rates as percentages)."""
    rows = []
    for values in table.rows:
        rows.append([_cell(value, column.kind) for value, column in zip(values, table.columns, strict=True)])
    return {"title": table.title, "headers": [c.header for c in table.columns], "rows": rows}


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "flag":
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return (iso(value, engine().tz) or "")[:16].replace("T", " ")
    return str(value)
