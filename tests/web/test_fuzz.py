"""Property-based fuzzing (Hypothesis) of the HTTP forms and the CLI's JSON input: whatever is sent, the answer is
a page or a JSON refusal, never a 5xx or a traceback, and a case is only ever stored by a successful start.

Bounded: a few hundred examples in all, about a minute on this machine; ``PREPLAN_FUZZ_EXAMPLES`` raises it for a
longer hunt.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.cli import main
from engine.store.models import Case
from tests.conftest import FIXTURES
from tests.web.conftest import Browser

EXAMPLES = int(os.environ.get("PREPLAN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = ["customer", "summary", "complainant_count", "received_at", "result", "approved", "drill", "x" * 90]
# What a browser can send: any text without lone surrogates (those cannot be encoded; raw bytes cover them).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NUMBERISH = st.one_of(st.integers().map(str), st.floats().map(str), st.sampled_from(["", "1e400", "-0", "٣", "NaN"]))
FORM = st.dictionaries(st.sampled_from(FIELDS), st.one_of(TEXT, NUMBERISH), max_size=6)


def stored_cases(app) -> int:
    with app.flow.engine.db.read() as session:
        return session.scalar(select(func.count()).select_from(Case))


@pytest.fixture
def clerk(app):
    return Browser(app).login("wang")


@FUZZ
@given(form=FORM)
def test_the_start_form_answers_anything_with_a_page(app, clerk, form):
    before = stored_cases(app)
    address = clerk.form("/cases/new/mini_complaint")
    response = clerk.post(address, form, page=address)
    assert response.status_code in (302, 422), response.status_code
    assert stored_cases(app) == before + (response.status_code == 302)


@FUZZ
@given(body=st.binary(max_size=400))
def test_raw_bytes_in_a_form_body_are_read_or_refused(app, clerk, body):
    address = clerk.form("/cases/new/mini_complaint")
    token = clerk.token(address)
    raw = b"csrf_token=" + token.encode() + b"&customer=" + quote_from_bytes(body).encode() + b"&" + body
    response = clerk.client.post(
        address, data=raw, content_type="application/x-www-form-urlencoded", headers=clerk.headers
    )
    assert response.status_code < 500


@FUZZ
@given(
    form=FORM,
    query=st.dictionaries(
        st.sampled_from(["page", "sort", "scope", "severity", "q", "status", "overdue", "year", "next"]),
        TEXT,
        max_size=4,
    ),
)
def test_lists_and_task_forms_answer_anything_with_a_page(app, form, query):
    case = app.flow.start("mini_complaint", {"customer": "张三", "summary": "漏水", "complainant_count": 12})
    task = app.flow.task(case, "Task_Approve")["id"]
    leader = Browser(app).login("li")
    assert leader.post(f"/tasks/{task}/complete", form).status_code in (302, 422)
    boss = Browser(app).login("boss")
    for url in ("/tasks", "/cases", "/preplans", "/inbox"):
        assert boss.get(url, query_string=query).status_code < 500, url
    assert boss.post(f"/cases/{case}/comments", {"text": form.get("summary", "")}).status_code == 302
    assert (
        boss.post("/language", {"language": form.get("customer", ""), "next": query.get("next", "")}).status_code == 302
    )


@FUZZ
@given(name=TEXT, password=TEXT)
def test_logins_answer_anything_without_telling_users_apart(app, name, password):
    response = Browser(app).post("/login", {"username": name, "password": password}, page="/login")
    assert response.status_code in (401, 429) or (response.status_code == 302 and (name, password) == ("li", "pw"))


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=50)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)
DATA = st.one_of(JSON, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5))


@pytest.fixture
def cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--database-url", url, "--now", "2026-11-23T10:00:00+08:00", *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "init")[0] == 0
    assert run("deploy", str(FIXTURES / "processes" / "mini_complaint"))[0] == 0
    assert run("users", "add", "li", "--role", "leader", "--password", "pw")[0] == 0
    return run


@FUZZ
@given(data=DATA, raw=st.one_of(st.none(), st.text(max_size=200)))
def test_the_cli_answers_any_json_with_a_result_or_a_json_refusal(cli, data, raw):
    text = raw if raw is not None else json.dumps(data, ensure_ascii=False)
    # --data=TEXT: a text starting with "-" is data, not an option (the command line itself is not fuzzed here)
    for args in (
        ("start", "mini_complaint", "--json", f"--data={text}"),
        ("complete", "1", "--as", "li", f"--data={text}"),
    ):
        code, out, err = cli(*args)
        assert code in (0, 1) and "Traceback" not in out + err
        answer = json.loads(out)
        assert code == 0 or answer["error"] in ("validation", "not_found", "conflict", "forbidden"), answer
        assert not re.search(r"internal", answer.get("error", "")), answer
