"""The dashboard page: for supervisors only (a nav link for them), the units they supervise, the figures in tables
beside the charts' data, drills apart, both languages."""

from __future__ import annotations

import json
import re

from tests.engine.test_figures import walk
from tests.web.conftest import Browser, text

NOVEMBER = "/dashboard?from=2026-11-01&to=2026-11-30"


def test_supervisors_read_the_figures_of_their_units(app):
    walk(app.flow)
    boss = Browser(app).login("boss")
    page = text(boss.get(NOVEMBER))
    assert 'href="/dashboard"' in page and "统计看板" in page
    section = page.split('id="real-mini_complaint"')[1]
    all_row = re.search(r"<tfoot><tr><th scope=\"row\">全部</th>(.*?)</tr>", section, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", all_row) == ["4", "4", "75.0%", "33.3%", "4.0", "404.3", "1", "1"]
    chart = json.loads(
        re.search(r'<script type="application/json" class="chart-data">(.*?)</script>', page, re.S).group(1)
    )
    assert chart["month"] == [{"period": "2026-11", "opened": 4, "closed": 4}]
    assert [row["opened"] for row in chart["severity"]] == [1, 3]
    assert "演练（不计入以上统计）" not in page
    with_drills = text(boss.get(NOVEMBER + "&drills=1"))
    assert 'id="drill-mini_complaint"' in with_drills and "演练（不计入以上统计）" in with_drills


def test_a_branch_supervisor_chooses_among_its_units(app):
    walk(app.flow)
    branch = Browser(app, "en").login("hs_sup")
    page = text(branch.get(NOVEMBER))
    assert re.findall(r'<option value="(\w+)"', page) == ["hs", "other", "tunxi"]
    assert "Cases opened" in page
    station = text(branch.get(NOVEMBER + "&unit=tunxi"))
    assert re.search(r"<tfoot>.*?<td>(\d+)</td>", station, re.S).group(1) == "2"
    assert branch.get(NOVEMBER + "&unit=vk").status_code == 403
    assert branch.get("/dashboard?from=2026-11-30&to=2026-11-01").status_code == 400
    assert branch.get("/dashboard?from=someday").status_code == 400


def test_others_see_neither_the_link_nor_the_page(app):
    li = Browser(app).login("li")
    assert 'href="/dashboard"' not in text(li.get("/tasks"))
    assert li.get("/dashboard").status_code == 403
