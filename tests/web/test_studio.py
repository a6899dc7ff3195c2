"""The studio's HTTP contract: the editor page, the draft as JSON, saving (409 with who and when), checking,
uploads, publishing (admins), discarding; refusals as {"title", "detail"} in the reader's language."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.web.conftest import Browser, text

KEY = "service_essay"
BPMN = "service_essay.bpmn"


@pytest.fixture
def studio(app):
    flow = app.flow
    flow.deploy(ROOT / "processes" / KEY)
    flow.user("admin1", "admin")
    flow.user("owner")
    flow.user("stranger")
    flow.engine.grant("owner", "process_owner", None, preplan=KEY)
    return app


class Editor(Browser):
    """A browser on the studio page: JSON calls carry the page's CSRF token in ``X-CSRFToken``."""

    def open(self, key: str = KEY) -> str:
        page = self.get(f"/preplans/{key}/studio")
        assert page.status_code == 200, text(page)
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', text(page)).group(1)
        return text(page)

    def call(self, method: str, url: str, body: dict | None = None):
        headers = {**self.headers, "X-CSRFToken": self.csrf, "Accept": "application/json"}
        return self.client.open(url, method=method, json=body, headers=headers)


def _editor(app, name: str, language: str = "zh-CN") -> Editor:
    editor = Editor(app, language)
    editor.login(name)
    return editor


def test_the_draft_as_json_save_and_a_stale_save_is_409_with_who_and_when(studio):
    owner = _editor(studio, "owner")
    page = owner.open()
    assert "服务投诉处理应急预案" in page
    draft = owner.call("GET", f"/preplans/{KEY}/draft").get_json()
    assert draft["revision"] == 0 and draft["based_on"] == 1 and BPMN in draft["files"]
    assert draft["lanes"]["Lane_Handler"] == "service_essay_handler" and draft["routing"]["Lane_Handler"] == "case"
    assert draft["may_publish"] is False and draft["findings"] == [] and isinstance(draft["unit_kinds"], list)
    assert {"key", "zh", "en"} <= set(draft["roles"][0])
    saved = owner.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"README.md": "# 草稿\n"}})
    assert saved.status_code == 200 and saved.get_json()["revision"] == 1 and saved.get_json()["ok"] is True
    admin = _editor(studio, "admin1")
    admin.open()
    stale = admin.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"README.md": "# 覆盖\n"}})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["updated_by"] == "owner" and body["revision"] == 1 and body["updated_at"]
    assert "owner" in body["detail"] and "保存" in body["detail"] and body["title"]
    assert owner.call("GET", f"/preplans/{KEY}/draft").get_json()["files"]["README.md"] == "# 草稿\n"


def test_check_answers_findings_at_their_element_in_the_readers_language(studio):
    owner = _editor(studio, "owner")
    owner.open()
    diagram = owner.call("GET", f"/preplans/{KEY}/draft").get_json()["files"][BPMN]
    lonely = diagram.replace("</bpmn:process>", '<bpmn:task id="Task_Lonely" name="孤立" /></bpmn:process>', 1)
    answer = owner.call("POST", f"/preplans/{KEY}/draft/check", {"files": {BPMN: lonely}}).get_json()
    lint = [f for f in answer["findings"] if f["element"] == "Task_Lonely" and f["source"] == "bpmnlint"]
    assert lint and set(lint[0]) == {"file", "element", "line", "severity", "source", "rule", "message"}
    assert lint[0]["file"] == BPMN and re.search(r"[\u4e00-\u9fff]", lint[0]["message"]), lint
    assert owner.call("GET", f"/preplans/{KEY}/draft").get_json()["revision"] == 0  # nothing saved
    unconditioned = re.sub(
        r'(<bpmn:sequenceFlow id="Flow_NoDept"[^>]*>)\s*<bpmn:conditionExpression[^<]*</bpmn:conditionExpression>',
        r"\1",
        diagram,
    )
    answer = owner.call("POST", f"/preplans/{KEY}/draft/check", {"files": {BPMN: unconditioned}}).get_json()
    assert answer["ok"] is False
    assert {
        "file": BPMN,
        "element": "Flow_NoDept",
        "line": None,
        "severity": "error",
        "source": "check",
        "rule": None,
        "message": "从排他网关流出的连线需要条件，除非它是该网关的默认连线",
    } in answer["findings"]
    english = _editor(studio, "owner", "en")
    english.open()
    answer = english.call("POST", f"/preplans/{KEY}/draft/check", {"files": {BPMN: lonely}}).get_json()
    assert any(f["message"] == "this element is not connected to the flow" for f in answer["findings"])


