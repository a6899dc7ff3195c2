"""Finding and locking stored records: the case row lock every operation takes, the version new cases use."""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound, say
from engine.store.models import Case, Preplan, PreplanVersion, Setting, Task

S = TypeVar("S", bound=Select[*tuple[Any, ...]])

#: Raised by every change to what each step reads about the installation (its units, its webhook subscriptions):
#: a process keeps what it read while this holds.
SETUP_REVISION = "setup_revision"


def lock_case(session: Session, case_id: int, *, skip_locked: bool = False) -> Case | None:
    """Row lock on PostgreSQL; on SQLite the write transaction (BEGIN IMMEDIATE) already excludes writers. The
    workflow state is not read: a live workflow at the case's revision makes it unnecessary."""
    return _locked(session, Case.id == case_id, skip_locked)


def lock_case_of_task(session: Session, task_id: int) -> tuple[Case, str] | None:
    """The case of a task, locked, and the setup's revision (:data:`SETUP_REVISION`), in one statement: an operation
    whose process holds the setup at that revision reads no unit and no subscription."""
    revision = func.coalesce(select(Setting.value).where(Setting.key == SETUP_REVISION).scalar_subquery(), "0")
    statement = (
        select(Case, revision)
        .where(Case.id == select(Task.case_id).where(Task.id == task_id).scalar_subquery())
        .execution_options(populate_existing=True)
    )
    row = session.execute(_for_update(session, statement, False)).first()
    return (row[0], row[1]) if row is not None else None


def _locked(session: Session, condition: ColumnElement[bool], skip_locked: bool) -> Case | None:
    statement = select(Case).where(condition).execution_options(populate_existing=True)
    return session.scalar(_for_update(session, statement, skip_locked))


def _for_update(session: Session, statement: S, skip_locked: bool) -> S:
    if session.get_bind().dialect.name == "sqlite":
        return statement
    return statement.with_for_update(of=Case, skip_locked=skip_locked)


def trial_id() -> int:
    """The id of a trial's case and of its hidden version (a draft tried in the studio): negative and random, so no
    real record ever takes it and a discarded trial's id does not come back (processes cache versions and live
    workflows by id, and SQLite hands a deleted highest id out again)."""
    return -secrets.randbelow(2**31 - 2) - 1


def raise_revision(session: Session, key: str, actor: str) -> None:
    """Count one more change of what the setting ``key`` follows (its row locked: concurrent changes each count)."""
    row = session.get(Setting, key, with_for_update=True, populate_existing=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(Setting(key=key, value="1", updated_by=actor, updated_at=clock.now()))
            return
        except IntegrityError:
            row = session.get_one(Setting, key, with_for_update=True, populate_existing=True)
    row.value, row.updated_by, row.updated_at = str(int(row.value) + 1), actor, clock.now()


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
