"""Events into running cases over the API: a message by case, by correlation, a signal to a preplan's cases; every
answer is checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tests.web.api_client import Api

KEY = "events_complaint"


@pytest.fixture
def clerk(app) -> Api:
    app.flow.deploy(FIXTURES / "processes" / KEY)
    return Api(app, app.extensions["preplan"].create_token("wang")["token"])


def start(clerk: Api, ticket: str) -> dict:
    response = clerk.post("/api/v1/cases", {"preplan": KEY, "data": {"customer": "王先生", "ticket_no": ticket}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_message_to_a_case_by_id_and_by_business_key(clerk):
    case = start(clerk, "T-1")
    answer = clerk.post(f"/api/v1/cases/{case['id']}/messages", {"name": "customer_called", "data": {"topic": "催办"}})
    assert answer.status_code == 200
    delivered = answer.get_json()
    assert delivered["caught"] == [{"bpmn_id": "Catch_Called", "name": "客户来电"}] and len(delivered["opened"]) == 1
    again = clerk.post(f"/api/v1/cases/{case['business_key']}/messages", {"name": "customer_called"})
    assert again.status_code == 409 and "not waiting" in again.get_json()["detail"]
    assert clerk.post(f"/api/v1/cases/{case['id']}/messages", {"data": {}}).status_code == 422


def test_a_message_found_by_correlation(clerk):
    case, _, twin = start(clerk, "T-1"), start(clerk, "T-2"), start(clerk, "T-2")
    by_field = {"name": "regulator_reply", "correlation": {"field": "ticket_no", "value": "T-1"}, "data": {}}
    assert clerk.post("/api/v1/messages", by_field).get_json()["id"] == case["id"]
    several = {"name": "regulator_reply", "correlation": {"field": "ticket_no", "value": "T-2"}}
    refused = clerk.post("/api/v1/messages", several)
    assert refused.status_code == 409 and twin["business_key"] in refused.get_json()["detail"]
    none = {"name": "regulator_reply", "correlation": {"business_key": "TS-20990101-0001"}}
    assert clerk.post("/api/v1/messages", none).status_code == 404
    assert clerk.post("/api/v1/messages", {"name": "regulator_reply"}).status_code == 422


def test_a_signal_to_every_waiting_case_of_a_preplan(clerk):
    first, second = start(clerk, "T-1"), start(clerk, "T-2")
    report = clerk.post(f"/api/v1/preplans/{KEY}/signals", {"name": "storm", "data": {"level": "橙色"}}).get_json()
    assert [(c["id"], c["result"]) for c in report["cases"]] == [
        (first["id"], "delivered"),
        (second["id"], "delivered"),
    ]
    assert clerk.post(f"/api/v1/preplans/{KEY}/signals", {"name": "flood"}).status_code == 404
