"""My work: the open tasks of the logged-in user's roles."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from engine.users import get_user
from engine.views import list_tasks

bp = Blueprint("tasks", __name__)


@bp.get("/tasks")
@login_required
def my_tasks():
    engine = current_app.extensions["preplan"]
    with engine.db.read() as session:
        rows = list_tasks(session, engine.tz, user=get_user(session, current_user.name))
    return render_template("tasks.html", tasks=rows)
