"""Browser: an admin enters a holiday on the calendar page; an organiser runs a drill and prints its report."""

from __future__ import annotations

from datetime import date

import pytest

from engine import clock
from engine.time.calendar_store import load_calendar
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


NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。2月14日（周日）上班。"""


def test_admin_is_warned_and_enters_the_next_years_schedule_from_the_notice(site, new_page):
    flow, base = site
    page = new_page()
    log_in(page, base, "root")
    page.click("text=日历")
    assert page.locator("#calendar-ending").inner_text().startswith("官方节假日安排只到 2026-12-31（还有 38 天）")
    page.goto(f"{base}/admin/calendar?year=2027")
    assert "2027 年为暂定日历" in page.locator("#calendar-provisional").inner_text()
    spring = page.locator("tr[data-date='2027-02-05']").inner_text()
    assert "节假日" in spring and "放假办法（暂定）" in spring and "春节" in spring
    screenshot(page, "calendar-provisional")
    page.fill("#notice", NOTICE_2027)
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "已录入 2027 年的放假安排：放假 10 天，调休上班 1 天" in page.locator(".flash.success").first.inner_text()
    assert page.locator("#calendar-provisional").count() == 0
    assert "管理员设定" in page.locator("tr[data-date='2027-02-14']").inner_text()
    with flow.engine.db.read() as session:
        calendar = load_calendar(session, flow.engine.settings)
    assert calendar.is_workday(date(2027, 2, 14)) and not calendar.is_provisional(date(2027, 6, 1))


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
