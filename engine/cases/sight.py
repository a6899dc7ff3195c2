"""What one person may see: the visibility rule (:func:`engine.people.access.case_clause`) and the confidential
fields, applied the same way by every adapter that shows cases (pages, ``show --as``, lists, figures)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from engine.cases.views import find_case
from engine.errors import NotFound, say
from engine.inputs import record_id
from engine.people import access
from engine.people.org import Org
from engine.preplans.catalog import VersionCache
from engine.store.models import Case, Task, User


class Sight:
    """``user`` None is the operator of the command line (the server's own credentials): it sees everything."""

    def __init__(self, session: Session, versions: VersionCache, user: User | None) -> None:
        self.session, self.versions, self.user = session, versions, user
        self.org = Org.load(session)

    @property
    def cases(self) -> ColumnElement[bool]:
        """The condition on :class:`Case` every list, search and count applies."""
        return true() if self.user is None else access.case_clause(self.user, self.org)

    def case(self, ref: str | int) -> Case:
        """A case by id or key; one the user may not see is not found, the same answer as a case that does not
        exist."""
        case = find_case(self.session, ref)
        if self.user is not None:
            access.require_visible(self.session, self.user, case, self.org, ref)
        return case

    def task(self, task_id: int | str) -> tuple[Task, Case]:
        """A task of a case the user may see, and its case; any other is not found."""
        row = self.session.get(Task, record_id(task_id, "task"))
        case = self.session.get(Case, row.case_id) if row is not None else None
        if row is None or case is None or (self.user is not None and not self.may_see(case)):
            raise NotFound(say("no task %(value)s", value=str(task_id)[:40]))
        return row, case

    def may_see(self, case: Case) -> bool:
        return self.user is None or access.may_see_case(self.session, self.user, case, self.org)

    def hidden(self, case: Case) -> set[str]:
        """The confidential fields of the case whose values this user may not read."""
        confidential = self.versions.info(self.session, case.version_id).manifest.confidential
        if self.user is None or not confidential:
            return set()
        return set(confidential) - access.readable_fields(self.session, self.user, case, self.org, confidential)
