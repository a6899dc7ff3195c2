"""The web app through Flask's test client, logged in like a browser (CSRF tokens taken from the pages)."""

from __future__ import annotations

import re

import pytest

from engine import clock
from engine.config import load_settings
from tests.conftest import FIXTURES
from tests.flow import Flow
from web import create_app


@pytest.fixture
def app(sqlite_engine, sqlite_url):
    flow = Flow(sqlite_engine)
    flow.deploy(FIXTURES / "processes" / "mini_complaint")
    flow.user("li", "leader")
    flow.user("wang", "clerk")
    flow.user("boss", "supervisor")
    clock.fix(clock.parse_instant("2026-11-23T10:00:00+08:00"))
    application = create_app(load_settings(sqlite_url), testing=True)
    application.flow = flow
    return application


class Browser:
    """A test client that logs in and posts forms with the CSRF token of the page, like a browser."""

    def __init__(self, app, language: str = "zh-CN") -> None:
        self.client = app.test_client()
        self.headers = {"Accept-Language": language}

    def get(self, url: str, **kw):
        return self.client.get(url, headers=self.headers, **kw)

    def token(self, url: str) -> str:
        page = self.get(url, follow_redirects=True).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def form(self, url: str) -> str:
        """The address of a new start form (it carries the form's one-time token)."""
        return self.get(url).headers["Location"]

    def post(self, url: str, data: dict, page: str = "/tasks", **kw):
        return self.client.post(url, data={"csrf_token": self.token(page), **data}, headers=self.headers, **kw)

    def login(self, name: str) -> Browser:
        response = self.post("/login", {"username": name, "password": "pw"}, page="/login")
        assert response.status_code == 302, response.get_data(as_text=True)
        return self


def text(response) -> str:
    return response.get_data(as_text=True)
