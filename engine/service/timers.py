"""What happens because time passes: due timers fired (``preplan timers run``, and continuously by ``preplan
worker``), reminders and overdue notices, mail and webhook delivery, the periodic duties' periods
(:mod:`engine.service.duties`) and the working calendar's upkeep.

The sweep asks the ``timer`` projection for cases with a timer due (an index range scan, so its cost does not
grow with the number of open cases), then fires each case in its own transaction. On PostgreSQL the case row is
taken with ``FOR UPDATE SKIP LOCKED``: several workers on several machines share the work and each timer fires
exactly once, because firing happens under that lock and is committed together with its audit event. A worker
that dies mid-transaction loses its connection and PostgreSQL rolls back and releases the lock at once; one that
hangs inside a transaction is cut off by ``idle_in_transaction_session_timeout`` (set on every connection),
which is the lock expiry. Another worker then fires the timer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.cases.run import CaseRun
from engine.errors import DiagramError
from engine.notify import notices, outbox
from engine.people.access import ADMIN
from engine.service.calendar import CalendarOperations
from engine.service.duties import DutyOperations
from engine.service.webhooks import WebhookOperations
from engine.store import audit
from engine.store.models import Timer, User, UserRole
from engine.store.records import change_setting, lock_case
from engine.time.calendar import package_last_year
from engine.time.calendar_store import load_calendar

log = logging.getLogger(__name__)
BATCH = 100
#: Admins are told this long before the official holiday schedule runs out.
WARN_BEFORE = timedelta(days=60)
_WARNED = "calendar_warned_until"
_PACKAGE_YEAR = "calendar_package_year"


def due_case_ids(session: Session, now: datetime, limit: int, exclude: set[int]) -> list[int]:
    """Cases with a timer due, earliest first: a range scan of the ``fire_at`` index, whatever the table size."""
    statement = select(Timer.case_id).where(Timer.fire_at <= now).order_by(Timer.fire_at).limit(limit)
    if exclude:
        statement = statement.where(Timer.case_id.notin_(exclude))
    return list(dict.fromkeys(session.scalars(statement)))


def next_fire_at(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Timer.fire_at)))


class TimerOperations(CalendarOperations, WebhookOperations, DutyOperations):
    def run_due(self) -> int:
        """Fire every timer due now; returns how many fired."""
        fired, seen = 0, set[int]()
        while True:
            with self.db.read() as session:
                batch = due_case_ids(session, clock.now(), BATCH, seen)
            if not batch:
                return fired
            for case_id in batch:
                seen.add(case_id)
                fired += self.fire_case(case_id)

    def fire_case(self, case_id: int) -> int:
        """Fire what is due on one case; 0 when another worker holds it or nothing was due after all."""
        try:
            with self.db.write() as session:
                case = lock_case(session, case_id, skip_locked=True)
                if case is None or case.status != "running":
                    return 0
                with CaseRun(self.context, session, case) as run:
                    run.advance()
                    if not run.fired:
                        session.rollback()
                        return 0
                    run.save("timer")
                    return len(run.fired)
        except DiagramError as exc:
            self._stop_with_error(case_id, exc)
            return 0

    def _stop_with_error(self, case_id: int, exc: DiagramError) -> None:
        """A diagram that fails when its timer fires stops the case (status ``error``) instead of failing forever."""
        log.error("case %s: %s", case_id, exc.message)
        with self.db.write() as session:
            case = lock_case(session, case_id)
            if case is None or case.status != "running":
                return
            case.status = "error"
            session.execute(delete(Timer).where(Timer.case_id == case_id))
            audit.record(session, case_id, "timer", "error", message=exc.message, element=exc.details.get("element"))

    def sweep_deadlines(self) -> int:
        """Send due reminders and overdue notices; returns how many tasks were noticed."""
        return notices.sweep_deadlines(self.db, self.settings)

    def deliver_mail(self, channels: dict[str, outbox.Sender] | None = None) -> int:
        """Send the mail that is due; returns how many were sent."""
        return outbox.deliver_pending(self.db, self.settings, channels)

    def follow_package(self) -> list[dict[str, Any]]:
        """After an upgrade of chinesecalendar that covers more years, recount provisional deadlines once."""
        year = package_last_year()
        with self.db.write() as session:
            if not change_setting(session, _PACKAGE_YEAR, str(year), "system"):
                return []
        return self.recount_deadlines("system", f"chinesecalendar covers {year}")

    def warn_admins(self) -> int:
        """Tell every admin, once per year, that the official schedule ends within 60 days; returns how many."""
        with self.db.write() as session:
            until = load_calendar(session, self.settings).official_until
            today = clock.now().astimezone(self.tz).date()
            if today < until - WARN_BEFORE or not change_setting(session, _WARNED, until.isoformat(), "system"):
                return 0
            admins = session.scalars(
                select(User).join(UserRole).where(UserRole.role_key == ADMIN, User.active.is_(True)).order_by(User.name)
            )
            return notices.send_calendar_warning(session, self.settings, list(admins), until, today)


def work(
    engine: TimerOperations, stop: threading.Event, poll: float = 0.5, sleep: Callable[[float], object] | None = None
) -> None:
    """Until ``stop`` is set: fire due timers and send deadline notices, sleeping until the next timer is due (at
        most ``poll`` seconds, so a timer created by another process is picked up within that time). Mail goes out
        from a second thread, so a slow mail server never delays a timer; the calendar's upkeep (recounting
        provisional deadlines after a chinesecalendar upgrade, warning admins before the schedule runs out) from a
        third, hourly; webhooks from a fourth, so a slow receiver delays neither; the periodic duties' periods from a fifth,
    every minute. ``sleep`` replaces the wait between
        sweeps (tests move a fixed clock instead of waiting)."""
    threads = [
        threading.Thread(target=_every, args=(stop, 2.0, "delivering mail", engine.deliver_mail), daemon=True),
        threading.Thread(target=_every, args=(stop, 1.0, "delivering webhooks", engine.deliver_webhooks), daemon=True),
        threading.Thread(target=_every, args=(stop, 60.0, "starting duties", engine.run_duties), daemon=True),
        threading.Thread(
            target=_every,
            args=(stop, 3600.0, "calendar upkeep", engine.follow_package, engine.warn_admins),
            daemon=True,
        ),
    ]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        try:
            engine.run_due()
            engine.sweep_deadlines()
            with engine.db.read() as session:
                upcoming = next_fire_at(session)
        except Exception:  # the database restarting must not kill the worker
            log.exception("timer sweep failed; retrying")
            upcoming = None
        wait = poll if upcoming is None else min(poll, max((upcoming - clock.now()).total_seconds(), 0.0))
        (sleep or stop.wait)(wait)
    for thread in threads:
        thread.join(timeout=15)


def _every(stop: threading.Event, period: float, what: str, *duties: Callable[[], object]) -> None:
    """Run ``duties`` every ``period`` seconds until ``stop``; a failure is logged and retried next time."""
    while not stop.is_set():
        try:
            for duty in duties:
                duty()
        except Exception:
            log.exception("%s failed; retrying", what)
        stop.wait(period)
