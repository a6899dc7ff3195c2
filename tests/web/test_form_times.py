"""A time typed into a form is the time stored, whatever the server's own time zone, even when the form is shown
again after an error (it used to move by the server's UTC offset each time)."""

from __future__ import annotations

import re
import time

import pytest

from engine import clock
from engine.config import load_settings
from tests.flow import Flow
from tests.web.conftest import Browser, text
from web import create_app

INTAKE = {
    "channel": "phone",
    "received_at": "2026-12-05T10:30",
    "complainant_name": "王先生",
    "contact": "13800000000",
    "project": "万科城",
    "customer_class": "owner",
    "content_type": "engineering_quality",
    "description": "地下车库漏水",
    "complainant_count": "-5",
}


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/New_York"])
def server_zone(request, monkeypatch):
    """The server process's own zone (TZ), which must not leak into what people type."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def vanke(sqlite_engine, sqlite_url, server_zone):
    flow = Flow(sqlite_engine)
    flow.deploy("processes/vanke_complaint")
    flow.user("csc", "vanke_csc")
    clock.fix(clock.parse_instant("2026-12-05T11:00:00+08:00"))
    app = create_app(load_settings(sqlite_url), testing=True)
    app.flow = flow
    return app


def shown_time(response) -> str:
    return re.search(r'name="received_at"\s+type="datetime-local"[^>]*value="([^"]*)"', text(response)).group(1)


def test_a_form_shown_again_after_errors_keeps_the_typed_time_and_the_case_counts_from_it(vanke):
    browser = Browser(vanke).login("csc")
    page = "/cases/new/vanke_complaint"
    first = browser.post(page, INTAKE, page=page)
    assert first.status_code == 422 and shown_time(first) == "2026-12-05T10:30"
    second = browser.post(page, {**INTAKE, "received_at": shown_time(first)}, page=page)
    assert shown_time(second) == "2026-12-05T10:30", "each error must not move the time again"
    started = browser.post(page, {**INTAKE, "received_at": shown_time(second), "complainant_count": "1"}, page=page)
    assert started.status_code == 302
    case = int(started.headers["Location"].rsplit("/", 1)[1])
    assert vanke.flow.data(case)["received_at"] == "2026-12-05T10:30:00+08:00"


def test_a_stored_time_is_shown_in_the_organisations_zone(vanke):
    case = vanke.flow.start(
        "vanke_complaint", {**INTAKE, "received_at": "2026-12-05T02:30:00Z", "complainant_count": 1}
    )
    browser = Browser(vanke).login("csc")
    page = text(browser.get(f"/cases/{case}"))
    assert "2026-12-05 10:30" in page
