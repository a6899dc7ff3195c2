"""What people noticed going wrong in the browser, each checked the way they met it: a typed time that moved,
a start form sent twice, long texts that broke the layout, English pages showing codes, and the pages under the
Content-Security-Policy (no inline code; the diagram still draws, and can be zoomed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.store.models import Case
from tests.browser.conftest import log_in, screenshot
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser
NOON = "2026-12-07T12:00:00+08:00"  # a Monday
LONG_WORD = "万科城" + "A" * 600  # an unbroken string with nowhere to wrap
LONG_TEXT = "地下车库顶板渗水，雨天积水严重，业主多次报修未果。" * 100  # 2,500 characters
REGISTERED = {  # a complaint registered an hour before noon, as an integration or the CLI sends it
    "channel": "phone",
    "received_at": "2026-12-07T11:00:00+08:00",
    "complainant_name": "王先生",
    "contact": "13800000000",
    "project": "万科城",
    "customer_class": "owner",
    "content_type": "engineering_quality",
    "description": "漏水",
    "complainant_count": 1,
}


@pytest.fixture
def vanke(sqlite_engine, live_server):
    flow = Flow(sqlite_engine)
    flow.deploy(ROOT / "processes" / "vanke_complaint")
    flow.user("kefu", "vanke_csc")
    flow.user("zhuanyuan", "vanke_specialist")
    flow.user("boss", "supervisor")
    clock.fix(clock.parse_instant(NOON))
    return flow, live_server


def fill_intake(page, **changes) -> None:
    values = {
        "received_at": "2026-12-05T10:30",
        "complainant_name": "王先生",
        "contact": "13800000000",
        "project": "万科城",
        "description": "地下车库漏水",
        "complainant_count": "1",
        **changes,
    }
    page.select_option("[name=channel]", "phone")
    page.select_option("[name=customer_class]", "owner")
    page.select_option("[name=content_type]", "engineering_quality")
    for name, value in values.items():
        page.fill(f"[name={name}]", value)


def send(page) -> None:
    page.locator("form.task-form button[type=submit]").click()
    page.wait_for_load_state("load")


def start(page, base, **changes) -> int:
    page.goto(f"{base}/cases/new/vanke_complaint")
    fill_intake(page, **changes)
    send(page)
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_typed_time_survives_errors_whatever_the_browsers_zone(vanke, browser):
    flow, base = vanke
    context = browser.new_context(locale="zh-CN", timezone_id="America/New_York")
    page = context.new_page()
    log_in(page, base, "kefu")
    page.goto(f"{base}/cases/new/vanke_complaint")
    fill_intake(page, complainant_count="-5")
    for _ in range(2):  # every error shows the form again
        send(page)
        assert page.input_value("[name=received_at]") == "2026-12-05T10:30"
    page.fill("[name=complainant_count]", "1")
    send(page)
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case = int(page.url.rsplit("/", 1)[1])
    assert flow.data(case)["received_at"] == "2026-12-05T10:30:00+08:00"
    assert "2026-12-05 10:30" in page.locator("#data-h + .recorded").inner_text()
    context.close()


def test_sending_the_start_form_again_shows_the_case_it_already_created(vanke, new_page):
    flow, base = vanke
    page = new_page()
    log_in(page, base, "kefu")
    case = start(page, base)
    page.go_back()
    page.wait_for_load_state("load")
    send(page)  # the browser sends the same form again
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert int(page.url.rsplit("/", 1)[1]) == case
    assert "此表单已提交过" in page.locator(".flash.warning").inner_text()
    with flow.engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_long_values_wrap_and_fold_so_pages_keep_their_width_and_the_form_stays_in_view(vanke, new_page):
    flow, base = vanke
    csc = new_page()
    log_in(csc, base, "kefu")
    case = start(csc, base, project=LONG_WORD, description=LONG_TEXT)
    for url in ("/tasks", f"/cases/{case}"):
        csc.goto(f"{base}{url}")
        assert no_sideways_scroll(csc), url
    csc.goto(f"{base}/tasks")
    csc.locator("#tasks a", has_text="转达投诉").click()
    csc.wait_for_load_state("load")  # measured once the style sheets apply, not while the page still arrives
    form = csc.locator("form.task-form")
    assert form.bounding_box()["y"] < 1500, "the form is not pushed far down by the complaint text"
    assert csc.locator(".folded summary", has_text="展开全文（2500 字）").count() == 1
    screenshot(csc, "task-with-long-text")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_preplan_page_and_the_drill_report_fit_the_screen(vanke, new_page, width):
    flow, base = vanke
    drill = flow.start(
        "vanke_complaint",
        {**REGISTERED, "project": LONG_WORD},
        drill=True,
    )
    flow.engine.advance_drill(drill, by="PT2H")
    page = new_page(width=width)
    log_in(page, base, "boss")
    for url in ("/preplans/vanke_complaint", f"/cases/{drill}/report", "/cases", f"/cases/{drill}"):
        page.goto(f"{base}{url}")
        assert no_sideways_scroll(page), (url, width)


def test_english_pages_show_labels_not_codes(vanke, new_page):
    flow, base = vanke
    case = flow.start(
        "vanke_complaint",
        {**REGISTERED, "media_exposed": True},
    )
    page = new_page(locale="en-US")
    log_in(page, base, "boss")
    page.goto(f"{base}/cases")
    row = page.locator("#cases tbody tr").first.inner_text()
    assert "major" in row and "running" in row and "重大" not in row
    log_in(page, base, "kefu")
    page.goto(f"{base}/inbox")
    assert page.locator("h1").inner_text() == "Inbox"
    assert "New task" in page.locator(".inbox").inner_text() and "待办" not in page.locator(".inbox").inner_text()
    assert flow.status(case) == "running"


def test_a_refusal_says_what_happened_in_the_readers_language(vanke, new_page):
    flow, base = vanke
    drill = flow.start(
        "vanke_complaint",
        REGISTERED,
        drill=True,
    )
    flow.engine.terminate(str(drill), "演练结束")
    page = new_page()
    log_in(page, base, "boss")
    page.goto(f"{base}/cases/{drill}")
    page.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
        f.action = location.pathname + '/drill/advance'; f.innerHTML = document.querySelector('input[name=csrf_token]').outerHTML
        + '<input name=mode value=next>'; document.body.append(f); f.submit(); }""")
    page.wait_for_load_state("load")
    message = page.locator(".flash.error").inner_text()
    assert message.startswith("演练") and "已结束" in message and "任务在此期间" not in message


def test_the_case_diagram_draws_under_the_security_policy_and_zooms(vanke, new_page):
    flow, base = vanke
    page = new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, base, "kefu")
    case = start(page, base)
    page.wait_for_selector("#diagram[data-ready]")
    state = page.evaluate("window.preplanDiagram")
    assert state["error"] is None and "Task_Dispatch" in state["markers"]["active"]
    before = page.evaluate("window.preplanDiagram.zoom")
    page.click("[data-zoom=in]")
    assert page.evaluate("window.preplanDiagram.zoom") > before
    page.click("[data-zoom=fullscreen]")
    assert page.locator("#diagram-box.fullscreen").count() == 1
    page.click("[data-zoom=fullscreen]")
    assert violations == [], violations
    assert flow.status(case) == "running"
