"""Finding and locking stored records: the case row lock every operation takes, the version new cases use."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound, say
from engine.store.models import Case, Preplan, PreplanVersion, Setting, Task


def lock_case(session: Session, case_id: int, *, skip_locked: bool = False) -> Case | None:
    """Row lock on PostgreSQL; on SQLite the write transaction (BEGIN IMMEDIATE) already excludes writers. The
    workflow state is not read: a live workflow at the case's revision makes it unnecessary."""
    return _locked(session, Case.id == case_id, skip_locked)


def lock_case_of_task(session: Session, task_id: int) -> Case | None:
    """The case of a task, locked, in one statement."""
    return _locked(session, Case.id == select(Task.case_id).where(Task.id == task_id).scalar_subquery(), False)


def _locked(session: Session, condition: ColumnElement[bool], skip_locked: bool) -> Case | None:
    statement = select(Case).where(condition).execution_options(populate_existing=True)
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(of=Case, skip_locked=skip_locked)
    return session.scalar(statement)


def newest_active_version(session: Session, key: str, *, active: bool = True) -> PreplanVersion:
    """The version new cases use (``active=False``: the newest whatever its status, for pages about it)."""
    statement = select(PreplanVersion).join(Preplan).where(Preplan.key == key)
    if active:
        statement = statement.where(PreplanVersion.status == "active")
    version = session.scalar(statement.order_by(PreplanVersion.number.desc()).limit(1))
    if version is None:
        raise NotFound(
            say("no deployed, active preplan '%(preplan)s'", preplan=key)
            if active
            else say("no deployed preplan '%(preplan)s'", preplan=key)
        )
    return version


def change_setting(session: Session, key: str, value: str, actor: str) -> bool:
    """Set a setting to ``value`` unless it already holds it; True when this call changed it. Safe when several
    workers race: the row is locked (or its insert refused) so exactly one of them sees True."""
    row = session.get(Setting, key, with_for_update=True, populate_existing=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(Setting(key=key, value=value, updated_by=actor, updated_at=clock.now()))
        except IntegrityError:
            return False
        return True
    if row.value == value:
        return False
    row.value, row.updated_by, row.updated_at = value, actor, clock.now()
    return True
