"""Sessions that end when they should, logins that cannot be guessed at, redirects that stay on this site, and
the headers that keep browsers safe: each as a person (or an attacker) would meet it over HTTP."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
import redis

from engine.config import load_settings
from engine.people.users import deactivate, set_password, set_roles
from tests.conftest import require
from tests.web.conftest import Browser, text
from web import create_app


def stays_here(location: str) -> bool:
    """Whether a browser following ``location`` stays on this site (it drops tabs and line breaks, reads \\ as /)."""
    read = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    parts = urlsplit(read)
    return read.startswith("/") and not read.startswith("//") and not parts.scheme and not parts.netloc


def logged_out(browser: Browser) -> bool:
    response = browser.get("/tasks")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# -- redirects --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "/\r\nSet-Cookie: stolen=1",
        "java\nscript:alert(1)",
        " //evil.example",
    ],
)
def test_after_login_and_language_switch_only_paths_of_this_site_are_followed(app, target):
    for query in ({"next": target}, "next=" + target):  # sent encoded, and raw as in the address bar
        browser = Browser(app)
        response = browser.client.post(
            "/login",
            query_string=query,
            data={"csrf_token": browser.token("/login"), "username": "li", "password": "pw"},
        )
        assert response.status_code == 302 and stays_here(response.headers["Location"]), response.headers["Location"]
    switched = browser.post("/language", {"language": "en", "next": target})
    assert switched.status_code == 302 and stays_here(switched.headers["Location"])


def test_a_path_of_this_site_is_followed_after_login(app):
    browser = Browser(app)
    response = browser.client.post(
        "/login?next=/cases/new%3Fx%3D1",
        data={"csrf_token": browser.token("/login"), "username": "li", "password": "pw"},
    )
    assert response.headers["Location"] == "/cases/new?x=1"


# -- sessions ---------------------------------------------------------------------------------------------------
def stolen_copy(app, browser: Browser) -> Browser:
    """A second client holding a copy of the first one's session cookie, taken while it was logged in."""
    thief = Browser(app)
    cookie = browser.client.get_cookie("session")
    thief.client.set_cookie("session", cookie.value)
    return thief


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app):
    user = Browser(app).login("boss")
    thief = stolen_copy(app, user)
    assert thief.get("/cases").status_code == 200
    user.post("/logout", {})
    assert logged_out(user) and logged_out(thief)


@pytest.mark.parametrize(
    "change",
    [
        lambda session: deactivate(session, "li", "admin"),
        lambda session: set_password(session, "li", "a new password", "admin"),
        lambda session: set_roles(session, "li", ["clerk"], "admin"),
    ],
)
def test_deactivation_a_new_password_or_new_roles_end_every_session_of_the_user(app, change):
    desk, phone = Browser(app).login("li"), Browser(app).login("li")
    other = Browser(app).login("wang")
    with app.flow.engine.db.write() as session:
        change(session)
    assert logged_out(desk) and logged_out(phone)
    assert not logged_out(other), "other users keep their sessions"


def test_a_new_password_works_and_the_old_one_does_not(app):
    with app.flow.engine.db.write() as session:
        set_password(session, "li", "a new password", "admin")
    browser = Browser(app)
    old = browser.post("/login", {"username": "li", "password": "pw"}, page="/login")
    assert old.status_code == 401
    new = browser.post("/login", {"username": "li", "password": "a new password"}, page="/login")
    assert new.status_code == 302


# -- login attempts ---------------------------------------------------------------------------------------------
def fail(browser: Browser, name: str) -> int:
    return browser.post("/login", {"username": name, "password": "wrong"}, page="/login").status_code


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_a_clear_message(app):
    browser = Browser(app)
    assert [fail(browser, "li") for _ in range(5)] == [401] * 5
    refused = browser.post("/login", {"username": "li", "password": "pw"}, page="/login")
    assert refused.status_code == 429
    assert "登录失败次数过多" in text(refused) and int(refused.headers["Retry-After"]) > 0
    assert Browser(app).post("/login", {"username": "wang", "password": "pw"}, page="/login").status_code == 302


