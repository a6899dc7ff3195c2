"""Webhooks out (/admin/webhooks): subscribe a URL to case and task events, end a subscription, and the delivery log.
Every change is an engine operation, which checks that the user is an admin."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.notify.outbox import MAX_ATTEMPTS
from engine.notify.webhooks import EVENTS
from engine.people.access import is_admin

from .auth import engine, person
from .feedback import attempt

bp = Blueprint("webhooks", __name__, url_prefix="/admin")


@bp.get("/webhooks")
@login_required
def index() -> ResponseReturnValue:
    with engine().db.read() as session:
        if not is_admin(person(session)):
            abort(403)
    return render_template(
        "admin/webhooks.html",
        hooks=engine().list_webhooks(user=current_user.name),
        deliveries=engine().webhook_log(user=current_user.name),
        events=EVENTS,
        attempts=MAX_ATTEMPTS,
    )


@bp.post("/webhooks")
@login_required
def add() -> ResponseReturnValue:
    form = request.form
    attempt(
        lambda: engine().add_webhook(
            form.get("url", ""), form.getlist("event"), form.get("secret", ""), user=current_user.name
        ),
        lambda hook: _("Webhook %(id)s added: %(url)s.", id=hook["id"], url=hook["url"]),
    )
    return redirect(url_for("webhooks.index"))


@bp.post("/webhooks/<id:hook>/deactivate")
@login_required
def deactivate(hook: int) -> ResponseReturnValue:
    attempt(
        lambda: engine().deactivate_webhook(hook, user=current_user.name),
        lambda result: _(
            "Webhook %(id)s ended; %(n)s pending deliveries were cancelled.", id=hook, n=result["cancelled"]
        ),
    )
    return redirect(url_for("webhooks.index"))
