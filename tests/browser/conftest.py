"""Browser tests: Debian's chromium driven by Playwright for Python (never `playwright install`), against the
app served from a thread on 127.0.0.1. Screenshots go to tests/artifacts/ (ignored by git)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.config import load_settings
from tests.conftest import ROOT, require
from tests.flow import Flow
from web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        require(f"{CHROMIUM} is missing (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(sqlite_url):
    """The web app on a free port; yields its base URL."""
    app = create_app(load_settings(sqlite_url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(locale: str = "zh-CN", width: int = 1280, height: int = 900):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, base: str, user: str, password: str = "pw") -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/tasks")


@pytest.fixture
def vanke_studio(sqlite_engine, live_server):
    """Vanke deployed with an admin (``root``) and its process owner (``owner``), on Monday 2026-11-23 10:00: where
    the studio's browser tests start. Yields the flow and the base URL."""
    flow = Flow(sqlite_engine)
    flow.deploy(ROOT / "processes" / "vanke_complaint")
    flow.user("root", "admin")
    flow.user("owner")
    flow.engine.grant("owner", "process_owner", None, preplan="vanke_complaint")
    flow.at("2026-11-23T10:00:00+08:00")
    return flow, live_server
