"""Webhooks out, against a real HTTP receiver on 127.0.0.1: every event of a case's life is delivered, signed and
shaped as documented; a failing receiver is retried after the backoff (the fixed clock moves, nothing sleeps) and
given up after the last attempt; a change that rolls back announces nothing; two workers never deliver the same
row twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.cases.run import CaseRun
from engine.errors import NotFound, ValidationFailed
from engine.notify import outbox
from engine.notify.webhooks import EVENTS
from engine.service.timers import work
from engine.store.models import WebhookDelivery
from tests.engine.conftest import MAJOR

SECRET = "s3cret-顺丰"


@pytest.fixture
def mini(mini):
    mini.user("li", "leader")
    mini.user("wang", "clerk")
    return mini


def log(flow) -> list[dict]:
    return flow.engine.webhook_log()


def test_every_event_of_a_case_is_delivered_signed_and_as_documented(mini, receiver):
    hook = mini.engine.add_webhook(receiver.url, reversed(EVENTS), SECRET)
    assert hook["events"] == list(EVENTS) and hook["active"] and "secret" not in hook
    case = mini.start("mini_complaint", MAJOR)
    mini.at("2026-11-23T14:01:00+08:00")  # 领导审批 was due at 14:00: overdue, then its deadline escalates
    assert mini.engine.sweep_deadlines() == 1
    assert mini.fire() == 1
    mini.complete(case, "Task_Escalate", {"approved": True}, user="li")
    mini.complete(case, "Task_Handle", {"result": "已处理"}, user="wang")
    assert mini.status(case) == "completed"

    assert mini.engine.deliver_webhooks() == {"delivered": 9, "retrying": 0, "failed": 0}
    got = [(b["event"], b.get("task", {}).get("bpmn_id")) for b in receiver.bodies()]
    assert got == [
        ("case.started", None),
        ("task.created", "Task_Approve"),
        ("task.overdue", "Task_Approve"),
        ("task.created", "Task_Escalate"),
        ("case.escalated", "Task_Escalate"),
        ("task.completed", "Task_Escalate"),
        ("task.created", "Task_Handle"),
        ("task.completed", "Task_Handle"),
        ("case.completed", None),
    ]
    for headers, body in receiver.requests:
        document = json.loads(body)
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Preplan-Signature"], expected)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Preplan-Event"] == document["event"]
        assert headers["X-Preplan-Delivery"] == document["delivery"]
        assert document["case"] == {
            "id": case,
            "business_key": "TS-20261123-0001",
            "preplan": "mini_complaint",
            "unit": "root",
            "status": "completed" if document["event"] == "case.completed" else "running",
            "drill": False,
        }
        assert "张三" not in body.decode() and "楼上漏水" not in body.decode()  # no form data leaves
    first, _, overdue, _, escalated, completed, *_ = receiver.bodies()
    assert set(first) == {"event", "delivery", "occurred_at", "case"}
    assert first["occurred_at"] == "2026-11-23T10:00:00+08:00"
    assert overdue["task"] == {
        "id": overdue["task"]["id"],
        "name": "领导审批",
        "bpmn_id": "Task_Approve",
        "role": "leader",
        "unit": "root",
        "assignee": None,
        "status": "open",
        "due_at": "2026-11-23T14:00:00+08:00",
    }
    assert escalated["escalation"] == {"bpmn_id": "Timer_Approve", "name": "4 工作小时未审批"}
    assert completed["task"]["status"] == "completed" and completed["task"]["assignee"] == "li"
    assert len({b["delivery"] for b in receiver.bodies()}) == 9
    assert {d["status"] for d in log(mini)} == {"delivered"}
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 0}


def test_only_the_events_subscribed_go_to_each_url(mini, receiver):
    mini.engine.add_webhook(receiver.url, ["case.completed"], SECRET)
    mini.engine.add_webhook(receiver.url + "?all", EVENTS, "other")
    mini.start("mini_complaint", MAJOR)
    assert [(d["event"], d["url"].endswith("?all")) for d in reversed(log(mini))] == [
        ("case.started", True),
        ("task.created", True),
    ]


def test_a_failing_receiver_is_tried_again_after_the_backoff(mini, receiver):
    receiver.answers = [500]
    mini.engine.add_webhook(receiver.url, ["case.started"], SECRET)
    mini.start("mini_complaint", MAJOR)
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 1, "failed": 0}
    (entry,) = log(mini)
    assert (entry["status"], entry["attempts"], entry["last_status"], entry["last_error"]) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    assert entry["next_attempt_at"] == "2026-11-23T10:00:30+08:00"
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 0}  # not due yet
    clock.advance(timedelta(seconds=30))
    assert mini.engine.deliver_webhooks() == {"delivered": 1, "retrying": 0, "failed": 0}
    (first_headers, first_body), (headers, body) = receiver.requests
    assert body == first_body and headers["X-Preplan-Signature"] == first_headers["X-Preplan-Signature"]
    (entry,) = log(mini)
    assert (entry["status"], entry["attempts"], entry["last_status"], entry["last_error"]) == (
        "delivered",
        2,
        200,
        None,
    )
    assert entry["delivered_at"] == "2026-11-23T10:00:30+08:00" and entry["next_attempt_at"] is None


def test_a_delivery_fails_after_its_last_attempt(mini, receiver):
    receiver.answers = [503] * outbox.MAX_ATTEMPTS
    mini.engine.add_webhook(receiver.url, ["case.started"], SECRET)
    mini.start("mini_complaint", MAJOR)
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        assert mini.engine.deliver_webhooks()["retrying"] == 1
        clock.advance(outbox.backoff(attempt))
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 1}
    clock.advance(timedelta(days=1))
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 0}
    (entry,) = log(mini)
    assert (entry["status"], entry["attempts"], entry["last_status"], entry["next_attempt_at"]) == (
        "failed",
        outbox.MAX_ATTEMPTS,
        503,
        None,
    )
    assert len(receiver.requests) == outbox.MAX_ATTEMPTS


def test_an_unreachable_receiver_is_an_attempt_that_failed(mini, receiver):
    url = receiver.url
    receiver.close()  # nothing listens there any more
    mini.engine.add_webhook(url, ["case.started"], SECRET)
    mini.start("mini_complaint", MAJOR)
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 1, "failed": 0}
    (entry,) = log(mini)
    assert entry["last_status"] is None and "ConnectionError" in entry["last_error"]


def test_an_operation_that_rolls_back_announces_nothing(mini, receiver, monkeypatch):
    mini.engine.add_webhook(receiver.url, EVENTS, SECRET)
    case = mini.start("mini_complaint", MAJOR)
    before = len(log(mini))
    saved = CaseRun.save

    def save_then_fail(self, actor):
        saved(self, actor)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(CaseRun, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        mini.complete(case, "Task_Approve", {"approved": True}, user="li")
    monkeypatch.undo()
    assert len(log(mini)) == before
    assert mini.open_steps(case) == ["Task_Approve"]
    mini.complete(case, "Task_Approve", {"approved": True}, user="li")
    assert [d["event"] for d in log(mini)][:2] == ["task.created", "task.completed"]


def test_ending_a_subscription_cancels_what_it_has_pending(mini, receiver):
    hook = mini.engine.add_webhook(receiver.url, EVENTS, SECRET)
    case = mini.start("mini_complaint", MAJOR)
    ended = mini.engine.deactivate_webhook(hook["id"])
    assert ended["active"] is False and ended["cancelled"] == 2
    mini.complete(case, "Task_Approve", {"approved": True}, user="li")
    assert mini.engine.deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 0}
    assert receiver.requests == [] and {d["status"] for d in log(mini)} == {"cancelled"}
    assert [h["active"] for h in mini.engine.list_webhooks()] == [False]
    with pytest.raises(NotFound):
        mini.engine.deactivate_webhook(999)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.cn/hook",
        "https://user:pw@example.cn/hook",
        "https://token@example.cn/hook",
        "http:///hook",
        "https://example.cn:99999/hook",
        "https://example.cn/a b",
        "javascript:alert(1)",
    ],
)
def test_a_webhook_url_must_be_http_without_credentials(sqlite_engine, url):
    with pytest.raises(ValidationFailed) as refused:
        sqlite_engine.add_webhook(url, ["case.started"], SECRET)
    assert "url" in refused.value.fields
    assert sqlite_engine.list_webhooks() == []


def test_events_and_secret_are_checked(sqlite_engine):
    with pytest.raises(ValidationFailed) as refused:
        sqlite_engine.add_webhook("https://example.cn/hook", ["case.started", "case.deleted"], SECRET)
    assert "case.deleted" in refused.value.message and "events" in refused.value.fields
    with pytest.raises(ValidationFailed):
        sqlite_engine.add_webhook("https://example.cn/hook", [], SECRET)
    with pytest.raises(ValidationFailed) as refused:
        sqlite_engine.add_webhook("https://example.cn/hook", ["case.started"], "")
    assert "secret" in refused.value.fields


def test_only_admins_keep_webhooks(mini):
    with pytest.raises(Exception, match="admin"):
        mini.engine.add_webhook("https://example.cn/hook", ["case.started"], SECRET, user="li")
    with pytest.raises(Exception, match="admin"):
        mini.engine.webhook_log(user="li")
    mini.user("root", "admin")
    assert mini.engine.add_webhook("https://example.cn/hook", ["case.started"], SECRET, user="root")["created_by"] == (
        "root"
    )


def test_two_workers_never_deliver_the_same_row_twice(mini, receiver):
    mini.engine.add_webhook(receiver.url, ["case.started", "task.created"], SECRET)
    for _ in range(6):
        mini.start("mini_complaint", MAJOR)
    outcomes: list[dict[str, int]] = []
    workers = [threading.Thread(target=lambda: outcomes.append(mini.engine.deliver_webhooks())) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(o["delivered"] for o in outcomes) == 12
    deliveries = [b["delivery"] for b in receiver.bodies()]
    assert len(deliveries) == len(set(deliveries)) == 12


def test_the_worker_delivers_continuously(mini, receiver):
    mini.engine.add_webhook(receiver.url, ["case.started"], SECRET)
    stop = threading.Event()
    worker = threading.Thread(target=work, args=(mini.engine, stop), daemon=True)
    worker.start()
    try:
        mini.start("mini_complaint", MAJOR)
        assert receiver.wait_for(1)
    finally:
        stop.set()
        worker.join(timeout=20)
    with mini.engine.db.read() as session:
        assert session.scalar(select(func.count()).where(WebhookDelivery.status == "delivered")) == 1
