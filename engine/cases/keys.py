"""Business keys people quote on the phone: ``TS-20261122-0001`` (prefix, local date, daily sequence)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.models import Case

DRILL_PREFIX = "YL"  # 演练
TRIAL_PREFIX = "SY"  # 试用: a draft tried in the studio


def next_business_key(session: Session, prefix: str, now: datetime, tz: tzinfo) -> str:
    """Next free key of the day. Concurrent starts on PostgreSQL can collide; the unique index refuses the
    second and the caller retries."""
    stem = f"{prefix}-{now.astimezone(tz):%Y%m%d}-"
    last = session.scalar(
        select(Case.business_key)
        .where(Case.business_key.like(stem + "%"))
        .order_by(func.length(Case.business_key).desc(), Case.business_key.desc())
        .limit(1)
    )
    number = int(last[len(stem) :]) + 1 if last else 1
    return f"{stem}{number:04d}"
