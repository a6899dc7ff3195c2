"""The in-app inbox: assignments, reminders, overdue and escalation notices for the logged-in user."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from engine.notices import mark_read, unread
from engine.views import list_notifications

from .auth import engine

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
@login_required
def index():
    with engine().db.write() as session:
        items = list_notifications(session, engine().tz, user=current_user.name, channel="inbox", limit=200)
        mark_read(session, current_user.name)
    return render_template("inbox.html", items=items)


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    with engine().db.read() as session:
        return unread(session, current_user.name)
