"""A case's attachments as rows: adding one (its bytes to the store, its row, its audit event), the case's list,
and the check that a form's file fields name files of this case only."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import ValidationFailed, say
from engine.files.kinds import Checked, check
from engine.files.store import Store
from engine.preplans.conventions import file_fields
from engine.preplans.forms import FieldProblem
from engine.store import audit
from engine.store.models import Attachment, Task
from engine.timefmt import iso


def add(
    session: Session, store: Store, file: Checked, *, case_id: int | None, task_id: int | None, user: str
) -> Attachment:
    """Store the bytes (once per content) and write the row; audited once the row has its case."""
    store.put(file.sha256, file.data)
    row = Attachment(
        case_id=case_id,
        task_id=task_id,
        name=file.name,
        content_type=file.kind.content_type,
        size=file.size,
        sha256=file.sha256,
        uploaded_by=user,
        uploaded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    if case_id is not None:
        _audit(session, row)
    return row


def _audit(session: Session, row: Attachment) -> None:
    details = {"attachment": row.id, "name": row.name, "size": row.size, "sha256": row.sha256}
    audit.record(session, row.case_id, row.uploaded_by, "attached", task=row.task_id, **details)


def stage(
    session: Session, store: Store, uploads: Mapping[str, Sequence[tuple[str, bytes]]], user: str, limit: int
) -> dict[str, list[Attachment]]:
    """The files sent with a start form, stored before their case exists (see :func:`bind`); a file that may not be
    attached refuses the form, naming its field."""
    checked: dict[str, list[Checked]] = {}
    problems: dict[str, FieldProblem] = {}
    for field, files in uploads.items():
        try:
            checked[field] = [check(name, data, limit) for name, data in files]
        except ValidationFailed as exc:
            problems[field] = FieldProblem("file", exc.message, str(exc.message))
    if problems:
        raise ValidationFailed(say("the start form has errors"), problems)
    return {
        field: [add(session, store, file, case_id=None, task_id=None, user=user) for file in files]
        for field, files in checked.items()
    }


def bind(session: Session, staged: Mapping[str, list[Attachment]], case_id: int) -> None:
    """The start form's files become the new case's, in the transaction that started it."""
    for rows in staged.values():
        for row in rows:
            row.case_id = case_id
            _audit(session, row)


def foreign_files(
    session: Session, schema: Mapping[str, Any], data: Mapping[str, Any], case_id: int | None, staged: Collection[int]
) -> dict[str, FieldProblem]:
    """File fields naming an id that is not a file of this case (nor one sent with this form)."""
    wanted = {name: data[name] for name in file_fields(schema) if isinstance(data.get(name), list)}
    ids = {i for values in wanted.values() for i in values if isinstance(i, int) and not isinstance(i, bool)}
    ours = set(staged)
    if case_id is not None and ids - ours:
        ours |= set(
            session.scalars(select(Attachment.id).where(Attachment.case_id == case_id, Attachment.id.in_(ids - ours)))
        )
    return {
        name: FieldProblem("attachment", None, "names files that are not attached to this case")
        for name, values in wanted.items()
        if not set(values) <= ours
    }


def case_attachments(session: Session, case_id: int, tz: tzinfo) -> list[dict[str, Any]]:
    """The files of a case, oldest first, each with the step it came with."""
    rows = session.execute(
        select(Attachment, Task.name)
        .outerjoin(Task, Task.id == Attachment.task_id)
        .where(Attachment.case_id == case_id)
        .order_by(Attachment.id)
    ).all()
    return [{**as_json(row, tz), "step": step} for row, step in rows]


def as_json(row: Attachment, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": row.id,
        "case": row.case_id,
        "task": row.task_id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": iso(row.uploaded_at, tz),
    }
