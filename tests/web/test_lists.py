"""The task and cases lists page by the last row seen: "Next ›" carries the cursor and the filters, "First page"
goes back, the count is shown, and a cursor or an old page number that is not one shows the first page."""

from __future__ import annotations

import html
import re

from tests.engine.conftest import GENERAL
from tests.web.conftest import Browser, text


def _links(page: str, rel: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'<a href="([^"]+)" rel="{rel}">', page)]


def test_next_pages_keep_the_filters_and_show_every_task_once(app):
    for n in range(23):
        app.flow.start("mini_complaint", {**GENERAL, "customer": f"客户{n}"}, user="wang")
    wang = Browser(app).login("wang")
    first = text(wang.get("/tasks?scope=unassigned&sort=-due"))
    assert "共 23 条" in first and not _links(first, "first")
    (following,) = _links(first, "next")
    assert "scope=unassigned" in following and "sort=-due" in following and "after=" in following
    second = text(wang.get(following))
    assert not _links(second, "next") and _links(second, "first") == [
        "/tasks?preplan=&severity=&scope=unassigned&overdue=&sort=-due&q="
    ]
    shown = re.findall(r'data-task="(\d+)"', first) + re.findall(r'data-task="(\d+)"', second)
    assert len(shown) == len(set(shown)) == 23

    boss = Browser(app, language="en").login("boss")
    cases = text(boss.get("/cases?status=running"))
    assert "23 in all" in cases and "Next ›" in cases
    (more,) = _links(cases, "next")
    assert "status=running" in more and "First page" in text(boss.get(more))
