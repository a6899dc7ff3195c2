"""What an integration reads, as one person sees it: preplans, a case, its steps, its timeline, the lists with
their cursors. Each answer is read in one read transaction through :class:`engine.cases.sight.Sight`, so a case
or task the person may not see is not found, and confidential values are hidden, exactly as on the pages. Steps
carry their form as JSON Schema and every case answer its revision (the ETag an ``If-Match`` sends back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.sight import Sight
from engine.cases.views import case_comments, case_view, hide, task_view
from engine.cases.worklist import Page, case_list, work_list
from engine.people.users import get_user
from engine.preplans.listing import list_preplans
from engine.service.base import ServiceBase
from engine.store.models import Case, Task


class ReadOperations(ServiceBase):
    def preplans(self) -> list[dict[str, Any]]:
        """Every preplan with an active version, with its start form."""
        with self.db.read() as session:
            return list_preplans(session, self.versions)

    def case_detail(self, ref: str | int, *, user: str) -> dict[str, Any]:
        """A case as ``user`` may see it, with its timers, timeline, comments and ``revision``."""
        with self.db.read() as session:
            sight = self._sight(session, user)
            case = sight.case(ref)
            return {**case_view(session, case, self.tz, sight.hidden(case)), "revision": case.revision}

    def case_comments(self, ref: str | int, *, user: str) -> list[dict[str, Any]]:
        with self.db.read() as session:
            return case_comments(session, self._sight(session, user).case(ref), self.tz)

    def cases_page(
        self,
        *,
        user: str,
        status: str | None = None,
        overdue: bool = False,
        search: str | None = None,
        after: str | None = None,
        per_page: int = 20,
    ) -> Page:
        """The cases ``user`` may see, newest first, a page after the cursor ``after``."""
        with self.db.read() as session:
            sight = self._sight(session, user)
            return case_list(
                session, self.tz, sight, status=status, overdue=overdue, search=search, after=after, per_page=per_page
            )

    def work_page(self, *, user: str, scope: str = "all", after: str | None = None, per_page: int = 20) -> Page:
        """The open work of ``user`` (assigned to them, or unclaimed for their roles), by deadline, each step with
        its form as JSON Schema."""
        with self.db.read() as session:
            sight = self._sight(session, user)
            assert sight.user is not None
            page = work_list(
                session,
                self.tz,
                sight.user,
                sight.org,
                scope=scope,
                after=after,
                per_page=per_page,
                reminder_share=self.settings.reminder_share,
            )
            forms = {
                row.id: (row.form, row.version_id)
                for row in session.execute(
                    select(Task.id, Task.form, Case.version_id)
                    .join(Case, Task.case_id == Case.id)
                    .where(Task.id.in_([item["id"] for item in page.items]))
                )
            }
            items = [self._with_schema(session, item, *forms[item["id"]]) for item in page.items]
            return Page(items, page.total, page.capped, page.next, page.first)

    def case_steps(self, ref: str | int, *, user: str, closed: bool = False) -> tuple[list[dict[str, Any]], int]:
        """The steps of a case ``user`` may see (open ones; ``closed``: every one), by deadline, each with its form
        as JSON Schema; and the case's revision."""
        with self.db.read() as session:
            case = self._sight(session, user).case(ref)
            statement = select(Task).where(Task.case_id == case.id)
            if not closed:
                statement = statement.where(Task.status == "open")
            rows = session.scalars(statement.order_by(Task.due_at.is_(None), Task.due_at, Task.id)).all()
            key = self._preplan_key(session, case)
            views = [
                self._with_schema(session, task_view(row, case, key, self.tz), row.form, case.version_id)
                for row in rows
            ]
            return views, case.revision

    def task_detail(self, task_id: int | str, *, user: str) -> dict[str, Any]:
        """A step of a case ``user`` may see, with its form as JSON Schema, what it recorded (confidential values
        hidden) and its case's ``revision``."""
        with self.db.read() as session:
            sight = self._sight(session, user)
            row, case = sight.task(task_id)
            view = task_view(row, case, self._preplan_key(session, case), self.tz)
            view = self._with_schema(session, view, row.form, case.version_id)
            return {**view, "data": hide(row.data or {}, sight.hidden(case)), "revision": case.revision}

    def _sight(self, session: Session, user: str) -> Sight:
        return Sight(session, self.versions, get_user(session, user))

    def _preplan_key(self, session: Session, case: Case) -> str:
        return self.versions.info(session, case.version_id).preplan_key

    def _with_schema(self, session: Session, view: dict[str, Any], form: str | None, version_id: int) -> dict[str, Any]:
        """The step's form as its JSON Schema instead of its file name."""
        return {**view, "form": self.versions.info(session, version_id).manifest.form(form)}