def test_refusals_are_json_with_their_status(studio):
    owner = _editor(studio, "owner")
    owner.open()
    bad = owner.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"../x.bpmn": "<x/>"}})
    assert bad.status_code == 400 and set(bad.get_json()) >= {"title", "detail"}
    nul = owner.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"README.md": "a\u0000b"}})
    assert nul.status_code == 400
    big = owner.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"README.md": "x" * (5 * 2**20 + 1)}})
    assert big.status_code == 413
    assert owner.call("GET", "/preplans/nope/draft").status_code == 404
    assert owner.call("GET", f"/preplans/{KEY}/draft").get_json()["revision"] == 0


def test_others_are_refused(studio):
    stranger = _editor(studio, "stranger")
    assert stranger.get(f"/preplans/{KEY}/studio").status_code == 403
    refused = stranger.client.get(f"/preplans/{KEY}/draft", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.get_json()["detail"]
    assert 'id="edit-in-studio"' not in text(stranger.get(f"/preplans/{KEY}"))
    owner = _editor(studio, "owner")
    assert 'id="edit-in-studio"' in text(owner.get(f"/preplans/{KEY}"))


def test_process_owners_are_shown_granted_and_revoked_on_the_users_page(studio):
    admin = _editor(studio, "admin1")
    page = text(admin.get("/admin/users"))
    assert re.search(r"流程负责人 · service_essay", page)
    granted = admin.post(
        "/admin/users/stranger/grant", {"role": "process_owner", "unit": "root", "preplan": ""}, "/admin/users"
    )
    assert granted.status_code == 302
    assert re.search(r'id="user-stranger".*?流程负责人 · 全部预案', text(admin.get("/admin/users")), re.S)
    assert _editor(studio, "stranger").get(f"/preplans/{KEY}/studio").status_code == 200
    admin.post("/admin/users/stranger/revoke", {"role": "process_owner", "preplan": ""}, "/admin/users")
    assert _editor(studio, "stranger").get(f"/preplans/{KEY}/studio").status_code == 403


def test_upload_publish_and_discard(studio):
    owner = _editor(studio, "owner")
    owner.open()
    diagram = owner.call("GET", f"/preplans/{KEY}/draft").get_json()["files"][BPMN]
    renamed = diagram.replace("给予客户反馈", "向客户反馈", 1)
    sent = owner.client.post(
        f"/preplans/{KEY}/draft/upload",
        data={"csrf_token": owner.csrf, "revision": "0", "file": (io.BytesIO(renamed.encode()), BPMN)},
        headers=owner.headers,
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/preplans/{KEY}/studio")
    assert owner.call("GET", f"/preplans/{KEY}/draft").get_json()["files"][BPMN] == renamed
    refused = owner.post(f"/preplans/{KEY}/draft/publish", {"revision": "1", "note": "改名"}, page="/tasks")
    assert refused.status_code == 403
    admin = _editor(studio, "admin1")
    admin.open()
    done = admin.post(f"/preplans/{KEY}/draft/publish", {"revision": "1", "note": "改名"}, page="/tasks")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/preplans/{KEY}")
    assert "v2" in text(admin.get(f"/preplans/{KEY}"))
    owner.call("PUT", f"/preplans/{KEY}/draft", {"revision": 0, "files": {"README.md": "# 再改\n"}})
    gone = owner.post(f"/preplans/{KEY}/draft/discard", {}, page="/tasks")
    assert gone.status_code == 302
    assert owner.call("GET", f"/preplans/{KEY}/draft").get_json()["revision"] == 0


def test_a_trial_from_the_studio_walked_advanced_and_thrown_away(studio):
    owner = _editor(studio, "owner")
    owner.open()
    started = owner.post(f"/preplans/{KEY}/draft/trials", {}, page="/tasks")
    assert started.status_code == 302
    page_url = started.headers["Location"]
    business_key = page_url.rsplit("/", 1)[-1]
    assert business_key.startswith("SY-") and page_url.endswith(f"/preplans/{KEY}/draft/trials/{business_key}")
    page = text(owner.get(page_url))
    assert 'id="step-Task_Assign"' in page and 'name="handling_due"' in page and 'id="discard-trial"' in page
    task_id = re.search(r'/tasks/(\d+)"', page).group(1)
    refused = owner.post(f"{page_url}/tasks/{task_id}", {"agent": ""}, page="/tasks")
    assert refused.status_code == 422 and 'aria-invalid="true"' in text(refused)
    done = owner.post(
        f"{page_url}/tasks/{task_id}",
        {"agent": "陈某", "agent_contact": "8001", "handling_due": "2026-11-25T18:00"},
        page="/tasks",
    )
    assert done.status_code == 302
    page = text(owner.get(page_url))
    assert 'id="step-Task_Communicate"' in page and "陈某" in page
    stranger = _editor(studio, "stranger")
    assert stranger.get(page_url).status_code == 403
    assert stranger.post(f"{page_url}/discard", {}, page="/tasks").status_code == 403
    thrown = owner.post(f"{page_url}/discard", {}, page="/tasks")
    assert thrown.status_code == 302 and thrown.headers["Location"].endswith(f"/preplans/{KEY}/studio")
    assert owner.get(page_url).status_code == 404


def test_advancing_a_trial_fires_its_deadline(studio):
    engine = studio.flow.engine
    business_key = engine.start_trial(KEY, user="owner")["business_key"]
    trial = engine.trial(KEY, business_key, user="owner")
    engine.complete_trial_step(
        KEY,
        business_key,
        trial["tasks"][0]["id"],
        {"agent": "陈某", "agent_contact": "8001", "handling_due": "2026-11-24T18:00:00+08:00"},
        user="owner",
    )
    communicate = engine.trial(KEY, business_key, user="owner")["tasks"][0]
    talked = {"details": "漏记", "opinion": "兑现", "solution": "升级"}
    engine.complete_trial_step(KEY, business_key, communicate["id"], talked, user="owner")
    owner = _editor(studio, "owner")
    url = f"/preplans/{KEY}/draft/trials/{business_key}"
    moved = owner.post(f"{url}/advance", {}, page="/tasks")
    assert moved.status_code == 302
    page = text(owner.get(url))
    assert "期限已到" in page and "2026-11-24 18:00" in page


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)),
    max_leaves=8,
)
BODIES = st.one_of(
    JSONISH,
    st.fixed_dictionaries(
        {},
        optional={
            "revision": JSONISH,
            "files": st.one_of(JSONISH, st.dictionaries(st.sampled_from(["README.md", "x.bpmn", "../a"]), JSONISH)),
            "manifest": st.one_of(JSONISH, st.fixed_dictionaries({}, optional={"lanes": JSONISH, "routing": JSONISH})),
        },
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES)
def test_whatever_json_is_sent_the_answer_is_json_never_a_5xx(studio_editor, body):
    for method, url in (("PUT", f"/preplans/{KEY}/draft"), ("POST", f"/preplans/{KEY}/draft/check")):
        answer = studio_editor.call(method, url, body)
        assert answer.status_code in (200, 400, 409, 413), (body, answer.status_code)
        assert isinstance(answer.get_json(), dict)


@pytest.fixture
def studio_editor(studio):
    owner = _editor(studio, "owner")
    owner.open()
    return owner
