"""Moving running cases onto a newer version (admins): /preplans/<key>/migrate?to=N[&from=M] previews each running
case (its open steps kept, reset or cancelled, its deadlines counted again, or why it is refused, with a choice of
step for an open step the new version removed); the form moves the chosen safe cases, or all safe ones, and the
page then reports what moved. The engine decides and checks everything: this only reads the form and shows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.cases.migration import mappable_steps
from engine.errors import NotFound, PreplanError
from engine.people.access import is_admin
from engine.preplans.history import find_version

from .auth import engine, person
from .errors import page
from .feedback import refusal

bp = Blueprint("migrations", __name__)


@bp.get("/preplans/<key>/migrate")
@login_required
def preview(key: str) -> ResponseReturnValue:
    to, from_ = _versions(key)
    mapping = _mapping(request.args.getlist("map"))
    try:
        result = engine().migrate_cases(key, to, from_=from_, dry_run=True, mapping=mapping, user=current_user.name)
    except PreplanError as exc:
        return page(404 if isinstance(exc, NotFound) else 400, refusal(exc))
    return _page(key, to, from_, result, done=False)


@bp.post("/preplans/<key>/migrate")
@login_required
def migrate(key: str) -> ResponseReturnValue:
    to, from_ = _versions(key)
    cases = request.form.getlist("case") if request.form.get("scope") != "all" else None
    back = redirect(url_for("migrations.preview", key=key, to=to) + (f"&from={from_}" if from_ else ""))
    if cases == []:
        flash(_("Choose the cases to move, or move all safe ones."), "error")
        return back
    try:
        result = engine().migrate_cases(
            key,
            to,
            from_=from_,
            cases=cases,
            mapping=_mapping(request.form.getlist("map")),
            note=request.form.get("note"),
            user=current_user.name,
        )
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return back
    moved = sum(1 for c in result["cases"] if c["status"] == "migrated")
    flash(_("%(n)s case(s) moved onto v%(to)s.", n=moved, to=to), "success" if moved else "warning")
    return _page(key, to, from_, result, done=True)


def _versions(key: str) -> tuple[int, int | None]:
    """The target version (required) and the version the cases are on (optional), for an admin only."""
    with engine().db.read() as session:
        if not is_admin(person(session)):
            abort(403)
    to = request.values.get("to", type=int)
    if to is None or to < 1:
        abort(404)
    from_ = request.values.get("from", type=int)
    return to, from_


def _mapping(pairs: list[str]) -> dict[str, str]:
    """``OLD_ID=NEW_ID`` from the selects of removed steps (a select left on "—" sends nothing)."""
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def _page(key: str, to: int, from_: int | None, result: dict[str, Any], *, done: bool) -> ResponseReturnValue:
    with engine().db.read() as session:
        try:
            version = find_version(session, key, to)
        except NotFound:
            abort(404)
        steps = mappable_steps(engine().versions.spec(session, version.id))
    return render_template(
        "preplans/migrate.html", key=key, to=to, from_=from_, cases=result["cases"], steps=steps, done=done
    )
