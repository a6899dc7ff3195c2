"""/admin/webhooks: admins subscribe a URL to events (checkboxes and a secret), end a subscription, and read the
delivery log, in both languages; nobody else reaches it or changes anything."""

from __future__ import annotations

from tests.engine.conftest import MAJOR
from tests.web.conftest import Browser, text

PAGE = "/admin/webhooks"


def test_only_admins_keep_webhooks(app):
    clerk = Browser(app).login("wang")
    assert clerk.get(PAGE).status_code == 403
    assert "/admin/webhooks" not in text(clerk.get("/tasks"))
    refused = clerk.post(PAGE, {"url": "https://example.cn/x", "event": ["case.started"], "secret": "k"})
    assert refused.status_code == 302 and app.extensions["preplan"].list_webhooks() == []
    assert clerk.post(f"{PAGE}/1/deactivate", {}).status_code == 302


def test_an_admin_subscribes_reads_the_log_and_ends_it(app, receiver):
    app.flow.user("root_admin", "admin")
    admin = Browser(app).login("root_admin")
    assert 'href="/admin/webhooks"' in text(admin.get("/tasks"))
    page = text(admin.get(PAGE))
    assert "还没有系统订阅" in page and 'value="task.overdue"' in page and "步骤已超期" in page

    bad = admin.post(
        PAGE, {"url": "ftp://example.cn/x", "event": ["case.started"], "secret": "k"}, page=PAGE, follow_redirects=True
    )
    assert "Webhook 地址必须是带主机名的 http:// 或 https:// 地址" in text(bad)
    done = admin.post(
        PAGE,
        {"url": receiver.url, "event": ["case.started", "task.created"], "secret": "k"},
        page=PAGE,
        follow_redirects=True,
    )
    assert f"已添加 Webhook 1：{receiver.url}" in text(done)
    (hook,) = app.extensions["preplan"].list_webhooks()
    assert hook["events"] == ["case.started", "task.created"] and hook["created_by"] == "root_admin"

    app.flow.start("mini_complaint", MAJOR)
    app.extensions["preplan"].deliver_webhooks()
    log = text(admin.get(PAGE))
    assert log.count("已送达") >= 2 and "case.started" in log and "200" in log and receiver.url in log

    ended = admin.post(f"{PAGE}/1/deactivate", {}, page=PAGE, follow_redirects=True)
    assert "Webhook 1 已停用；取消了 0 个待发送的推送。" in text(ended)
    assert app.extensions["preplan"].list_webhooks()[0]["active"] is False

    english = Browser(app, "en").login("root_admin")
    page = text(english.get(PAGE))
    assert "Delivery log" in page and "A step opened" in page and "ended" in page
