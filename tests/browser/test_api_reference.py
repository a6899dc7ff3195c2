"""The API reference page renders the OpenAPI document in a real browser under the site's Content-Security-Policy
(scripts from this site only, none inline)."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_the_api_reference_lists_every_path_and_breaks_no_policy(live_server, new_page):
    page = new_page(locale="en-US")
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_server}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    screenshot(page, "api-reference")
    assert {"/api/v1/cases", "/api/v1/tasks/{task}/complete", "/api/v1/cases/{case}/messages"} <= {
        p.replace("\u200b", "") for p in paths
    }
    assert refused == []
