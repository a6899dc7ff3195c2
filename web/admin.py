"""Administration pages: the working calendar (holidays, make-up workdays, working hours, the State Council's
notice, provisional years)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import clock
from engine.cases.recount import WARN_BEFORE, recount
from engine.errors import PreplanError
from engine.time.calendar import FIRST_YEAR, LAST_YEAR
from engine.time.calendar_store import clear_day, confirm_year, import_notice, set_day, set_working_hours, year_view

from .auth import engine, person
from .errors import page
from .feedback import refusal

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _require_admin(session) -> None:
    if "admin" not in person(session).role_keys:
        abort(403)


@bp.get("/calendar")
@login_required
def calendar():
    today = clock.now().astimezone(engine().tz).date()
    year = request.args.get("year", today.year, type=int)
    with engine().db.read() as session:
        _require_admin(session)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return page(
                404, _("The working calendar covers the years %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
            )
        view = year_view(session, engine().settings, year)
    until = date.fromisoformat(view["official_until"])
    ending = (until - today).days if today >= until - WARN_BEFORE else None
    return render_template("admin/calendar.html", view=view, year=year, ending=ending, until=until)


def _after_change(what: str) -> None:
    """Provisional deadlines follow every change of the calendar; say how many moved."""
    moved = sum(len(item["moved"]) for item in recount(engine(), current_user.name, what))
    if moved:
        flash(_("Provisional deadlines moved: %(n)s; the people concerned were told.", n=moved), "success")


@bp.post("/calendar/days")
@login_required
def set_calendar_day():
    year = request.form.get("year", type=int)
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash(_("Enter a date."), "error")
        return redirect(url_for("admin.calendar", year=year))
    try:
        with engine().db.write() as session:
            _require_admin(session)
            if request.form.get("action") == "clear":
                clear_day(session, day, current_user.name)
            else:
                set_day(
                    session,
                    day,
                    request.form.get("kind") == "workday",
                    current_user.name,
                    request.form.get("note") or None,
                )
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("admin.calendar", year=year))
    flash(_("Saved. Deadlines computed from now on use it; deadlines already set keep their value."), "success")
    _after_change(f"calendar: {day.isoformat()}")
    return redirect(url_for("admin.calendar", year=day.year))


@bp.post("/calendar/notice")
@login_required
def import_calendar_notice():
    year = request.form.get("year", type=int)
    try:
        with engine().db.write() as session:
            _require_admin(session)
            result = import_notice(session, request.form.get("notice", ""), current_user.name, year)
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("admin.calendar", year=year))
    flash(
        _(
            "The %(year)s schedule was entered: %(off)s days off, %(work)s make-up workdays. %(year)s is official now.",
            year=result["year"],
            off=result["days_off"],
            work=result["workdays"],
        ),
        "success",
    )
    _after_change(f"calendar: {result['year']} schedule imported")
    return redirect(url_for("admin.calendar", year=result["year"]))


@bp.post("/calendar/confirm")
@login_required
def confirm_calendar_year():
    year = request.form.get("year", type=int) or 0
    try:
        with engine().db.write() as session:
            _require_admin(session)
            confirm_year(session, year, current_user.name)
    except PreplanError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("admin.calendar", year=year or None))
    flash(_("%(year)s is official now: its deadlines are no longer provisional.", year=year), "success")
    _after_change(f"calendar: {year} confirmed")
    return redirect(url_for("admin.calendar", year=year))


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
