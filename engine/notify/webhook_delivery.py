"""Sending webhooks from the outbox, as mail is sent (:mod:`engine.notify.outbox`): due deliveries are leased in a
short transaction (SKIP LOCKED on PostgreSQL, so several workers never take the same row), POSTed outside any
transaction, and each attempt's outcome recorded in another one. A 2xx answer delivers; anything else (another
status, a redirect, a timeout, a refused connection) is retried with the outbox's backoff until its attempts are
exhausted, then the delivery has failed. A worker that dies between sending and recording may send a delivery
twice, never zero times: receivers tell repeats by ``X-Preplan-Delivery``.

Each request carries ``X-Preplan-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes with the
subscription's secret, so a receiver knows the body came from here unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import tzinfo
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.notify import outbox
from engine.store.db import Database
from engine.store.models import WebhookDelivery, WebhookSubscription
from engine.timefmt import iso

log = logging.getLogger(__name__)
#: Seconds to connect, and to wait for the answer: a slow receiver delays only its own deliveries.
TIMEOUT = (5.0, 10.0)
#: Deliveries leased at once: their worst-case time together stays well inside the outbox's lease.
BATCH = 5
OUTCOMES = ("delivered", "retrying", "failed")


def signature(secret: str, body: bytes) -> str:
    """The ``X-Preplan-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def deliver_pending(db: Database) -> dict[str, int]:
    """Attempt every delivery that is due now; returns how many attempts ended each way (:data:`OUTCOMES`)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    while True:
        claimed = _claim(db)
        for delivery, subscription in claimed:
            status, error = _post(subscription, delivery)
            counts[_record(db, delivery.id, status, error)] += 1
        if len(claimed) < BATCH:
            return counts


def _claim(db: Database) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    with db.write() as session:
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.next_attempt_at <= clock.real_now(),
                WebhookDelivery.subscription_id.in_(
                    select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True))
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(BATCH)
        )
        rows = outbox.lease(session, statement)
        ids = {row.subscription_id for row in rows}
        subscriptions = {
            s.id: s for s in session.scalars(select(WebhookSubscription).where(WebhookSubscription.id.in_(ids)))
        }
        return [(row, subscriptions[row.subscription_id]) for row in rows]


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """One attempt: the answer's status, and why it is not a delivery (None when it is)."""
    body = delivery.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "preplan-webhooks",
        "X-Preplan-Event": delivery.event,
        "X-Preplan-Delivery": delivery.delivery_id,
        "X-Preplan-Signature": signature(subscription.secret, body),
    }
    try:
        with requests.post(
            subscription.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        ) as response:  # stream: the answer's body is never read
            status = response.status_code
    except Exception as exc:  # any failure to reach the receiver is an attempt to retry, never a crash
        log.warning("webhook %s (%s) to %s failed: %s", delivery.delivery_id, delivery.event, subscription.url, exc)
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    if 200 <= status < 300:
        log.info("webhook %s (%s) delivered to %s: %s", delivery.delivery_id, delivery.event, subscription.url, status)
        return status, None
    log.warning("webhook %s (%s) to %s answered %s", delivery.delivery_id, delivery.event, subscription.url, status)
    return status, f"HTTP {status}"


def _record(db: Database, delivery_id: int, status: int | None, error: str | None) -> str:
    """Write one attempt's outcome; a delivery cancelled meanwhile is not tried again."""
    with db.write() as session:
        row = session.get_one(WebhookDelivery, delivery_id, with_for_update=True)
        row.attempts += 1
        row.last_status, row.last_error = status, error
        if error is None:
            row.status, row.delivered_at, row.next_attempt_at = "delivered", clock.real_now(), None
            return "delivered"
        retry = outbox.retry_at(row.attempts) if row.status == "pending" else None
        row.next_attempt_at = retry
        if retry is not None:
            return "retrying"
        if row.status == "pending":
            row.status = "failed"
        return "failed"


def delivery_log(session: Session, tz: tzinfo, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest deliveries, each with its subscription's URL and its attempts so far."""
    rows = session.execute(
        select(WebhookDelivery, WebhookSubscription.url)
        .join(WebhookSubscription, WebhookDelivery.subscription_id == WebhookSubscription.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": row.id,
            "delivery": row.delivery_id,
            "event": row.event,
            "subscription": row.subscription_id,
            "url": url,
            "case": row.case_id,
            "status": row.status,
            "attempts": row.attempts,
            "last_status": row.last_status,
            "last_error": row.last_error,
            "created_at": iso(row.created_at, tz),
            "next_attempt_at": iso(row.next_attempt_at, tz),
            "delivered_at": iso(row.delivered_at, tz),
        }
        for row, url in rows
    ]
