"""Browser: an admin enters a holiday on the calendar page; an organiser runs a drill and prints its report."""

from __future__ import annotations

from datetime import date

import pytest

from engine import clock
from engine.calendar_store import load_calendar
from tests.browser.conftest import log_in, screenshot
from tests.conftest import FIXTURES
from tests.flow import Flow

pytestmark = pytest.mark.browser
MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}


@pytest.fixture
def site(sqlite_engine, live_server):
    flow = Flow(sqlite_engine)
    flow.deploy(FIXTURES / "processes" / "mini_complaint")
    flow.user("root", "admin", "supervisor")
    flow.user("li", "leader")
    clock.fix(clock.parse_instant("2026-11-23T10:00:00+08:00"))
    return flow, live_server


def test_admin_adds_a_holiday_for_a_year_not_yet_covered(site, new_page):
    flow, base = site
    page = new_page()
    log_in(page, base, "root")
    page.click("text=日历")
    page.goto(f"{base}/admin/calendar?year=2027")
    assert page.get_by_role("alert").inner_text().startswith("2027 年尚无官方放假安排")
    page.fill("#day-date", "2027-01-01")
    page.select_option("#day-kind", "holiday")
    page.fill("#day-note", "元旦")
    page.click("#day-form button[type=submit]")
    page.wait_for_selector("tr[data-date='2027-01-01']")
    row = page.locator("tr[data-date='2027-01-01']").inner_text()
    assert "节假日" in row and "管理员设定" in row and "元旦" in row
    assert "此后计算的期限将采用新设置" in page.locator(".flash.success").inner_text()
    screenshot(page, "calendar")
    with flow.engine.db.read() as session:
        assert load_calendar(session, flow.engine.settings).is_workday(date(2027, 1, 1)) is False


def test_organiser_advances_a_drill_and_prints_its_report(site, new_page):
    flow, base = site
    drill = flow.start("mini_complaint", MAJOR, drill=True)
    page = new_page()
    log_in(page, base, "root")
    page.goto(f"{base}/cases/{drill}")
    assert "本演练使用独立的时钟" in page.inner_text("#drill-h + p")
    page.click("button[value=next]")
    page.wait_for_selector(".flash.success")
    assert "演练时钟已推进到 2026-11-23 14:00" in page.inner_text(".flash.success")
    page.click("text=演练报告")
    page.wait_for_selector("#report")
    rows = page.locator("#report tbody tr")
    assert rows.count() == 2
    assert "超时" in rows.nth(0).inner_text() and "领导审批" in rows.nth(0).inner_text()
    assert page.inner_text("#summary") == "共 2 个步骤：按时 0 个，超时 1 个，未完成 1 个。"
    screenshot(page, "drill-report")
    assert flow.open_steps(drill) == ["Task_Escalate"]