def test_one_address_trying_many_user_names_is_stopped(sqlite_engine, sqlite_url, monkeypatch, app):
    monkeypatch.setenv("PREPLAN_LOGIN_LIMIT_ADDRESS", "10 per 15 minutes")
    guarded = create_app(load_settings(sqlite_url), testing=True)
    browser = Browser(guarded)
    assert {fail(browser, f"guess{i}") for i in range(10)} == {401}
    refused = browser.post("/login", {"username": "li", "password": "pw"}, page="/login")
    assert refused.status_code == 429


def test_an_unknown_user_name_costs_the_same_password_check_as_a_known_one(app, monkeypatch):
    from engine.people import users

    checks: list[str] = []
    real = users.check_password_hash
    monkeypatch.setattr(
        users, "check_password_hash", lambda stored, given: checks.append(stored) or real(stored, given)
    )
    assert fail(Browser(app), "li") == 401
    assert fail(Browser(app), "nobody-by-this-name") == 401
    assert len(checks) == 2 and checks[0].split("$")[0] == checks[1].split("$")[0], "same method, same cost"


def test_several_web_processes_share_the_login_counters_through_redis(sqlite_url, app, monkeypatch):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError as exc:
        require(f"Redis at 127.0.0.1:6379 is not reachable: {exc}")
    database = uuid.uuid4().int % 15 + 1
    monkeypatch.setenv("PREPLAN_RATELIMIT_STORAGE", f"redis://127.0.0.1:6379/{database}")
    monkeypatch.setenv("PREPLAN_LOGIN_LIMIT_USER", "3 per 15 minutes")
    redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()
    one, two = (create_app(load_settings(sqlite_url), testing=True) for _ in range(2))
    assert [fail(Browser(one), "li"), fail(Browser(two), "li"), fail(Browser(one), "li")] == [401] * 3
    assert Browser(two).post("/login", {"username": "li", "password": "pw"}, page="/login").status_code == 429
    redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()


# -- headers and cookies ----------------------------------------------------------------------------------------
def test_every_page_forbids_inline_scripts_framing_and_sniffing(app):
    response = Browser(app).get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_carry_no_inline_script(app):
    case = app.flow.start(
        "mini_complaint", {"customer": "张三", "summary": "漏水", "complainant_count": 12}, drill=True
    )
    boss = Browser(app).login("boss")
    for url in (
        "/tasks",
        f"/cases/{case}",
        f"/cases/{case}/report",
        "/cases",
        "/preplans",
        "/preplans/mini_complaint",
        "/inbox",
        "/cases/new",
    ):
        page = text(boss.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_cookies_are_secure_when_the_page_is_https(app):
    plain = Browser(app).post("/login", {"username": "li", "password": "pw"}, page="/login")
    assert "Secure" not in plain.headers["Set-Cookie"]
    browser = Browser(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(browser.get("/login", base_url="https://localhost")))
    secure = browser.client.post(
        "/login", base_url="https://localhost", data={"csrf_token": token.group(1), "username": "li", "password": "pw"}
    )
    assert "Secure" in secure.headers["Set-Cookie"] and "HttpOnly" in secure.headers["Set-Cookie"]
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_behind_a_trusted_proxy_the_forwarded_scheme_makes_cookies_secure(sqlite_url, app, monkeypatch):
    monkeypatch.setenv("PREPLAN_PROXIES", "1")
    proxied = create_app(load_settings(sqlite_url), testing=True)
    browser = Browser(proxied)
    browser.headers["X-Forwarded-Proto"] = "https"
    response = browser.post("/login", {"username": "li", "password": "pw"}, page="/login")
    assert "Secure" in response.headers["Set-Cookie"]
