"""The worker's idle sweep with many open cases: its cost must not grow with them (an index range scan)."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from engine import clock
from engine.service import Engine
from engine.service.timers import BATCH, due_case_ids, next_fire_at
from engine.store.models import Case, PreplanVersion, Timer

from .rows import running_case

CHUNK = 5000


def populate(engine: Engine, total: int) -> None:
    """Bring the number of open cases, each with a timer due in a year, to ``total`` (bulk insert)."""
    now = clock.now()
    with engine.db.write() as session:
        version_id = session.execute(select(PreplanVersion.id).limit(1)).scalar_one()
        have = session.query(Case).count()
        for first in range(have, total, CHUNK):
            rows = range(first, min(first + CHUNK, total))
            cases: list[dict[str, Any]] = [running_case(i + 1_000_000, version_id, f"BK-{i:08d}", now) for i in rows]
            session.execute(insert(Case), cases)
            due = now + timedelta(days=365)
            session.execute(
                insert(Timer),
                [
                    {
                        "case_id": i + 1_000_000,
                        "spiff_id": str(uuid.uuid4()),
                        "bpmn_id": "Timer",
                        "due_at": due,
                        "fire_at": due,
                    }
                    for i in rows
                ],
            )


def clear(engine: Engine) -> None:
    with engine.db.write() as session:
        session.execute(delete(Timer).where(Timer.case_id >= 1_000_000))
        session.execute(delete(Case).where(Case.id >= 1_000_000))


def idle_sweep_seconds(engine: Engine, repeats: int = 300) -> float:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        with engine.db.read() as session:
            due_case_ids(session, clock.now(), BATCH, set())
            next_fire_at(session)
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)
