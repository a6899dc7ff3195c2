"""Attachment operations: attach a file to a case or one of its steps, list a case's files, open one to download.
Attaching follows :func:`engine.people.access.require_attach`; reading follows the visibility rule (a file of a
case one may not see is not found, like one that does not exist)."""

from __future__ import annotations

from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from engine import inputs
from engine.cases import attachments
from engine.cases.sight import Sight
from engine.cases.views import find_case
from engine.errors import NotFound, say
from engine.files import thumbnails
from engine.files.kinds import check
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.service.base import OPERATOR, ServiceBase
from engine.store.models import Attachment, Case, Task


class AttachmentOperations(ServiceBase):
    def attach(
        self, case_ref: str | int, name: str, data: bytes, *, user: str | None, task: int | str | None = None
    ) -> dict[str, Any]:
        """Attach ``data`` (checked: size, kind by content, a safe name) to a case, or to one of its steps;
        ``user`` None is the operator of the command line."""
        file = check(name, data, self.settings.attachment_bytes)
        with self.db.write() as session:
            person = get_user(session, user) if user is not None else None
            case = find_case(session, case_ref)
            access.require_attach(session, person, case, Org.load(session), case_ref)
            task_id = None
            if task is not None:
                step = session.get(Task, inputs.record_id(task, "task"))
                if step is None or step.case_id != case.id:
                    raise NotFound(say("case %(case)s has no task %(task)s", case=case.business_key, task=task))
                task_id = step.id
            row = attachments.add(
                session, self.files, file, case_id=case.id, task_id=task_id, user=person.name if person else OPERATOR
            )
            return attachments.as_json(row, self.tz)

    def attachments(self, case_ref: str | int, *, user: str | None) -> list[dict[str, Any]]:
        with self.db.read() as session:
            case = self._sight_for(session, user).case(case_ref)
            return attachments.case_attachments(session, case.id, self.tz)

    def open_attachment(self, attachment_id: int | str, *, user: str | None) -> tuple[dict[str, Any], BinaryIO]:
        """The file's description and its bytes, for whoever may see its case."""
        with self.db.read() as session:
            row = self._visible(session, attachment_id, user)
            return attachments.as_json(row, self.tz), self.files.open(row.sha256)

    def thumbnail(self, attachment_id: int | str, *, user: str | None) -> bytes | None:
        """A small JPEG of a photo (made once, kept next to it); None for other files and unreadable images."""
        with self.db.read() as session:
            row = self._visible(session, attachment_id, user)
        return thumbnails.thumbnail(self.files, row.sha256) if row.content_type.startswith("image/") else None

    def _sight_for(self, session: Session, user: str | None) -> Sight:
        return Sight(session, self.versions, get_user(session, user) if user is not None else None)

    def _visible(self, session: Session, attachment_id: int | str, user: str | None) -> Attachment:
        row = session.get(Attachment, inputs.record_id(attachment_id, "attachment"))
        case = session.get(Case, row.case_id) if row is not None and row.case_id is not None else None
        if row is None or case is None or not self._sight_for(session, user).may_see(case):
            raise NotFound(say("no attachment %(value)s", value=str(attachment_id)[:40]))
        return row
