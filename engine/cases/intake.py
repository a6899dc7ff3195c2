"""Starts sent with an ``Idempotency-Key``: a system that retries (a timeout, a lost answer) must not open a
second case. The same key from the same user with the same request answers with the case it started; the same
key with another request is refused. The request is compared by the sha256 of what it asks for (preplan, data,
unit, drill) in canonical JSON, so a retry that only spaces its JSON differently is the same request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, inputs
from engine.errors import Conflict, ValidationFailed, say
from engine.store.models import ApiIntake

#: Longest key accepted (clients send UUIDs or their own message ids).
MAX_KEY = 200


def request_digest(preplan: str, data: Mapping[str, Any], unit: str | None, drill: bool) -> str:
    text = json.dumps(
        {"preplan": preplan, "data": data, "unit": unit, "drill": drill},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def checked_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or inputs.text_problem(key):
        raise ValidationFailed(
            say("the Idempotency-Key must be 1 to %(n)s printable characters", n=MAX_KEY),
            {"Idempotency-Key": "invalid"},
        )
    return key


def earlier_case(session: Session, user: str, key: str, digest: str) -> int | None:
    """The case ``user`` started with ``key`` for this same request, or None when the key is new."""
    row = session.scalar(select(ApiIntake).where(ApiIntake.user_name == user, ApiIntake.intake_key == key))
    if row is None:
        return None
    if row.request_sha256 != digest:
        raise Conflict(
            say("the Idempotency-Key %(key)s was already used for another request; no case was started", key=key[:80]),
            case=row.case_id,
        )
    return row.case_id


def remember(session: Session, user: str, key: str, digest: str, case_id: int) -> None:
    session.add(
        ApiIntake(user_name=user, intake_key=key, request_sha256=digest, case_id=case_id, created_at=clock.now())
    )
