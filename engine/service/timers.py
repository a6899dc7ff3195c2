"""Firing due timers: the sweep (``preplan timers run``) and the worker loop (``preplan worker``).

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
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from engine import clock
from engine.cases import recount as provisional
from engine.cases.run import CaseRun
from engine.errors import DiagramError
from engine.notify.notices import sweep_deadlines
from engine.notify.outbox import deliver_pending
from engine.store import audit
from engine.store.models import Timer

if TYPE_CHECKING:
    from engine.service import Engine

log = logging.getLogger(__name__)
BATCH = 100


def due_case_ids(session, now: datetime, limit: int, exclude: set[int]) -> list[int]:
    """Cases with a timer due, earliest first: a range scan of the ``fire_at`` index, whatever the table size."""
    statement = select(Timer.case_id).where(Timer.fire_at <= now).order_by(Timer.fire_at).limit(limit)
    if exclude:
        statement = statement.where(Timer.case_id.notin_(exclude))
    return list(dict.fromkeys(session.scalars(statement)))


def next_fire_at(session) -> datetime | None:
    return session.scalar(select(func.min(Timer.fire_at)))


def fire_case(engine: Engine, case_id: int) -> int:
    """Fire what is due on one case; 0 when another worker holds it or nothing was due after all."""
    from engine.store.records import lock_case

    try:
        with engine.db.write() as session:
            case = lock_case(session, case_id, skip_locked=True)
            if case is None or case.status != "running":
                return 0
            with CaseRun(engine, session, case) as run:
                run.advance()
                if not run.fired:
                    session.rollback()
                    return 0
                run.save("timer")
                return len(run.fired)
    except DiagramError as exc:
        _mark_error(engine, case_id, exc)
        return 0


def _mark_error(engine: Engine, case_id: int, exc: DiagramError) -> None:
    """A diagram that fails when its timer fires stops the case (status ``error``) instead of failing forever."""
    from engine.store.records import lock_case

    log.error("case %s: %s", case_id, exc.message)
    with engine.db.write() as session:
        case = lock_case(session, case_id)
        if case is None or case.status != "running":
            return
        case.status = "error"
        session.query(Timer).filter(Timer.case_id == case_id).delete()
        audit.record(session, case_id, "timer", "error", message=exc.message, element=exc.details.get("element"))


def run_due(engine: Engine) -> int:
    """Fire every timer due now; returns how many fired."""
    fired, seen = 0, set()
    while True:
        with engine.db.read() as session:
            batch = due_case_ids(session, clock.now(), BATCH, seen)
        if not batch:
            return fired
        for case_id in batch:
            seen.add(case_id)
            fired += fire_case(engine, case_id)


def work(
    engine: Engine, stop: threading.Event, poll: float = 0.5, sleep: Callable[[float], object] | None = None
) -> None:
    """Until ``stop`` is set: fire due timers and send deadline notices, sleeping until the next timer is due (at
    most ``poll`` seconds, so a timer created by another process is picked up within that time). Mail goes out
    from a second thread, so a slow mail server never delays a timer; the calendar's upkeep (recounting
    provisional deadlines after a chinesecalendar upgrade, warning admins before the schedule runs out) from a
    third, hourly. ``sleep`` replaces the wait between sweeps (tests move a fixed clock instead of waiting)."""
    threads = [
        threading.Thread(target=_deliver_until, args=(engine, stop), daemon=True),
        threading.Thread(target=_keep_calendar, args=(engine, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        try:
            run_due(engine)
            sweep_deadlines(engine)
            with engine.db.read() as session:
                upcoming = next_fire_at(session)
        except Exception:  # the database restarting must not kill the worker
            log.exception("timer sweep failed; retrying")
            upcoming = None
        wait = poll if upcoming is None else min(poll, max((upcoming - clock.now()).total_seconds(), 0.0))
        (sleep or stop.wait)(wait)
    for thread in threads:
        thread.join(timeout=15)


def _keep_calendar(engine: Engine, stop: threading.Event, period: float = 3600.0) -> None:
    while not stop.is_set():
        try:
            provisional.follow_package(engine)
            provisional.warn_admins(engine)
        except Exception:
            log.exception("calendar upkeep failed; retrying")
        stop.wait(period)


def _deliver_until(engine: Engine, stop: threading.Event, poll: float = 2.0) -> None:
    while not stop.is_set():
        try:
            deliver_pending(engine)
        except Exception:
            log.exception("delivering notifications failed; retrying")
        stop.wait(poll)
