"""Delivering notifications from the outbox: pluggable senders, retries with exponential backoff.

Inbox notifications are delivered when written. Others are claimed in a short transaction (a lease, so two
workers never send the same message), sent outside any transaction, and the result recorded in another one; a
worker that dies between sending and recording may send a message twice, never zero times. A failing mail
server delays only mail: the workflow never waits for it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import clock
from engine.config import Settings, Smtp
from engine.store.db import Database
from engine.store.models import Notification, WebhookDelivery

log = logging.getLogger(__name__)
BATCH = 50
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 10
#: What is sent from the outbox: mail, and webhooks (:mod:`engine.notify.webhook_delivery`).
Outgoing = TypeVar("Outgoing", Notification, WebhookDelivery)


class Sender(Protocol):
    def __call__(self, notification: Notification) -> None: ...


def smtp_sender(smtp: Smtp) -> Sender:
    def send(notification: Notification) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = smtp.sender, notification.address, notification.subject
        message.set_content(notification.body)
        with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            client.send_message(message)

    return send


def senders(settings: Settings) -> dict[str, Sender]:
    smtp = settings.smtp
    return {"email": smtp_sender(smtp)} if smtp is not None else {}


def backoff(attempts: int) -> timedelta:
    delay: timedelta = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)
    return delay


def deliver_pending(db: Database, settings: Settings, channels: dict[str, Sender] | None = None) -> int:
    """Send what is due now; returns how many were sent."""
    channels = senders(settings) if channels is None else channels
    if not channels:
        return 0
    sent = 0
    while True:
        claimed = _claim(db, list(channels))
        for notification_id, channel, snapshot in claimed:
            error = _try(channels[channel], snapshot)
            _record(db, notification_id, error)
            sent += error is None
        if len(claimed) < BATCH:
            return sent


def _claim(db: Database, channels: list[str]) -> list[tuple[int, str, Notification]]:
    with db.write() as session:
        statement = (
            select(Notification)
            .where(
                Notification.sent_at.is_(None),
                Notification.next_attempt_at <= clock.real_now(),
                Notification.channel.in_(channels),
            )
            .order_by(Notification.next_attempt_at)
            .limit(BATCH)
        )
        return [(row.id, row.channel, row) for row in lease(session, statement)]


def lease(session: Session, statement: Select[Outgoing]) -> list[Outgoing]:
    """Take the due rows ``statement`` selects (skipping rows another worker is taking on PostgreSQL) and move
    their next attempt past :data:`LEASE`: if this worker dies, they are tried again after it. The rows come back
    detached, to be sent outside any transaction."""
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(skip_locked=True)
    rows = list(session.scalars(statement))
    until = clock.real_now() + LEASE
    for row in rows:
        row.next_attempt_at = until
    session.flush()
    session.expunge_all()
    return rows


def retry_at(attempts: int) -> datetime | None:
    """When to try again after ``attempts`` failed attempts; None once they are exhausted."""
    return clock.real_now() + backoff(attempts) if attempts < MAX_ATTEMPTS else None


def _try(send: Callable[[Notification], None], notification: Notification) -> str | None:
    try:
        send(notification)
        return None
    except Exception as exc:  # any failure of a sender is a delivery failure to retry, never a crash
        log.warning("notification %s to %s failed: %s", notification.id, notification.address, exc)
        return f"{type(exc).__name__}: {exc}"


def _record(db: Database, notification_id: int, error: str | None) -> None:
    with db.write() as session:
        row = session.get_one(Notification, notification_id)
        row.attempts += 1
        if error is None:
            row.sent_at, row.last_error, row.next_attempt_at = clock.real_now(), None, None
            return
        row.last_error = error
        row.next_attempt_at = retry_at(row.attempts)
