"""A person's API tokens (/account/tokens): make one for a system (its secret shown once, on the answer page),
see theirs, revoke one. The engine decides who may manage whose tokens."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import PreplanError

from .auth import engine
from .i18n import localize

bp = Blueprint("tokens", __name__)


@bp.get("/account/tokens")
@login_required
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/account/tokens")
@login_required
def create() -> ResponseReturnValue:
    try:
        made = engine().create_token(
            current_user.name,
            label=request.form.get("label"),
            read_only=request.form.get("scope") == "read",
            expires_at=_end_of(request.form.get("expires")),
            user=current_user.name,
        )
    except PreplanError as exc:
        flash(localize(exc.message), "error")
        return _page(), 422
    return _page(made["token"])


@bp.post("/account/tokens/<id:token>/revoke")
@login_required
def revoke(token: int) -> ResponseReturnValue:
    try:
        engine().revoke_token(token, user=current_user.name)
        flash(_("The token was revoked."), "ok")
    except PreplanError as exc:
        flash(localize(exc.message), "error")
    return _page()


def _page(secret: str | None = None) -> str:
    tokens = engine().list_tokens(current_user.name, user=current_user.name)
    return render_template("tokens.html", tokens=tokens, secret=secret)


def _end_of(day: str | None) -> datetime | None:
    """A token chosen to expire on a day lasts to the end of that day in the installation's time zone."""
    if not day:
        return None
    try:
        return datetime.combine(datetime.fromisoformat(day).date(), time.max, engine().tz)
    except ValueError:
        return None
