"""The cases list and the task list as tables to export (:mod:`engine.tabular` writes them): every row the list
would show the person over all its pages, in the list's order, with the list's filters, read in batches by the
list's own cursor, so an export is scoped and ordered exactly as the pages are.

With a preplan chosen, the cases table adds the fields of its start form (complainant, contact, description…);
a confidential field's value is hidden as the case page hides it (``Sight.hidden``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.sight import Sight
from engine.cases.views import hide
from engine.cases.worklist import Page, case_list, work_list
from engine.people.users import role_titles
from engine.preplans.conventions import file_fields
from engine.store.models import Case
from engine.tabular import Column, Kind, Table, instant

#: Rows read per query.
BATCH = 500
STATUS = {"running": "办理中", "completed": "已完成", "terminated": "已终止", "error": "出错", "suspended": "已暂停"}
TASK_STATUS = {"ready": "待认领", "claimed": "已认领"}
CASE_COLUMNS = (
    Column("案件编号"),
    Column("标题"),
    Column("预案"),
    Column("单位"),
    Column("状态"),
    Column("严重程度"),
    Column("演练", "flag"),
    Column("逾期", "flag"),
    Column("开始时间", "instant"),
    Column("结束时间", "instant"),
)
TASK_COLUMNS = (
    Column("任务编号", "number"),
    Column("案件编号"),
    Column("案件标题"),
    Column("预案"),
    Column("步骤"),
    Column("角色"),
    Column("单位"),
    Column("办理人"),
    Column("状态"),
    Column("创建时间", "instant"),
    Column("截止时间", "instant"),
    Column("截止时间暂定", "flag"),
    Column("逾期", "flag"),
    Column("演练", "flag"),
)
_KINDS: dict[str, Kind] = {"integer": "number", "number": "number", "boolean": "flag"}


def cases_table(session: Session, tz: tzinfo, sight: Sight, *, preplan: str | None = None, **filters: Any) -> Table:
    """The cases list (``filters``: those of :func:`case_list`)."""
    fields: list[tuple[str, Mapping[str, Any]]] = []
    if preplan:
        schema = sight.versions.newest(session, preplan, active=False).manifest.start_schema
        files = set(file_fields(schema))
        fields = [(name, spec) for name, spec in schema.get("properties", {}).items() if name not in files]
    columns = CASE_COLUMNS + tuple(
        Column(spec.get("title", name), _KINDS.get(str(spec.get("type")), "text")) for name, spec in fields
    )

    def rows() -> Iterator[list[Any]]:
        for page in _pages(
            lambda after: case_list(
                session, tz, sight, preplan=preplan, after=after, per_page=BATCH, count_cap=0, **filters
            )
        ):
            cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_([i["case"] for i in page])))}
            for item in page:
                data = hide(dict(cases[item["case"]].data), sight.hidden(cases[item["case"]])) if fields else {}
                yield [
                    item["business_key"],
                    item["title"],
                    item["preplan_title"]["zh"],
                    item["unit_name"],
                    STATUS.get(item["status"], item["status"]),
                    item["severity"],
                    item["is_drill"],
                    item["overdue"],
                    instant(item["started_at"]),
                    instant(item["ended_at"]),
                    *(_value(data.get(name)) for name, _ in fields),
                ]

    return Table("案件", columns, rows())


def tasks_table(session: Session, tz: tzinfo, sight: Sight, *, reminder_share: float, **filters: Any) -> Table:
    """The work list of ``sight``'s person (every open task for the operator; ``filters``: those of
    :func:`work_list`)."""
    roles = role_titles(session)

    def rows() -> Iterator[list[Any]]:
        for page in _pages(
            lambda after: work_list(
                session,
                tz,
                sight.user,
                sight.org,
                after=after,
                per_page=BATCH,
                count_cap=0,
                reminder_share=reminder_share,
                **filters,
            )
        ):
            for item in page:
                yield [
                    item["id"],
                    item["business_key"],
                    item["case_title"],
                    item["preplan_title"]["zh"],
                    item["name"],
                    roles.get(item["role"], {}).get("zh") or item["role"],
                    item["unit_name"],
                    item["assignee"],
                    TASK_STATUS.get(item["status"], item["status"]),
                    instant(item["created_at"]),
                    instant(item["due_at"]),
                    item["due_provisional"],
                    item["overdue"],
                    item["is_drill"],
                ]

    return Table("任务", TASK_COLUMNS, rows())


def _pages(page_at: Callable[[str | None], Page]) -> Iterator[list[dict[str, Any]]]:
    """Every page's items, following the list's cursor."""
    after: str | None = None
    while True:
        page = page_at(after)
        yield page.items
        if page.next is None:
            return
        after = page.next


def _value(value: Any) -> Any:
    """A field's value as one cell."""
    if isinstance(value, list):
        return "、".join(str(_value(v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
