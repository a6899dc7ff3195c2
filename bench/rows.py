"""Rows the benchmarks write in bulk (Core inserts, no engine): a running case as the engine would have stored it
before its first step, so lists and sweeps can be measured at sizes no walk could reach in minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.store.models import ROOT_UNIT


def running_case(
    case_id: int,
    version_id: int,
    business_key: str,
    now: datetime,
    *,
    started_at: datetime | None = None,
    title: str = "",
    unit: str = ROOT_UNIT,
) -> dict[str, Any]:
    return {
        "id": case_id,
        "version_id": version_id,
        "business_key": business_key,
        "title": title,
        "status": "running",
        "is_drill": False,
        "clock_offset_seconds": 0.0,
        "state": {},
        "data": {},
        "revision": 1,
        "started_by": "bench",
        "started_at": started_at or now,
        "updated_at": now,
        "unit_key": unit,
    }
