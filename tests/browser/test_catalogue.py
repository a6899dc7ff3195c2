"""Browser: the preplan catalogue renders every deployed preplan's diagram without a warning."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser
PREPLANS = sorted(p.parent for p in ROOT.glob("processes/*/preplan.toml"))


def test_catalogue_shows_every_preplan_with_its_diagram(sqlite_engine, live_server, new_page):
    flow = Flow(sqlite_engine)
    for folder in PREPLANS:
        flow.deploy(folder)
    flow.user("owner", "admin")
    page = new_page()
    log_in(page, live_server, "owner")
    page.goto(f"{live_server}/preplans")
    cards = page.locator("article.preplan")
    assert cards.count() == len(PREPLANS)
    for index in range(cards.count()):
        diagram = cards.nth(index).locator(".diagram")
        diagram.scroll_into_view_if_needed()
        cards.nth(index).locator(".diagram[data-warnings], .diagram[data-error]").wait_for()
        assert diagram.get_attribute("data-error") is None and diagram.get_attribute("data-warnings") == "0"
        assert diagram.locator(".djs-element").count() > 3
    screenshot(page, "preplan-catalogue")
