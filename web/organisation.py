"""Administration of the organisation: units (/admin/units, with an org chart imported from CSV) and users
(/admin/users: create, roles per unit, reset a password, deactivate). Every change is an engine operation, which
checks that the user is an admin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import PreplanError, ValidationFailed
from engine.people.access import is_admin
from engine.people.units import CSV_COLUMNS, decode_chart
from engine.people.users import role_titles

from .auth import engine, person
from .feedback import attempt, refusal

bp = Blueprint("organisation", __name__, url_prefix="/admin")


def _require_admin() -> None:
    with engine().db.read() as session:
        if not is_admin(person(session)):
            abort(403)


# -- units ------------------------------------------------------------------------------------------------------
@bp.get("/units")
@login_required
def units() -> ResponseReturnValue:
    _require_admin()
    return render_template("admin/units.html", units=engine().list_units(), columns=",".join(CSV_COLUMNS))


@bp.post("/units")
@login_required
def add_unit() -> ResponseReturnValue:
    form = request.form
    attempt(
        lambda: engine().add_unit(
            form.get("key", ""),
            form.get("name", ""),
            parent=form.get("parent") or None,
            kind=form.get("kind") or None,
            user=current_user.name,
        ),
        lambda unit: _("Unit %(name)s added.", name=unit["name"]),
    )
    return redirect(url_for("organisation.units"))


@bp.post("/units/<key>")
@login_required
def update_unit(key: str) -> ResponseReturnValue:
    form = request.form
    attempt(
        lambda: engine().update_unit(
            key,
            name=form.get("name") or None,
            parent=form.get("parent") or None,
            kind=form.get("kind") or None,
            user=current_user.name,
        ),
        lambda unit: _("Unit %(name)s saved.", name=unit["name"]),
    )
    return redirect(url_for("organisation.units"))


@bp.post("/units/import")
@login_required
def import_units() -> ResponseReturnValue:
    """An org chart from a CSV file (UTF-8 or GB 18030, as Excel saves it) or pasted; every bad row is named."""
    upload = request.files.get("file")
    try:
        text = decode_chart(upload.read()) if upload and upload.filename else request.form.get("csv", "")
        result = engine().import_units(text, user=current_user.name)
    except PreplanError as exc:
        rows = (
            "; ".join(f"{where}: {why}" for where, why in exc.fields.items())
            if isinstance(exc, ValidationFailed)
            else ""
        )
        flash(f"{refusal(exc)} {rows}".strip(), "error")
        return redirect(url_for("organisation.units"))
    flash(_imported(result), "success")
    return redirect(url_for("organisation.units"))


def _imported(result: dict[str, Any]) -> str:
    return _(
        "Org chart imported: %(added)s added, %(changed)s changed, %(same)s unchanged.",
        added=len(result["added"]),
        changed=len(result["changed"]),
        same=result["unchanged"],
    )


# -- users ------------------------------------------------------------------------------------------------------
@bp.get("/users")
@login_required
def users() -> ResponseReturnValue:
    _require_admin()
    with engine().db.read() as session:
        roles = role_titles(session)
    units = engine().list_units()
    return render_template(
        "admin/users.html",
        users=engine().list_users(),
        roles=roles,
        units=units,
        unit_paths={u["key"]: u["path"] for u in units},
    )


@bp.post("/users")
@login_required
def add_user() -> ResponseReturnValue:
    form = request.form
    attempt(
        lambda: engine().add_user(
            form.get("name", ""),
            form.getlist("role"),
            unit=form.get("unit") or None,
            password=form.get("password") or None,
            email=form.get("email") or None,
            user=current_user.name,
        ),
        _("User %(name)s added.", name=form.get("name", "")),
    )
    return redirect(url_for("organisation.users"))


@bp.post("/users/<name>/grant")
@login_required
def grant(name: str) -> ResponseReturnValue:
    role, unit, preplan = (
        request.form.get("role", ""),
        request.form.get("unit", ""),
        request.form.get("preplan") or None,
    )
    attempt(
        lambda: engine().grant(name, role, unit, preplan=preplan, user=current_user.name),
        _("%(user)s now holds %(role)s in %(unit)s.", user=name, role=role, unit=unit),
    )
    return redirect(url_for("organisation.users") + f"#user-{name}")


@bp.post("/users/<name>/revoke")
@login_required
def revoke(name: str) -> ResponseReturnValue:
    role, unit, preplan = (
        request.form.get("role", ""),
        request.form.get("unit", ""),
        request.form.get("preplan") or None,
    )
    attempt(
        lambda: engine().revoke(name, role, unit, preplan=preplan, user=current_user.name),
        _("%(user)s no longer holds %(role)s in %(unit)s.", user=name, role=role, unit=unit),
    )
    return redirect(url_for("organisation.users") + f"#user-{name}")


@bp.post("/users/<name>/password")
@login_required
def password(name: str) -> ResponseReturnValue:
    attempt(
        lambda: engine().set_password(name, request.form.get("password", ""), user=current_user.name),
        _("The password of %(user)s was reset; their sessions ended.", user=name),
    )
    return redirect(url_for("organisation.users") + f"#user-{name}")


@bp.post("/users/<name>/deactivate")
@login_required
def deactivate(name: str) -> ResponseReturnValue:
    attempt(
        lambda: engine().deactivate_user(name, user=current_user.name),
        lambda result: _(
            "%(user)s was deactivated and logged out everywhere; %(n)s claimed task(s) went back to the pool.",
            user=name,
            n=len(result["released"]),
        ),
    )
    return redirect(url_for("organisation.users"))
