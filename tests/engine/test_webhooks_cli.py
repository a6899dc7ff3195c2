"""``preplan webhooks add|list|deactivate|deliver``: a public interface, its names, exit codes and JSON asserted."""

import hashlib
import hmac
import json

import pytest

from tests.engine.conftest import MAJOR, as_json

HOOK_FIELDS = {"id", "url", "events", "active", "created_by", "created_at"}


def test_subscribe_list_and_deliver(deployed, receiver):
    code, out, _ = deployed(
        "webhooks", "add", receiver.url, "--event", "task.created", "--event", "case.started", "--secret", "k", "--json"
    )
    hook = as_json(out)
    assert code == 0 and set(hook) == HOOK_FIELDS
    assert hook["events"] == ["case.started", "task.created"] and hook["active"] is True
    assert hook["created_by"] == "cli" and hook["created_at"] == "2026-11-23T10:00:00+08:00"
    code, out, _ = deployed("webhooks", "list", "--json")
    assert code == 0 and as_json(out) == [hook]
    assert deployed("start", "mini_complaint", "--data", json.dumps(MAJOR), "--json")[0] == 0
    code, out, _ = deployed("webhooks", "deliver", "--json")
    assert code == 0 and as_json(out) == {"delivered": 2, "retrying": 0, "failed": 0}
    assert [b["event"] for b in receiver.bodies()] == ["case.started", "task.created"]
    headers, body = receiver.requests[0]
    assert headers["X-Preplan-Signature"] == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    code, out, _ = deployed("webhooks", "deliver")
    assert (code, out) == (0, "0 delivered, 0 retrying, 0 failed\n")


def test_refusals_and_ending_a_subscription(deployed):
    code, out, _ = deployed(
        "webhooks", "add", "ftp://example.cn/x", "--event", "case.started", "--secret", "k", "--json"
    )
    assert code == 1 and as_json(out)["error"] == "validation" and "url" in as_json(out)["fields"]
    code, out, _ = deployed(
        "webhooks", "add", "https://example.cn/x", "--event", "case.moved", "--secret", "k", "--json"
    )
    assert code == 1 and "case.moved" in as_json(out)["message"]
    with pytest.raises(SystemExit) as usage:  # --event is required: argparse answers with the usage
        deployed("webhooks", "add", "https://example.cn/x", "--secret", "k", "--json")
    assert usage.value.code == 2
    code, out, _ = deployed("webhooks", "add", "https://example.cn/x", "--event", "case.completed", "--secret", "k")
    assert (code, out) == (0, "webhook 1: https://example.cn/x (case.completed)\n")
    code, out, _ = deployed("webhooks", "deactivate", "1", "--json")
    assert code == 0 and as_json(out)["active"] is False and as_json(out)["cancelled"] == 0
    code, out, _ = deployed("webhooks", "deactivate", "7", "--json")
    assert code == 1 and as_json(out)["error"] == "not_found"
    code, out, _ = deployed("webhooks", "list")
    assert code == 0 and "https://example.cn/x" in out and " no " in out
