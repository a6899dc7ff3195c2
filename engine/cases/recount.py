"""Deadlines counted on the provisional calendar follow the official one as soon as it is known.

When an admin enters days or imports the State Council's notice, or a newer chinesecalendar release covers more
years, every running case with a provisional deadline is counted again, each in its own transaction: a deadline
that moves is audited (``deadline_moved``) and the people of its task are told; one that moved into the past
fires at once. Admins are warned from 60 days before the official schedule runs out, once per year, in their
inbox and by mail.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine import clock
from engine.cases.run import CaseRun
from engine.errors import DiagramError
from engine.notify import notices
from engine.store import audit
from engine.store.models import Task, Timer, User, UserRole
from engine.store.records import change_setting, lock_case
from engine.time.calendar import package_last_year
from engine.time.calendar_store import load_calendar
from engine.timefmt import iso

if TYPE_CHECKING:
    from engine.service import Engine

log = logging.getLogger(__name__)
WARN_BEFORE = timedelta(days=60)
_WARNED = "calendar_warned_until"
_PACKAGE_YEAR = "calendar_package_year"


def recount(engine: Engine, actor: str, reason: str) -> list[dict[str, Any]]:
    """Count every provisional deadline of every running case again; returns what moved, per case."""
    with engine.db.read() as session:
        case_ids = list(session.scalars(select(Timer.case_id).where(Timer.provisional.is_(True)).distinct()))
    moved = []
    for case_id in case_ids:
        try:
            changes = _recount_case(engine, case_id, actor, reason)
        except DiagramError as exc:  # one broken case must not stop the others; it keeps its old deadlines
            log.error("case %s: deadlines not recounted: %s", case_id, exc.message)
            continue
        if changes:
            moved.append({"case": case_id, "moved": changes})
    return moved


def _recount_case(engine: Engine, case_id: int, actor: str, reason: str) -> list[dict[str, Any]]:
    tz = engine.settings.timezone
    with engine.db.write() as session:
        case = lock_case(session, case_id)
        if case is None or case.status != "running":
            return []
        before = {
            row.id: row.due_at
            for row in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
        }
        with CaseRun(engine, session, case) as run:
            changes = run.recount_deadlines()
            run.advance()  # a deadline that moved into the past fires now
            run.save(actor)
        for change in changes:
            audit.record(session, case.id, actor, "deadline_moved", reason=reason, **change)
        for row in session.scalars(select(Task).where(Task.id.in_(before), Task.status == "open")):
            if row.due_at != before[row.id]:
                notices.send(
                    session,
                    engine.settings,
                    notices.recipients(session, row),
                    "deadline_moved",
                    case,
                    row,
                    f"{_short(iso(before[row.id], tz))} → {_short(iso(row.due_at, tz))}",
                )
        return changes


def _short(text: str | None) -> str:
    return (text or "—").replace("T", " ")[:16]


def follow_package(engine: Engine) -> list[dict[str, Any]]:
    """After an upgrade of chinesecalendar that covers more years, recount provisional deadlines once."""
    year = package_last_year()
    with engine.db.write() as session:
        if not change_setting(session, _PACKAGE_YEAR, str(year), "system"):
            return []
    return recount(engine, "system", f"chinesecalendar covers {year}")


def warn_admins(engine: Engine) -> int:
    """Tell every admin, once per year, that the official schedule ends within 60 days; returns how many."""
    with engine.db.write() as session:
        until = load_calendar(session, engine.settings).official_until
        today = clock.now().astimezone(engine.settings.timezone).date()
        if today < until - WARN_BEFORE:
            return 0
        if not change_setting(session, _WARNED, until.isoformat(), "system"):
            return 0
        admins = list(
            session.scalars(
                select(User)
                .join(UserRole)
                .where(UserRole.role_key == "admin", User.active.is_(True))
                .order_by(User.name)
            )
        )
        return notices.send_calendar_warning(session, engine.settings, admins, until, today)
