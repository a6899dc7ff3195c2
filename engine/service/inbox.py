"""The in-app inbox: a user's notices, marked read as they are shown."""

from __future__ import annotations

from typing import Any

from engine.notify import notices
from engine.notify.notices import list_notifications
from engine.people.users import get_user
from engine.service.base import ServiceBase


class InboxOperations(ServiceBase):
    def open_inbox(self, user: str, *, limit: int = 200) -> list[dict[str, Any]]:
        """The user's newest notices (as they were before this opening), all marked read."""
        with self.db.write() as session:
            person = get_user(session, user)
            items = list_notifications(session, self.tz, user=person.name, channel="inbox", limit=limit)
            notices.mark_read(session, person.name)
            return items

    def unread(self, user: str) -> int:
        with self.db.read() as session:
            return notices.unread(session, user)
