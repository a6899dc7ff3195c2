"""Administration pages: the working calendar (holidays, make-up workdays, working hours)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import clock
from engine.calendar_store import clear_day, set_day, set_working_hours, year_view

from .auth import engine, person

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _require_admin(session) -> None:
    if "admin" not in person(session).role_keys:
        abort(403)


@bp.get("/calendar")
@login_required
def calendar():
    year = request.args.get("year", clock.now().astimezone(engine().tz).year, type=int)
    with engine().db.read() as session:
        _require_admin(session)
        view = year_view(session, engine().settings, year)
    return render_template("admin/calendar.html", view=view, year=year)


@bp.post("/calendar/days")
@login_required
def set_calendar_day():
    year = request.form.get("year", type=int)
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash(_("Enter a date."), "error")
        return redirect(url_for("admin.calendar", year=year))
    with engine().db.write() as session:
        _require_admin(session)
        if request.form.get("action") == "clear":
            clear_day(session, day, current_user.name)
        else:
            set_day(session, day, request.form.get("kind") == "workday", current_user.name,
                    request.form.get("note") or None)
    flash(_("Saved. Deadlines computed from now on use it; deadlines already set keep their value."), "success")
    return redirect(url_for("admin.calendar", year=day.year))


@bp.post("/calendar/hours")
@login_required
def set_hours():
    try:
        with engine().db.write() as session:
            _require_admin(session)
            set_working_hours(session, request.form.get("hours", ""), current_user.name)
        flash(_("Saved. Deadlines computed from now on use it; deadlines already set keep their value."), "success")
    except ValueError:
        flash(_("Working hours must look like 09:00-12:00,13:30-18:00."), "error")
    return redirect(url_for("admin.calendar", year=request.form.get("year", type=int)))
