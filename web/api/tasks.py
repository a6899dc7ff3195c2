"""Steps: a case's or one's own work (with each form as JSON Schema), one step, and working on it. Every change
honours ``If-Match`` (the case revision the caller read) and answers with the step as it is now."""

from __future__ import annotations

from flask import Response

from engine.errors import ValidationFailed, say

from .base import acting_user, answer, bp, engine, expected_revision, flag, json_body, page_size, text_arg


@bp.get("/tasks")
def tasks() -> Response:
    case = text_arg("case", 40)
    if case is not None:
        steps, revision = engine().case_steps(case, user=acting_user(), closed=flag("closed"))
        return answer({"items": steps, "next": None}, revision=revision)
    scope = text_arg("scope", 20) or "all"
    if scope not in ("all", "mine", "unassigned"):
        raise ValidationFailed(say("scope must be all, mine or unassigned"), {"scope": "invalid"})
    page = engine().work_page(user=acting_user(), scope=scope, after=text_arg("after"), per_page=page_size())
    return answer({"items": page.items, "next": page.next})


@bp.get("/tasks/<id:task>")
def task(task: int) -> Response:
    return _current(task)


@bp.post("/tasks/<id:task>/claim")
def claim(task: int) -> Response:
    engine().claim(task, user=acting_user(), revision=expected_revision())
    return _current(task)


@bp.post("/tasks/<id:task>/unclaim")
def unclaim(task: int) -> Response:
    engine().unclaim(task, user=acting_user(), revision=expected_revision())
    return _current(task)


@bp.post("/tasks/<id:task>/complete")
def complete(task: int) -> Response:
    body = json_body()
    data, corrections = body.get("data", {}), body.get("corrections", {})
    if not isinstance(data, dict) or not isinstance(corrections, dict):
        raise ValidationFailed(say("data and corrections must be JSON objects"), {"data": "must be a JSON object"})
    engine().complete(
        task,
        data,
        user=acting_user(),
        corrections={str(k): str(v) for k, v in corrections.items()},
        revision=expected_revision(),
    )
    return _current(task)


@bp.post("/tasks/<id:task>/reassign")
def reassign(task: int) -> Response:
    assignee = json_body().get("assignee")
    if not isinstance(assignee, str) or not assignee:
        raise ValidationFailed(say("the user to reassign to is required"), {"assignee": "required"})
    engine().reassign(task, assignee, user=acting_user(), revision=expected_revision())
    return _current(task)


def _current(task: int) -> Response:
    view = engine().task_detail(task, user=acting_user())
    return answer(view, revision=view.pop("revision"))
