"""The in-app inbox: assignments, reminders, overdue and escalation notices for the logged-in user."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .auth import engine

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
@login_required
def index() -> ResponseReturnValue:
    items = engine().open_inbox(current_user.name)
    for item in items:
        item["text"] = subject(item["kind"], item["params"]) or item["subject"]
    return render_template("inbox.html", items=items)


def subject(kind: str, params: dict[str, Any] | None) -> str | None:
    """A notice in the reader's language from what it was made of (older notices keep their stored subject)."""
    if not params:
        return None
    texts = {
        "assigned": lambda: _("New task “%(step)s” of case %(key)s.", **params),
        "reminder": lambda: _("Task “%(step)s” of case %(key)s is due at %(due)s.", **params),
        "overdue": lambda: _("Task “%(step)s” of case %(key)s was due at %(due)s and is overdue.", **params),
        "escalated": lambda: _("Case %(key)s was escalated (%(reason)s): “%(step)s”.", **params),
        "deadline_moved": lambda: _("The deadline of “%(step)s” of case %(key)s moved: %(reason)s.", **params),
        "calendar": lambda: _(
            "The official holiday schedule ends on %(until)s: enter the %(year)s schedule.", **params
        ),
        "report": lambda: _("The report “%(title)s” for %(period)s was submitted by %(by)s.", **params),
    }
    found = texts.get(kind)
    return found() if found else None


def unread_count() -> int:
    return engine().unread(current_user.name) if current_user.is_authenticated else 0
