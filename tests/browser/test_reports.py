"""Browser: the branch CSC finds the month's appraisal under Reports, submits it from its task with a comment, and
reads the stored report; printed, the page keeps the figures and drops the buttons. The screenshot is kept in the
test's output folder."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.engine.test_duties import NAMES, both
from tests.engine.test_ledgers import complaint
from tests.flow import Flow

pytestmark = pytest.mark.browser


def test_the_csc_submits_the_monthly_appraisal_and_reads_it_under_reports(
    sqlite_engine, live_server, new_page, tmp_path
):
    flow = both(Flow(sqlite_engine))
    complaint(flow, "tunxi", "2026-10-12T10:00:00+08:00", NAMES)
    flow.user("hs_csc", "petrochina_csc", unit="hs")
    flow.at("2026-11-02T09:30:00+08:00")
    flow.engine.run_duties()
    (report,) = [r for r in flow.engine.duty_reports(preplan="petrochina_station") if r["period"] == "2026-10"]
    page = new_page()
    log_in(page, live_server, "hs_csc")
    (task,) = flow.open_tasks(flow.engine.duty_report(report["id"])["case"])
    page.goto(f"{live_server}/tasks/{task['id']}")
    assert "本月有效投诉 1 件，扣罚片区考核分值 5 分，罚款 800 元" in page.locator("main").inner_text()
    page.get_by_label("审阅意见与补充说明").fill("屯溪路加油站三级投诉一起，已按第十四条扣分罚款。")
    page.get_by_role("button", name="提交").click()
    page.goto(f"{live_server}/reports")
    october = page.locator("#reports tbody tr").filter(has=page.locator("td", has_text=re.compile(r"^2026-10$")))
    october.get_by_role("link").click()
    main = page.locator("main").inner_text()
    assert "已提交" in main and "屯溪路加油站三级投诉一起" in main and "统计期：2026-10-01 至 2026-10-31" in main
    assert page.url.endswith(f"/reports/{report['id']}")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.emulate_media(media="print")
    assert page.locator("p.exports").is_hidden()
