"""Versions of a preplan: list, compare (a diff of the files as deployed), retire and reactivate.

A retired version starts no new case; the cases already running on it carry on. New cases use the newest active
version. A running case stays on the version it started with unless an admin moves it onto a newer one
(:mod:`engine.cases.migration`, ``preplan migrate``).
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, say
from engine.inputs import record_id
from engine.store import audit
from engine.store.models import Preplan, PreplanVersion


def find_version(session: Session, key: str, number: int) -> PreplanVersion:
    number = record_id(number, "version")
    version = session.scalar(
        select(PreplanVersion).join(Preplan).where(Preplan.key == key, PreplanVersion.number == number)
    )
    if version is None:
        raise NotFound(say("%(preplan)s has no version %(number)s", preplan=key, number=number))
    return version


def set_status(session: Session, key: str, number: int, status: str, actor: str) -> dict[str, Any]:
    if status not in ("active", "retired"):
        raise ValueError(status)
    version = find_version(session, key, number)
    if version.status == status:
        raise Conflict(
            say("%(preplan)s v%(number)s is already retired", preplan=key, number=number)
            if status == "retired"
            else say("%(preplan)s v%(number)s is already active", preplan=key, number=number)
        )
    version.status = status
    audit.record(session, None, actor, "retired" if status == "retired" else "reactivated", preplan=key, version=number)
    return {"preplan": key, "version": number, "status": status}


def version_files(session: Session, key: str, number: int) -> dict[str, str]:
    """A version's files as deployed, named as :class:`engine.preplans.package.PreplanPackage` names them."""
    return dict(find_version(session, key, number).files)


def compare(session: Session, key: str, old: int, new: int) -> list[dict[str, Any]]:
    """Per changed file: ``{"file", "change": added|removed|changed, "diff": unified diff lines}`` (for developers;
    engine/preplans/changes says what changed in words)."""
    before, after = version_files(session, key, old), version_files(session, key, new)
    changes = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        diff = list(
            difflib.unified_diff(
                (a or "").splitlines(), (b or "").splitlines(), f"v{old}/{name}", f"v{new}/{name}", lineterm="", n=2
            )
        )
        changes.append(
            {"file": name, "change": "added" if a is None else "removed" if b is None else "changed", "diff": diff}
        )
    return changes
