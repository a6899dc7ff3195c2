"""Administration pages: the working calendar (holidays, make-up workdays, working hours, the State Council's
notice, provisional years). Every change is an engine operation, which checks that the user is an admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import clock
from engine.errors import PreplanError
from engine.people.access import is_admin
from engine.service.timers import WARN_BEFORE
from engine.time.calendar import FIRST_YEAR, LAST_YEAR
from engine.time.calendar_store import year_view

from .auth import engine, person
from .errors import page
from .feedback import refusal

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/calendar")
@login_required
def calendar() -> ResponseReturnValue:
    today = clock.now().astimezone(engine().tz).date()
    year = request.args.get("year", today.year, type=int)
    with engine().db.read() as session:
        if not is_admin(person(session)):
            abort(403)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return page(
                404, _("The working calendar covers the years %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
            )
        view = year_view(session, engine().settings, year)
    until = date.fromisoformat(view["official_until"])
    ending = (until - today).days if today >= until - WARN_BEFORE else None
    return render_template("admin/calendar.html", view=view, year=year, ending=ending, until=until)


def _change(action: Callable[[], Any], done: Callable[[Any], str]) -> Any:
    """Run a calendar operation; flash what it did (and how many provisional deadlines moved) or why not."""
    try:
        result = action()
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return None
    flash(done(result), "success")
    moved = result.get("moved", []) if isinstance(result, dict) else result or []
    count = sum(len(item["moved"]) for item in moved)
    if count:
        flash(_("Provisional deadlines moved: %(n)s; the people concerned were told.", n=count), "success")
    return result


@bp.post("/calendar/days")
@login_required
def set_calendar_day() -> ResponseReturnValue:
    year = request.form.get("year", type=int)
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash(_("Enter a date."), "error")
        return redirect(url_for("admin.calendar", year=year))
    saved = _("Saved. Deadlines computed from now on use it; deadlines already set keep their value.")
    if request.form.get("action") == "clear":
        _change(lambda: engine().clear_calendar_day(day, user=current_user.name), lambda _moved: saved)
    else:
        workday, note = request.form.get("kind") == "workday", request.form.get("note") or None
        _change(lambda: engine().set_calendar_day(day, workday, note, user=current_user.name), lambda _moved: saved)
    return redirect(url_for("admin.calendar", year=day.year if FIRST_YEAR <= day.year <= LAST_YEAR else year))


@bp.post("/calendar/notice")
@login_required
def import_calendar_notice() -> ResponseReturnValue:
    year = request.form.get("year", type=int)
    result = _change(
        lambda: engine().import_calendar_notice(request.form.get("notice", ""), year=year, user=current_user.name),
        lambda entered: _(
            "The %(year)s schedule was entered: %(off)s days off, %(work)s make-up workdays. %(year)s is official now.",
            year=entered["year"],
            off=entered["days_off"],
            work=entered["workdays"],
        ),
    )
    return redirect(url_for("admin.calendar", year=result["year"] if result else year))


@bp.post("/calendar/confirm")
@login_required
def confirm_calendar_year() -> ResponseReturnValue:
    year = request.form.get("year", type=int) or 0
    _change(
        lambda: engine().confirm_calendar_year(year, user=current_user.name),
        lambda _result: _("%(year)s is official now: its deadlines are no longer provisional.", year=year),
    )
    return redirect(url_for("admin.calendar", year=year or None))


@bp.post("/calendar/hours")
@login_required
def set_hours() -> ResponseReturnValue:
    try:
        engine().set_working_hours(request.form.get("hours", ""), user=current_user.name)
        flash(_("Saved. Deadlines computed from now on use it; deadlines already set keep their value."), "success")
    except ValueError:
        flash(_("Working hours must look like 09:00-12:00,13:30-18:00."), "error")
    except PreplanError as exc:
        flash(refusal(exc), "error")
    return redirect(url_for("admin.calendar", year=request.form.get("year", type=int)))
