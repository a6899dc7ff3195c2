"""Webhooks out: who is subscribed to which case and task events, and the deliveries an event writes.

An event writes one :class:`WebhookDelivery` per active subscription to it, in the transaction of the change
that caused it, so a change that rolls back tells nobody; :mod:`engine.notify.webhook_delivery` sends them.

The body is deliberately small and the same for every receiver::

    {"event": "task.created", "delivery": "<uuid>", "occurred_at": "<ISO 8601>",
     "case": {"id", "business_key", "preplan", "unit", "status", "drill"},
     "task": {"id", "name", "bpmn_id", "role", "unit", "assignee", "status", "due_at"},   (task events, and
     "escalation": {"bpmn_id", "name"}}                                                   case.escalated)

No form data, case title or comment is sent: a receiver is no user of any unit, so it holds no role that may read
a confidential field (``x-confidential``) and no access rule could decide what it sees. It reads the rest through
the API with a token, as that token's user sees it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import Text, ValidationFailed, say
from engine.inputs import text_problem
from engine.store.models import Case, Preplan, PreplanVersion, Task, WebhookDelivery, WebhookSubscription
from engine.timefmt import iso

EVENTS = ("case.started", "task.created", "task.completed", "task.overdue", "case.escalated", "case.completed")
MAX_URL = 2000
MAX_SECRET = 200
_SUBSCRIBED = "preplan_webhook_subscriptions"
_PREPLANS = "preplan_webhook_preplans"


# -- subscriptions ------------------------------------------------------------------------------------------------
def checked_url(value: str) -> str:
    """An http or https URL with a host and no credentials in it (they would show in every list and log)."""
    url = (value or "").strip()
    problem = _url_problem(url)
    if problem is not None:
        raise ValidationFailed(problem, {"url": str(problem)})
    return url


def _url_problem(url: str) -> Text | None:
    if not url:
        return say("the webhook URL is required")
    if len(url) > MAX_URL or text_problem(url) or any(ch.isspace() for ch in url):
        return say(
            "the webhook URL must be at most %(limit)s characters, without spaces or control characters", limit=MAX_URL
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return say("the webhook URL must be an http:// or https:// address with a host")
    if parts.username is not None or parts.password is not None:
        return say("the webhook URL must not hold a user name or password")
    try:
        parts.port  # noqa: B018 - reading it is the check: a port that is not a number raises
    except ValueError:
        return say("the webhook URL has a port that is not a number from 0 to 65535")
    return None


def checked_events(values: Iterable[str]) -> list[str]:
    """Known event names, each once, in the documented order."""
    given = {v.strip() for v in values if v and v.strip()}
    unknown = sorted(given - set(EVENTS))
    if unknown or not given:
        problem = f"must be some of {', '.join(EVENTS)}"
        raise ValidationFailed(
            say(
                "unknown webhook events: %(events)s (known: %(known)s)",
                events=", ".join(unknown),
                known=", ".join(EVENTS),
            )
            if unknown
            else say("choose at least one event (known: %(known)s)", known=", ".join(EVENTS)),
            {"events": problem},
        )
    return [event for event in EVENTS if event in given]


def checked_secret(value: str) -> str:
    secret = value or ""
    if not secret.strip() or len(secret) > MAX_SECRET or text_problem(secret):
        raise ValidationFailed(
            say("the webhook secret must be 1 to %(limit)s characters without control characters", limit=MAX_SECRET),
            {"secret": f"must be 1 to {MAX_SECRET} characters without control characters"},
        )
    return secret


def subscription_json(row: WebhookSubscription, tz: tzinfo) -> dict[str, Any]:
    """A subscription as lists show it: never its secret."""
    return {
        "id": row.id,
        "url": row.url,
        "events": list(row.events),
        "active": row.active,
        "created_by": row.created_by,
        "created_at": iso(row.created_at, tz),
    }


# -- producing ----------------------------------------------------------------------------------------------------
def publish(
    session: Session,
    tz: tzinfo,
    event: str,
    case: Case,
    *,
    task: Task | None = None,
    preplan: str | None = None,
    escalation: dict[str, Any] | None = None,
) -> int:
    """Write the deliveries of ``event`` (one per active subscription to it) in ``session``'s transaction; returns
    how many. Subscriptions are read once per transaction, and nothing more is done when none wants the event."""
    assert event in EVENTS, event
    if case.is_trial:  # a trial of a draft in the studio tells no one
        return 0
    targets = [sid for sid, events in _subscriptions(session) if event in events]
    if not targets:
        return 0
    body: dict[str, Any] = {
        "event": event,
        "delivery": "",
        "occurred_at": iso(clock.real_now(), tz),
        "case": {
            "id": case.id,
            "business_key": case.business_key,
            "preplan": preplan or _preplan_key(session, case.version_id),
            "unit": case.unit_key,
            "status": case.status,
            "drill": case.is_drill,
        },
    }
    if task is not None:
        body["task"] = task_json(task, tz)
    if escalation is not None:
        body["escalation"] = {"bpmn_id": escalation["bpmn_id"], "name": escalation["name"]}
    now = clock.real_now()
    for subscription_id in targets:
        delivery = str(uuid.uuid4())
        session.add(
            WebhookDelivery(
                subscription_id=subscription_id,
                event=event,
                delivery_id=delivery,
                case_id=case.id,
                body=json.dumps({**body, "delivery": delivery}, ensure_ascii=False, separators=(",", ":")),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(targets)


def task_json(task: Task, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": task.id,
        "name": task.name,
        "bpmn_id": task.bpmn_id,
        "role": task.role,
        "unit": task.unit_key,
        "assignee": task.assignee,
        "status": task.status,
        "due_at": iso(task.due_at, tz),
    }


#: The active subscriptions: (id, the events it wants).
Subscriptions = list[tuple[int, frozenset[str]]]


def active_subscriptions(session: Session) -> Subscriptions:
    rows = session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events).where(WebhookSubscription.active.is_(True))
    )
    return [(sid, frozenset(events)) for sid, events in rows]


def use_subscriptions(session: Session, subscriptions: Subscriptions) -> None:
    """Let ``session``'s transaction use subscriptions already known to be current (the process's, at the setup
    revision its lock read)."""
    session.info[_SUBSCRIBED] = subscriptions


def _subscriptions(session: Session) -> Subscriptions:
    """The active subscriptions and their events, read at the first event of a transaction (a session is one
    transaction: :meth:`engine.store.db.Database.write`) unless the operation knew them already."""
    cached: Subscriptions | None = session.info.get(_SUBSCRIBED)
    if cached is None:
        cached = session.info[_SUBSCRIBED] = active_subscriptions(session)
    return cached


def _preplan_key(session: Session, version_id: int) -> str:
    keys: dict[int, str] = session.info.setdefault(_PREPLANS, {})
    if version_id not in keys:
        keys[version_id] = (
            session.scalar(select(Preplan.key).join(PreplanVersion).where(PreplanVersion.id == version_id)) or ""
        )
    return keys[version_id]
