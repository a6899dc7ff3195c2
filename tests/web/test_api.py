"""The REST API as an integration uses it; every answer is checked against the OpenAPI document."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine import clock
from tests.web.api_client import Api
from tests.web.conftest import Browser

MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}


def token(app, user: str, **kw) -> str:
    return app.extensions["preplan"].create_token(user, **kw)["token"]


@pytest.fixture
def clerk(app) -> Api:
    return Api(app, token(app, "wang"))


@pytest.fixture
def leader(app) -> Api:
    return Api(app, token(app, "li"))


def test_a_system_starts_a_case_and_its_leader_completes_the_step(app, clerk, leader):
    [preplan] = clerk.get("/api/v1/preplans").json
    assert preplan["key"] == "mini_complaint" and "customer" in preplan["start_form"]["properties"]
    started = clerk.post("/api/v1/cases", {"preplan": "mini_complaint", "data": MAJOR})
    assert started.status_code == 201 and started.json["business_key"] == "TS-20261123-0001"
    case = started.json["id"]
    shown = leader.get(f"/api/v1/cases/{case}")
    assert shown.json["data"]["customer"] == "张三" and shown.json["preplan"] == "mini_complaint"
    listed = leader.get(f"/api/v1/tasks?case={case}").json
    [step] = listed["items"]
    assert step["name"] == "领导审批" and "approved" in step["form"]["properties"] and listed["next"] is None
    etag = leader.get(f"/api/v1/tasks/{step['id']}").headers["ETag"]
    claimed = leader.post(f"/api/v1/tasks/{step['id']}/claim", headers={"If-Match": etag})
    assert claimed.json["assignee"] == "li" and claimed.json["status"] == "claimed"
    done = leader.post(f"/api/v1/tasks/{step['id']}/complete", {"data": {"approved": True}}, headers={"If-Match": etag})
    assert done.status_code == 200 and done.json["status"] == "completed"
    assert done.headers["ETag"] != etag
    kinds = [e["kind"] for e in leader.get(f"/api/v1/cases/{case}/events").json]
    assert kinds[:1] == ["started"] and "task_completed" in kinds
    assert [c["id"] for c in leader.get("/api/v1/cases").json["items"]] == [case]


def test_a_retry_with_the_same_idempotency_key_answers_with_the_same_case(clerk):
    body = {"preplan": "mini_complaint", "data": MAJOR}
    first = clerk.post("/api/v1/cases", body, headers={"Idempotency-Key": "crm-42"})
    again = clerk.post("/api/v1/cases", body, headers={"Idempotency-Key": "crm-42"})
    assert first.status_code == again.status_code == 201 and again.json["id"] == first.json["id"]
    other = clerk.post(
        "/api/v1/cases", {**body, "data": {**MAJOR, "customer": "李四"}}, headers={"Idempotency-Key": "crm-42"}
    )
    assert other.status_code == 409 and other.json["type"] == "urn:preplan:problem:conflict"
    assert len(clerk.get("/api/v1/cases").json["items"]) == 1


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(app, clerk, leader):
    case = clerk.post("/api/v1/cases", {"preplan": "mini_complaint", "data": MAJOR}).json["id"]
    step = leader.get(f"/api/v1/tasks?case={case}").json["items"][0]["id"]
    stale = leader.post(f"/api/v1/tasks/{step}/complete", {"data": {"approved": True}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and "revision" in stale.json["detail"]
    assert leader.get(f"/api/v1/tasks/{step}").json["status"] == "ready"
    boss = Api(app, token(app, "boss"))
    refused = boss.post(f"/api/v1/cases/{case}/terminate", {"reason": "重复"}, headers={"If-Match": '"999"'})
    assert refused.status_code == 412 and boss.get(f"/api/v1/cases/{case}").json["status"] == "running"


def test_a_read_only_token_reads_but_changes_nothing(app):
    reader = Api(app, token(app, "wang", read_only=True))
    assert reader.get("/api/v1/cases").status_code == 200
    refused = reader.post("/api/v1/cases", {"preplan": "mini_complaint", "data": MAJOR})
    assert refused.status_code == 403 and "read-only" in refused.json["detail"]
    assert reader.get("/api/v1/cases").json["items"] == []


def test_revoked_and_expired_tokens_and_session_cookies_are_refused(app):
    engine = app.extensions["preplan"]
    revoked = engine.create_token("wang")
    engine.revoke_token(revoked["id"])
    assert Api(app, revoked["token"]).get("/api/v1/cases").status_code == 401
    expiring = Api(app, token(app, "wang", expires_at=clock.now() + timedelta(hours=1)))
    assert expiring.get("/api/v1/cases").status_code == 200
    clock.advance(timedelta(hours=1))
    refused = expiring.get("/api/v1/cases")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    browser = Browser(app).login("wang")  # a logged-in browser's cookie is no credential here, and needs no CSRF
    assert browser.get("/api/v1/cases").status_code == 401
    posted = browser.client.post("/api/v1/cases", json={"preplan": "mini_complaint", "data": MAJOR})
    assert posted.status_code == 401 and posted.json["status"] == 401


def test_refusals_are_problem_details_in_the_callers_language(app, clerk):
    chinese = Api(app, clerk.token, language="zh-CN")
    invalid = chinese.post("/api/v1/cases", {"preplan": "mini_complaint", "data": {"complainant_count": "abc"}})
    assert invalid.status_code == 422 and invalid.content_type == "application/problem+json"
    assert invalid.json["title"] == "数据无效" and set(invalid.json["errors"]) >= {"customer", "complainant_count"}
    english = clerk.post("/api/v1/cases", {"preplan": "mini_complaint", "data": {"complainant_count": "abc"}})
    assert english.json["title"] == "Invalid data" and english.json["detail"] == "the start form has errors"
    missing = clerk.get("/api/v1/cases/TS-20991231-9999")
    assert missing.status_code == 404 and missing.json["type"] == "urn:preplan:problem:not_found"
    unknown = app.test_client().get("/api/v1/nothing-here")  # not in the document: answered the same way
    assert unknown.status_code == 404 and unknown.content_type == "application/problem+json"
    broken = clerk.call("POST", "/api/v1/cases", data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json["errors"] == {"": "not valid JSON"}


def test_the_document_and_its_reference_page_need_no_token(app):
    document = Api(app).get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1") and "/api/v1/cases" in document["paths"]
    page = app.test_client().get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.data and b"<script>" not in page.data


def test_a_person_makes_a_token_on_their_page_sees_it_once_and_revokes_it(app):
    browser = Browser(app).login("wang")
    page = browser.post("/account/tokens", {"label": "12345 平台", "scope": "read"}, page="/account/tokens")
    secret = re.search(r'<code id="new-token">(pp_[^<]+)</code>', page.get_data(as_text=True)).group(1)
    reader = Api(app, secret)
    assert reader.get("/api/v1/cases").status_code == 200
    listed = browser.get("/account/tokens").get_data(as_text=True)
    assert "12345 平台" in listed and secret not in listed and "只读" in listed
    [made] = app.extensions["preplan"].list_tokens("wang")
    browser.post(f"/account/tokens/{made['id']}/revoke", {}, page="/account/tokens")
    assert reader.get("/api/v1/cases").status_code == 401
