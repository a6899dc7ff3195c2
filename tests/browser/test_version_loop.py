"""Browser: the whole loop of a change to a preplan, as its process owner and an admin drive it. A complaint is
running on v1; the owner makes its assessment deadline longer in the studio; the admin publishes v2, reads what
changed (in words and on the diagram), moves the running case onto v2 (its deadline counted again from when its
step opened) and the case is completed on v2."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.studio_page import open_studio, pick, save
from tests.conftest import ROOT
from tests.preplans import test_vanke_complaint as vk
from tests.walk import Walk

pytestmark = pytest.mark.browser
KEY = "vanke_complaint"


def test_a_longer_deadline_is_edited_published_compared_and_a_running_case_moves_onto_it(vanke_studio, new_page):
    flow, base = vanke_studio
    case = flow.start(KEY, vk.intake(received_by="specialist"), user=flow.user_for("vanke_csc"))
    assert flow.task(case, "Task_Assess")["due_at"] == "2026-11-23T14:00:00+08:00"  # 4.1.1.1: 4 h after 受理
    flow.at("2026-11-23T11:00:00+08:00")

    # The owner makes the assessment's deadline 6 hours instead of 4.
    owner = new_page()
    log_in(owner, base, "owner")
    open_studio(owner, base, KEY)
    pick(owner, "Timer_Assess_4h", ".timer-amount")
    assert owner.input_value("#panel .timer-amount") == "4"
    owner.fill("#panel .timer-amount", "6")
    owner.press("#panel .timer-amount", "Enter")
    owner.wait_for_selector("#panel .expression:has-text('\"PT6H\"')")
    save(owner)

    # The admin publishes it as v2.
    admin = new_page()
    log_in(admin, base, "root")
    open_studio(admin, base, KEY)
    admin.wait_for_selector("#publish-form button[type=submit]:enabled")
    admin.fill("#publish-form input[name=note]", "定性期限改为 6 小时")
    admin.click("#publish-form button[type=submit]")
    admin.wait_for_url(f"{base}/preplans/{KEY}")
    assert "v2" in admin.inner_text(".flash.success")

    # What changed: one sentence about the deadline, and the timer marked as changed on the diagram.
    admin.goto(f"{base}/preplans/{KEY}/compare?old=1&new=2")
    admin.wait_for_selector(".djs-element.diff-changed[data-element-id='Timer_Assess_4h']")
    assert "步骤「投诉定性」的期限由 4 小时 改为 6 小时" in admin.inner_text("main")
    screenshot(admin, "version-loop-compare")

    # The running case moves onto v2: safe, its deadline counted again from when the step opened.
    admin.goto(f"{base}/preplans/{KEY}")
    admin.click(f"a[href*='/preplans/{KEY}/migrate?to=2']")
    row = admin.locator(f"[data-case='{flow.show(case)['business_key']}']")
    assert "14:00" in row.inner_text() and "16:00" in row.inner_text()
    screenshot(admin, "version-loop-preview")
    assert row.get_attribute("data-status") == "planned"
    admin.fill("#note", "定性期限延长，在办投诉一并适用")
    admin.click("button[name=scope][value=selected]")
    admin.wait_for_selector(f"#migration tr[data-case='{flow.show(case)['business_key']}'][data-status='migrated']")
    assert flow.task(case, "Task_Assess")["due_at"] == "2026-11-23T16:00:00+08:00"

    # The case's timeline says so, and the case is completed on v2.
    admin.goto(f"{base}/cases/{case}")
    timeline = admin.inner_text(".timeline")
    assert "v1 → v2" in timeline and "定性期限延长，在办投诉一并适用" in timeline
    screenshot(admin, "version-loop-case")
    Walk(flow, ROOT / "processes" / KEY, 0).to_end(case)
    shown = flow.show(case)
    assert shown["status"] == "completed" and shown["version"] == 2
