"""Property-based fuzzing of the API from its own OpenAPI document (Schemathesis): whatever a client sends to
any operation, with a valid token, the answer is never a server error. Bounded for CI: derandomized (a fixed
seed) and a few examples per operation, over a case and a task that exist."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}
#: Examples per operation: enough to reach every refusal branch, few enough for CI (the run takes seconds).
EXAMPLES = 8


def test_no_request_makes_the_api_fail(app):
    engine = app.extensions["preplan"]
    engine.start("mini_complaint", MAJOR, user="wang")
    headers = {"Authorization": f"Bearer {engine.create_token('li')['token']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_without_failing(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

        answers_without_failing()
