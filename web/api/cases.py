"""Cases: start (idempotent with an ``Idempotency-Key``), list, show, terminate; their timeline and comments."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from engine.errors import ValidationFailed, say

from .base import acting_user, answer, bp, engine, expected_revision, flag, json_body, page_size, text_arg


@bp.post("/cases")
def start() -> Response:
    body = json_body()
    preplan = _text(body, "preplan", say("the preplan's key is required"))
    data, unit = body.get("data", {}), body.get("unit")
    _require(isinstance(data, dict), "data", say("data must be a JSON object"))
    _require(unit is None or isinstance(unit, str), "unit", say("unit must be a unit's key"))
    started = engine().start(
        preplan, data, user=acting_user(), unit=unit, idempotency_key=request.headers.get("Idempotency-Key")
    )
    steps, revision = engine().case_steps(started["case"], user=acting_user())
    summary = {
        "id": started["case"],
        "business_key": started["business_key"],
        "preplan": preplan,
        "version": started["version"],
        "status": started["status"],
        "unit": started["unit"],
        "tasks": steps,
    }
    location = url_for("api.case", case=started["case"])
    return answer(summary, 201, revision=revision, headers={"Location": location})


@bp.get("/cases")
def cases() -> Response:
    page = engine().cases_page(
        user=acting_user(),
        status=text_arg("status", 16),
        overdue=flag("overdue"),
        search=text_arg("q"),
        after=text_arg("after"),
        per_page=page_size(),
    )
    items = [{"id": item["case"], **{k: v for k, v in item.items() if k != "case"}} for item in page.items]
    return answer({"items": items, "next": page.next})


@bp.get("/cases/<case>")
def case(case: str) -> Response:
    return _current(case)


@bp.post("/cases/<case>/terminate")
def terminate(case: str) -> Response:
    reason = _text(json_body(), "reason", say("a reason is required"))
    engine().terminate(case, reason, user=acting_user(), revision=expected_revision())
    return _current(case)


@bp.get("/cases/<case>/events")
def events(case: str) -> Response:
    view = engine().case_detail(case, user=acting_user())
    return answer(view["events"], revision=view["revision"])


@bp.get("/cases/<case>/comments")
def comments(case: str) -> Response:
    return answer(engine().case_comments(case, user=acting_user()))


@bp.post("/cases/<case>/comments")
def comment(case: str) -> Response:
    text = _text(json_body(), "text", say("the comment's text is required"))
    engine().comment(case, text, user=acting_user())
    return answer(engine().case_comments(case, user=acting_user()), 201)


def _current(case: str) -> Response:
    """The case as it is now, with its open steps and its revision as ETag."""
    view = engine().case_detail(case, user=acting_user())
    steps, _ = engine().case_steps(view["case"], user=acting_user())
    return answer(_case_out(view, steps), revision=view["revision"])


def _case_out(view: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The engine's case view with its id as ``id`` and its open steps with their forms."""
    hidden = {"case", "events", "comments"}
    return {"id": view["case"], **{k: v for k, v in view.items() if k not in hidden}, "tasks": steps}


def _require(condition: object, field: str, message: str) -> None:
    if not condition:
        raise ValidationFailed(say("the request has errors"), {field: message})


def _text(body: dict[str, Any], field: str, message: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(say("the request has errors"), {field: message})
    return value
