"""A vanke_complaint case from start to end through the browser, by two people of different roles.

The customer-service centre (客户服务中心) registers and dispatches the complaint; the specialist (客服专员) handles
it; each sees only their own work. An invalid form shows its errors; the case page marks the active step.
Screenshots of the task list, a task form and the case page are written to tests/artifacts/.
"""

from __future__ import annotations

import re

import pytest

from engine import clock
from tests.browser.conftest import log_in, screenshot
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser


@pytest.fixture
def vanke_site(sqlite_engine, live_server):
    flow = Flow(sqlite_engine)
    flow.deploy(ROOT / "processes" / "vanke_complaint")
    flow.unit("sh", "上海万科", kind="company")
    flow.unit("jinyu", "金域华府", parent="sh", kind="project")
    flow.unit("lanshan", "蓝山小区", parent="sh", kind="project")
    flow.user("kefu", "vanke_csc", unit="sh")
    flow.user("zhuanyuan", "vanke_specialist", unit="jinyu")
    flow.user("lanshan_zhuanyuan", "vanke_specialist", unit="lanshan")
    clock.fix(clock.parse_instant("2026-11-23T10:00:00+08:00"))  # Monday, in working hours
    return flow, live_server


def my_steps(page, base) -> list[str]:
    page.goto(f"{base}/tasks")
    return (
        sorted(page.locator("#tasks tbody tr td:nth-child(2) a").all_inner_texts())
        if page.locator("#tasks").count()
        else []
    )


def open_step(page, base, name: str) -> None:
    page.goto(f"{base}/tasks")
    page.locator("#tasks a", has_text=name).first.click()
    page.wait_for_selector("form.task-form")


def submit(page) -> None:
    page.locator("form.task-form button[type=submit]").click()
    page.wait_for_load_state("load")


def test_a_complaint_from_intake_to_closure_by_two_roles(vanke_site, new_page):
    flow, base = vanke_site
    csc = new_page()
    log_in(csc, base, "kefu")

    # Start a case; an incomplete intake form shows its errors beside the fields and keeps what was typed.
    csc.click("text=发起案件")
    csc.click("text=万科投诉处理办法")
    csc.fill("[name=complainant_name]", "张三")
    csc.fill("[name=complainant_count]", "0")
    submit(csc)
    assert csc.locator("#channel-error, #f-channel ~ .error").first.inner_text() == "此项为必填项。"
    assert csc.locator("#complainant_count-error").inner_text() == "不能小于 1。"
    assert csc.input_value("[name=complainant_name]") == "张三"
    csc.select_option("#f-unit", label="上海万科 / 金域华府")  # the project complained about
    csc.select_option("[name=channel]", "phone")
    csc.fill("[name=received_at]", "2026-11-23T09:50")
    csc.fill("[name=contact]", "13800000000")
    csc.fill("[name=project]", "万科城三期")
    csc.select_option("[name=customer_class]", "owner")
    csc.select_option("[name=content_type]", "engineering_quality")
    csc.fill("[name=description]", "卫生间渗水，影响楼下住户")
    csc.fill("[name=complainant_count]", "1")
    submit(csc)
    csc.wait_for_url(re.compile(r".*/cases/\d+$"))
    case = int(csc.url.rsplit("/", 1)[1])
    csc.wait_for_selector("#diagram[data-ready]")
    diagram = csc.evaluate("window.preplanDiagram")
    assert diagram["error"] is None and diagram["warnings"] == []
    assert "Task_Dispatch" in diagram["markers"]["active"]
    assert csc.locator(".djs-element.active[data-element-id=Task_Dispatch]").count() == 1
    screenshot(csc, "case-page")

    # Each person sees only the work of their role: the project's specialist sees the case (it is the project's)
    # but not the centre's step to do; another project's specialist does not see it at all.
    specialist = new_page()
    log_in(specialist, base, "zhuanyuan")
    assert my_steps(csc, base) == ["认定投诉类型", "转达投诉"]
    assert my_steps(specialist, base) == []
    screenshot(csc, "task-list")
    task = flow.task(case, "Task_Dispatch")["id"]
    assert specialist.goto(f"{base}/tasks/{task}").status == 200 and specialist.locator("form.task-form").count() == 0
    elsewhere = new_page()
    log_in(elsewhere, base, "lanshan_zhuanyuan")
    assert elsewhere.goto(f"{base}/tasks/{task}").status == 404

    # The centre dispatches within its 30-minute deadline and keeps the class.
    open_step(csc, base, "转达投诉")
    assert "2026-11-23 10:20" in csc.inner_text(".facts")  # received 09:50 by phone: 30 minutes
    csc.select_option("[name=dispatch_to_type]", "project_specialist")
    csc.select_option("[name=dispatch_to]", "jinyu")  # 转达 to the project: its specialist takes over
    screenshot(csc, "task-form")
    submit(csc)
    assert "已完成" in csc.inner_text(".flash.success")
    open_step(csc, base, "认定投诉类型")
    submit(csc)

    # The specialist confirms in writing, judges it valid, investigates and resolves it.
    assert my_steps(specialist, base) == ["书面回传客户服务中心", "投诉定性"]
    assert my_steps(csc, base) == []
    open_step(specialist, base, "书面回传客户服务中心")
    specialist.fill("[name=written_report]", "已收到，今日上门查看")
    submit(specialist)
    open_step(specialist, base, "投诉定性")
    specialist.select_option("[name=validity]", "valid")
    specialist.fill("[name=assess_opinion]", "安排维修")
    submit(specialist)
    open_step(specialist, base, "调查核实")
    specialist.fill("[name=facts]", "防水层施工缺陷")
    specialist.select_option("[name=responsibility]", "ours")
    submit(specialist)
    open_step(specialist, base, "落实处理并答复客户")
    specialist.select_option("[name=outcome]", "resolved")
    specialist.fill("[name=resolution]", "已重做防水，客户确认")
    submit(specialist)
    assert my_steps(specialist, base) == []

    # The centre tells the group the case is done; the case completes.
    open_step(csc, base, "通知处理完毕")
    csc.fill("[name=closure_summary]", "已维修完毕，客户满意")
    submit(csc)
    csc.goto(f"{base}/cases/{case}")
    assert csc.inner_text("#case-status") == "已完成"
    timeline = csc.inner_text(".timeline")
    assert "kefu 发起了案件" in timeline and "zhuanyuan 已完成 “落实处理并答复客户”" in timeline
    assert flow.status(case) == "completed"


def test_the_task_list_works_at_phone_width(vanke_site, new_page):
    flow, base = vanke_site
    flow.start(
        "vanke_complaint",
        {
            "channel": "phone",
            "received_at": "2026-11-23T09:50:00+08:00",
            "complainant_name": "李四",
            "contact": "139",
            "project": "万科城",
            "customer_class": "owner",
            "content_type": "customer_service",
            "description": "态度差",
            "complainant_count": 1,
        },
        user="kefu",
        unit="jinyu",
    )
    phone = new_page(width=390, height=844)
    log_in(phone, base, "kefu")
    row = phone.locator("#tasks tbody tr").first
    assert row.bounding_box()["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    screenshot(phone, "task-list-phone")
