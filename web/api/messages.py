"""Events into running cases: a message to one case (by id or business key, or found by a correlation) and a signal
to every waiting case of a preplan. The engine finds what catches the event and refuses a case that waits for none."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.errors import ValidationFailed, say

from .base import acting_user, answer, bp, engine, json_body


@bp.post("/cases/<case>/messages")
def case_message(case: str) -> Response:
    name, data, _ = _event(json_body())
    return answer(_delivery(engine().send_message(case, name, data, user=acting_user())))


@bp.post("/messages")
def correlated_message() -> Response:
    name, data, body = _event(json_body())
    if "correlation" not in body:
        raise ValidationFailed(say("the request has errors"), {"correlation": "is required"})
    return answer(_delivery(engine().correlate(name, body["correlation"], data, user=acting_user())))


@bp.post("/preplans/<key>/signals")
def signal(key: str) -> Response:
    name, data, _ = _event(json_body())
    report = engine().broadcast_signal(key, name, data, user=acting_user())
    cases = [_delivery(outcome) for outcome in report["cases"]]
    return answer({"preplan": report["preplan"], "signal": report["signal"], "cases": cases})


def _event(body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The event's name and data from a request body (the engine checks both)."""
    name, data = body.get("name"), body.get("data", {})
    if not isinstance(name, str):
        raise ValidationFailed(say("the request has errors"), {"name": "is required"})
    return name, data, body


def _delivery(outcome: dict[str, Any]) -> dict[str, Any]:
    """The engine's answer with the case's id as ``id``, as every case of the API is named."""
    return {"id": outcome["case"], **{k: v for k, v in outcome.items() if k != "case"}}
