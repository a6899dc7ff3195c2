"""Browser: a supervisor reads the dashboard; the charts are drawn (SVG, under the Content-Security-Policy) and
the table beside them holds the hand-counted figures. The screenshot is kept in the test's output folder."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.engine.test_figures import walk
from tests.flow import Flow

pytestmark = pytest.mark.browser


def test_dashboard_draws_its_charts_beside_the_numbers(sqlite_engine, live_server, new_page, tmp_path):
    flow = Flow(sqlite_engine)
    walk(flow)
    flow.user("boss", "supervisor")
    page = new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in(page, live_server, "boss")
    page.goto(f"{live_server}/dashboard?from=2026-11-01&to=2026-11-30&drills=1")
    section = page.locator("#real-mini_complaint")
    for kind in ("trend", "severity", "steps"):
        section.locator(f'[data-chart="{kind}"] svg').wait_for()
    assert section.locator("[data-chart] svg").count() == 3
    assert page.locator("#drill-mini_complaint [data-chart] svg").count() == 3
    totals = section.locator("table.severity tfoot td").all_inner_texts()
    assert totals == ["4", "4", "75.0%", "33.3%", "4.0", "404.3", "1", "1"]
    rows = section.locator("table.severity tbody tr").all_inner_texts()
    assert [row.split("\t")[:3] for row in rows] == [["general", "1", "2"], ["major", "3", "2"]]
    assert "2026-W48" in section.locator('[data-chart="trend"]').inner_html()
    assert refused == []
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.emulate_media(media="print")
    assert page.locator("form.choosers").is_hidden()
