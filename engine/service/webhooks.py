"""Webhooks out: subscriptions kept by admins (or the operator of the command line), their delivery log, and
delivering what is due (``preplan webhooks deliver`` once; the worker continuously). The deliveries themselves
are written by the operations whose changes they announce (:mod:`engine.notify.webhooks`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from engine import clock, inputs
from engine.errors import NotFound, say
from engine.notify import webhook_delivery, webhooks
from engine.people import access
from engine.service.base import OPERATOR, ServiceBase
from engine.store import audit
from engine.store.models import WebhookDelivery, WebhookSubscription
from engine.store.records import SETUP_REVISION, raise_revision


class WebhookOperations(ServiceBase):
    def add_webhook(self, url: str, events: Iterable[str], secret: str, *, user: str | None = None) -> dict[str, Any]:
        """Subscribe ``url`` to ``events``; each delivery is signed with ``secret``."""
        url, chosen, secret = (
            webhooks.checked_url(url),
            webhooks.checked_events(events),
            webhooks.checked_secret(secret),
        )
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            row = WebhookSubscription(
                url=url, events=chosen, secret=secret, active=True, created_by=actor, created_at=clock.real_now()
            )
            session.add(row)
            session.flush()
            raise_revision(session, SETUP_REVISION, actor)
            audit.record(session, None, actor, "webhook_added", webhook=row.id, url=url, events=chosen)
            return webhooks.subscription_json(row, self.tz)

    def deactivate_webhook(self, subscription_id: int | str, *, user: str | None = None) -> dict[str, Any]:
        """Stop a subscription: nothing more is written for it, and its pending deliveries are cancelled."""
        number = inputs.record_id(subscription_id, "webhook")
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            row = session.get(WebhookSubscription, number, with_for_update=True)
            if row is None:
                raise NotFound(say("no webhook %(value)s", value=number))
            row.active = False
            raise_revision(session, SETUP_REVISION, actor)
            cancelled = len(
                session.scalars(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.subscription_id == number, WebhookDelivery.status == "pending")
                    .values(status="cancelled", next_attempt_at=None)
                    .returning(WebhookDelivery.id)
                ).all()
            )
            audit.record(session, None, actor, "webhook_deactivated", webhook=number, url=row.url, cancelled=cancelled)
            return {**webhooks.subscription_json(row, self.tz), "cancelled": cancelled}

    def list_webhooks(self, *, user: str | None = None) -> list[dict[str, Any]]:
        """Every subscription, active first, newest first."""
        with self.db.read() as session:
            self.acting(session, user, access.require_admin, OPERATOR)
            rows = session.scalars(
                select(WebhookSubscription).order_by(WebhookSubscription.active.desc(), WebhookSubscription.id.desc())
            )
            return [webhooks.subscription_json(row, self.tz) for row in rows]

    def webhook_log(self, *, user: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The newest deliveries and how their attempts went."""
        with self.db.read() as session:
            self.acting(session, user, access.require_admin, OPERATOR)
            return webhook_delivery.delivery_log(session, self.tz, limit=limit)

    def deliver_webhooks(self) -> dict[str, int]:
        """Attempt the deliveries that are due; returns how many attempts were delivered, will be retried, failed."""
        return webhook_delivery.deliver_pending(self.db)
