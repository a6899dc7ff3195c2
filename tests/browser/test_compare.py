"""Browser: the compare page draws both versions' diagrams with removed, added and changed elements marked, each
with its badge."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser


def test_both_diagrams_with_their_markers(sqlite_engine, live_server, new_page, tmp_path):
    folder = tmp_path / "processes" / "vanke_complaint"
    shutil.copytree(ROOT / "processes" / "vanke_complaint", folder)
    shutil.copytree(ROOT / "forms" / "vanke_complaint", tmp_path / "forms" / "vanke_complaint")
    flow = Flow(sqlite_engine)
    flow.deploy(folder)
    bpmn = folder / "vanke_complaint.bpmn"
    # the step gets another id: the old one is removed, the new one added, its flows and timer changed
    bpmn.write_text(re.sub(r"\bTask_Dispatch\b(?!_)", "Task_Forward", bpmn.read_text()))
    assert flow.deploy(folder)["version"] == 2
    flow.user("reader", "vanke_csc")
    page = new_page()
    log_in(page, live_server, "reader")
    page.goto(f"{live_server}/preplans/vanke_complaint/compare?old=1&new=2")
    old, new = page.locator("#diagram-old"), page.locator("#diagram-new")
    page.locator("#diagram-old[data-ready]").wait_for()
    page.locator("#diagram-new[data-ready]").wait_for()
    assert old.locator('.djs-element.diff-removed[data-element-id="Task_Dispatch"]').count() == 1
    assert new.locator('.djs-element.diff-added[data-element-id="Task_Forward"]').count() == 1
    assert new.locator('.djs-element.diff-changed[data-element-id="Timer_Dispatch_Due"]').count() == 1
    assert old.locator(".djs-element.diff-changed").count() == new.locator(".djs-element.diff-changed").count() > 1
    assert new.locator(".diff-badge.diff-added").first.text_content() == "✚"
    assert old.locator(".diff-badge.diff-removed").first.text_content() == "−"
    assert page.locator("li.change-removed").first.text_content().strip().endswith("删除步骤「转达投诉」")
    screenshot(page, "compare-versions")
