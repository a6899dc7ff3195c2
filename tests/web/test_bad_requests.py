"""Bad requests get a 4xx page in the reader's language and change nothing: oversized or unstorable form data,
numbers no form means, page cursors and ids that cannot exist, a start form sent twice."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Browser, text

INTAKE = {"customer": "王五", "summary": "噪音", "complainant_count": "2", "received_at": "2026-11-23T09:30"}


def cases(app) -> int:
    return len(
        app.flow.engine.start.__self__.db.engine.connect().exec_driver_sql("select id from preplan_case").fetchall()
    )


@pytest.fixture
def clerk(app):
    return Browser(app).login("wang")


def test_text_fields_show_their_limit_and_longer_text_is_refused(app, clerk):
    form = clerk.form("/cases/new/mini_complaint")
    page = text(clerk.get(form))
    assert re.search(r'name="customer"[^>]*maxlength="5000"', page), "the limit is visible before sending"
    refused = clerk.post(form, {**INTAKE, "customer": "张" * 5001}, page=form)
    assert refused.status_code == 422 and "最多输入 5000 个字符" in text(refused)
    assert cases(app) == 0


def test_a_request_larger_than_the_site_accepts_gets_a_413_page(app, clerk):
    form = clerk.form("/cases/new/mini_complaint")
    huge = clerk.post(form, {**INTAKE, "summary": "x" * (10 * 1024 * 1024)}, page=form)
    assert huge.status_code == 413 and "提交的内容超过了本系统允许的大小" in text(huge)
    assert cases(app) == 0


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("complainant_count", "99999999999", "不能大于 1000000000"),
        ("complainant_count", "1e400", "请输入整数"),
        ("customer", "王\x00五", "无法保存的字符"),
        ("received_at", "99999-01-01T00:00", "请输入日期和时间"),
    ],
)
def test_values_no_form_means_are_refused_beside_their_field(app, clerk, field, value, message):
    form = clerk.form("/cases/new/mini_complaint")
    refused = clerk.post(form, {**INTAKE, field: value}, page=form)
    assert refused.status_code == 422 and message in text(refused), text(refused)
    assert cases(app) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/tasks?page=99999999999999999999",
        "/cases?page=abc",
        "/tasks?after=!!!",
        "/tasks?after=W251bGwsMWUzMDBd",
        "/cases?after=WyJ4IiwxXQ",
        "/cases?after=" + "x" * 5000,
    ],
)
def test_old_page_numbers_and_cursors_that_are_not_one_show_the_first_page(app, url):
    boss = Browser(app).login("boss")
    assert boss.get(url).status_code == 200


@pytest.mark.parametrize(
    "method, url, status",
    [
        ("get", "/tasks/99999999999999999999", 404),
        ("get", "/cases/0", 404),
        ("get", "/admin/calendar?year=0", 403),
        ("post", "/preplans/mini_complaint/versions/99999999999999999999", 404),
        ("delete", "/tasks", 405),
        ("get", "/cases/1/nothing-here", 404),
    ],
)
def test_addresses_that_cannot_exist_get_a_page_in_the_readers_language(app, method, url, status):
    browser = Browser(app).login("wang")
    response = getattr(browser.client, method)(url, headers=browser.headers)
    assert response.status_code == status
    assert "返回我的任务" in text(response) and "Traceback" not in text(response)


def test_a_calendar_year_outside_the_calendar_is_explained(app):
    app.flow.user("root", "admin")
    page = Browser(app).login("root").get("/admin/calendar?year=0")
    assert page.status_code == 404 and "工作日历涵盖 2004 年至 2099 年" in text(page)


def test_a_start_form_sent_twice_starts_one_case_and_shows_it(app, clerk):
    form = clerk.form("/cases/new/mini_complaint")
    first = clerk.post(form, INTAKE, page=form)
    again = clerk.post(form, INTAKE, page=form)
    assert first.headers["Location"] == again.headers["Location"]
    assert cases(app) == 1
    shown = text(clerk.get(again.headers["Location"]))
    assert "此表单已提交过" in shown
    assert clerk.form("/cases/new/mini_complaint") != form, "the next start is a new form"
