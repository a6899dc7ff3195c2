"""The studio's back end on both databases: process owners, shared drafts without lost updates, their limits, the
manifest panels, findings at their element in the reader's language, uploads, publishing."""

import io
import re
import threading
import zipfile

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.errors import Conflict, Forbidden, InvalidPreplan, NotFound, ValidationFailed
from engine.notify.webhooks import EVENTS
from engine.preplans import bpmnlint
from engine.preplans.archive import write_zip
from engine.preplans.drafts import MAX_BYTES, TooLarge
from engine.preplans.examples import example_submission
from engine.preplans.listing import preplan_versions
from engine.preplans.package import package_from_files
from engine.store.models import (
    Case,
    CaseSearch,
    Event,
    Notification,
    PreplanDraft,
    PreplanVersion,
    Task,
    Timer,
    WebhookDelivery,
    WorkflowTask,
)
from tests.conftest import ROOT

KEY = "service_essay"
BPMN = "service_essay.bpmn"
MONDAY = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def studio(flow):
    """A seed preplan (its diagram is clean for bpmnlint), an admin, its process owner, the owner of every
    preplan, a former owner and a clerk."""
    flow.ready(ROOT / "processes" / KEY, MONDAY)
    flow.user("boss", "admin")
    flow.user("owner")
    flow.user("all_owner")
    flow.user("other")
    flow.user("clerk1", "service_essay_handler")
    flow.engine.grant("owner", "process_owner", None, preplan=KEY)
    flow.engine.grant("all_owner", "process_owner", None)
    flow.engine.grant("other", "process_owner", None, preplan=KEY)
    flow.engine.revoke("other", "process_owner", None, preplan=KEY)
    return flow


def _events(engine, kind):
    with engine.db.read() as session:
        return session.scalars(select(Event).where(Event.kind == kind)).all()


def _draft_row(engine):
    with engine.db.read() as session:
        return session.get(PreplanDraft, KEY)


# -- roles ----------------------------------------------------------------------------------------------------
def test_owners_of_the_preplan_or_of_all_edit_others_are_refused(studio):
    engine = studio.engine
    for user in ("owner", "all_owner", "boss"):
        assert engine.draft(KEY, user=user)["revision"] == 0
    for user in ("other", "clerk1"):
        with pytest.raises(Forbidden):
            engine.draft(KEY, user=user)
        with pytest.raises(Forbidden):
            engine.save_draft(KEY, 0, {"README.md": "x"}, user=user)
    assert _draft_row(engine) is None
    grants = _events(engine, "role_granted")
    assert {(e.details["user"], e.details.get("preplan")) for e in grants if e.details["role"] == "process_owner"} >= {
        ("owner", KEY),
        ("all_owner", None),
    }
    assert [e.details["user"] for e in _events(engine, "role_revoked")] == ["other"]
    owns = {u["name"]: u["owns"] for u in engine.list_users()}
    assert owns["owner"] == [KEY] and owns["all_owner"] == ["*"] and owns["other"] == []


def test_owner_of_an_unknown_preplan_is_refused(studio):
    with pytest.raises(NotFound):
        studio.engine.grant("owner", "process_owner", None, preplan="nope")


def test_only_admins_publish(studio):
    engine = studio.engine
    saved = engine.save_draft(KEY, 0, {"README.md": "# 测试\n"}, user="owner")
    with pytest.raises(Forbidden):
        engine.publish_draft(KEY, saved["revision"], "note", user="owner")
    with pytest.raises(Forbidden):
        engine.publish_draft(KEY, saved["revision"], "note", user="all_owner")
    assert engine.draft(KEY, user="owner")["may_publish"] is False
    assert engine.draft(KEY, user="boss")["may_publish"] is True


# -- drafts ---------------------------------------------------------------------------------------------------
def test_save_then_a_stale_revision_is_told_who_saved_and_changes_nothing(studio):
    engine = studio.engine
    first = engine.draft(KEY, user="owner")
    assert first["revision"] == 0 and first["based_on"] == 1 and BPMN in first["files"]
    saved = engine.save_draft(KEY, 0, {"README.md": "# 第一版\n"}, user="owner")
    assert saved["revision"] == 1 and saved["ok"] is True
    with pytest.raises(Conflict) as refused:
        engine.save_draft(KEY, 0, {"README.md": "# 另一版\n"}, user="all_owner")
    assert refused.value.details["updated_by"] == "owner" and refused.value.details["revision"] == 1
    assert refused.value.details["updated_at"]
    draft = engine.draft(KEY, user="all_owner")
    assert draft["files"]["README.md"] == "# 第一版\n" and draft["updated_by"] == "owner"
    assert engine.save_draft(KEY, 1, {"README.md": None}, user="all_owner")["revision"] == 2
    assert "README.md" not in engine.draft(KEY, user="owner")["files"]
    assert [e.details["revision"] for e in _events(engine, "draft_saved")] == [1, 2]


@pytest.mark.parametrize(
    "files",
    [
        {"../evil.bpmn": "<x/>"},
        {"forms/../../x.json": "{}"},
        {"notes.txt": "hello"},
        {"README.md": "a\x00b"},
        {"forms/intake.schema.json": "{not json"},
        {"README.md": 12},
    ],
    ids=["climbs", "climbs-forms", "unknown-kind", "nul", "bad-json", "not-text"],
)
def test_files_a_draft_may_not_hold_are_refused_and_nothing_changes(studio, files):
    engine = studio.engine
    engine.save_draft(KEY, 0, {"README.md": "# 原样\n"}, user="owner")
    with pytest.raises(ValidationFailed):
        engine.save_draft(KEY, 1, files, user="owner")
    row = _draft_row(engine)
    assert row.revision == 1 and row.files["README.md"] == "# 原样\n"


def test_an_oversized_draft_is_refused(studio):
    with pytest.raises(TooLarge):
        studio.engine.save_draft(KEY, 0, {"README.md": "长" * (MAX_BYTES // 3 + 1)}, user="owner")
    assert _draft_row(studio.engine) is None


def test_the_manifest_panels_keep_comments_and_citations(studio):
    engine = studio.engine
    before = engine.draft(KEY, user="owner")
    roles = {r["key"]: {"zh": r["zh"], "en": r["en"]} for r in before["roles"] if r["key"].startswith(KEY)}
    roles["service_essay_dept"] = {"zh": "相关职能部门", "en": "Department concerned"}
    manifest = {
        "lanes": before["lanes"],
        "routing": {**before["routing"], "Lane_Dept": {"above": "company"}},
        "roles": roles,
    }
    saved = engine.save_draft(KEY, 0, manifest=manifest, user="owner")
    draft = engine.draft(KEY, user="owner")
    text = draft["files"]["preplan.toml"]
    assert text.startswith("# 服务投诉处理应急预案 — an essay on what a service-industry complaint preplan")
    assert 'Lane_Handler = "case"  # line 161: the enterprise\'s complaint handler' in text
    assert 'zh = "相关职能部门"' in text and "[source]" in text
    assert draft["routing"]["Lane_Dept"] == {"above": "company"} and saved["ok"] is True
    assert {"key": "service_essay_dept", "zh": "相关职能部门", "en": "Department concerned"} in draft["roles"]
    with pytest.raises(ValidationFailed):
        engine.save_draft(KEY, 1, manifest={"routing": {"Lane_Dept": {"nowhere": "x"}}}, user="owner")


# -- findings -------------------------------------------------------------------------------------------------
def test_a_gateway_without_its_default_is_found_at_its_flow_and_blocks_publishing(studio):
    engine = studio.engine
    studio.deploy(ROOT / "processes" / "vanke_complaint")
    engine.grant("owner", "process_owner", None, preplan="vanke_complaint")
    name = "vanke_complaint.bpmn"
    diagram = engine.draft("vanke_complaint", user="owner")["files"][name]
    broken = diagram.replace(' default="Flow_NotForum"', "", 1)
    checked = engine.check_draft("vanke_complaint", {name: broken}, user="owner")
    assert checked["ok"] is False
    errors = [f for f in checked["findings"] if f.severity == "error"]
    assert {(f.file, f.element, f.source) for f in errors} == {
        (name, "Flow_NotForum", "check"),
        (name, "Flow_NotForum", "bpmnlint"),
    }
    assert all(f.message.template for f in errors)  # sentences the web says in the reader's language
    with engine.db.read() as session:
        assert session.get(PreplanDraft, "vanke_complaint") is None  # checking saves nothing
    saved = engine.save_draft("vanke_complaint", 0, {name: broken}, user="owner")
    assert saved["ok"] is False  # a draft may hold errors; it cannot be published
    with pytest.raises(InvalidPreplan):
        engine.publish_draft("vanke_complaint", saved["revision"], "broken", user="boss")
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PreplanVersion)) == 2


def test_bpmnlint_reports_at_the_element(studio):
    engine = studio.engine
    diagram = engine.draft(KEY, user="owner")["files"][BPMN]
    lonely = diagram.replace("</bpmn:process>", '<bpmn:task id="Task_Lonely" name="孤立的步骤" /></bpmn:process>', 1)
    found = engine.check_draft(KEY, {BPMN: lonely}, user="owner")["findings"]
    lint = [f for f in found if f.source == "bpmnlint"]
    assert any(f.element == "Task_Lonely" and f.rule == "no-disconnected" for f in lint), found
    assert all(f.message.template for f in lint)  # a sentence the web says in the reader's language


# -- upload ---------------------------------------------------------------------------------------------------
def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_upload_a_diagram_and_a_zip(studio):
    engine = studio.engine
    files = engine.draft(KEY, user="owner")["files"]
    renamed = files[BPMN].replace("给予客户反馈", "向客户反馈", 1)
    assert engine.upload_to_draft(KEY, 0, BPMN, renamed.encode(), user="owner")["revision"] == 1
    assert engine.draft(KEY, user="owner")["files"][BPMN] == renamed
    entries = {f"processes/{KEY}/{n}": t for n, t in files.items() if not n.startswith("forms/")}
    entries.update({f"forms/{KEY}/{n[6:]}": t for n, t in files.items() if n.startswith("forms/")})
    entries[f"processes/{KEY}/README.md"] = "# 从压缩包来\n"
    assert engine.upload_to_draft(KEY, 1, "mini.zip", _zip(entries), user="owner")["revision"] == 2
    assert engine.draft(KEY, user="owner")["files"]["README.md"] == "# 从压缩包来\n"


def test_a_diagram_saved_under_another_name_replaces_the_preplans_own_never_a_dutys(flow):
    """PetroChina's folder also holds its monthly appraisal's diagram: a diagram uploaded from another modeller
    under another file name replaces the station process's diagram and leaves the duty's alone."""
    flow.deploy(ROOT / "processes" / "petrochina_station")
    flow.user("boss", "admin")
    files = flow.engine.draft("petrochina_station", user="boss")["files"]
    own, duty = "petrochina_station.bpmn", "petrochina_monthly_appraisal.bpmn"
    assert own in files and duty in files
    renamed = files[own].replace("</bpmn:definitions>", "<!-- 另存 -->\n</bpmn:definitions>")
    flow.engine.upload_to_draft("petrochina_station", 0, "diagram_1.bpmn", renamed.encode(), user="boss")
    saved = flow.engine.draft("petrochina_station", user="boss")["files"]
    assert saved["diagram_1.bpmn"] == renamed and own not in saved and saved[duty] == files[duty]


@pytest.mark.parametrize(
    "name,data",
    [
        ("evil.zip", _zip({"../../etc/preplan.toml": "x"})),
        ("other.zip", _zip({"processes/other_plan/preplan.toml": 'process = "x"'})),
        ("broken.zip", b"PK\x03\x04 not really"),
        ("diagram.bpmn", b"\xff\xfe not utf-8"),
        ("diagram.bpmn", "只是文字".encode()),
        ("notes.pdf", b"%PDF"),
    ],
    ids=["climbs", "other-preplan", "not-zip", "not-utf8", "not-xml", "other-kind"],
)
def test_hostile_or_wrong_uploads_are_refused(studio, name, data):
    with pytest.raises((ValidationFailed, InvalidPreplan)):
        studio.engine.upload_to_draft(KEY, 0, name, data, user="owner")
    assert _draft_row(studio.engine) is None


# -- publish --------------------------------------------------------------------------------------------------
def test_publish_makes_a_version_removes_the_draft_and_is_audited(studio):
    engine = studio.engine
    files = engine.draft(KEY, user="owner")["files"]
    changed = files["preplan.toml"].replace('lines = "154-173"', 'lines = "154-174"')
    saved = engine.save_draft(KEY, 0, {"preplan.toml": changed}, user="owner")
    with pytest.raises(Conflict):
        engine.publish_draft(KEY, saved["revision"] + 1, "stale", user="boss")
    result = engine.publish_draft(KEY, saved["revision"], "领导改名", user="boss")
    assert result["version"] == 2 and result["changed"] is True
    assert _draft_row(engine) is None
    with engine.db.read() as session:
        version = session.scalar(select(PreplanVersion).where(PreplanVersion.number == 2))
        assert version.note == "领导改名" and version.deployed_by == "boss"
    assert [e.details["version"] for e in _events(engine, "draft_published")] == [2]
    assert engine.draft(KEY, user="owner")["based_on"] == 2


def test_publishing_a_draft_that_moved_shapes_only_is_no_new_version(studio):
    """The modeller moves shapes and rewrites attributes: the draft is published as what it is, the same
    behaviour, so v1 stays the current version and the draft is gone."""
    engine = studio.engine
    files = engine.draft(KEY, user="owner")["files"]
    moved = re.sub(r'(<dc:Bounds x=")(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 40), files[BPMN])
    assert moved != files[BPMN]
    saved = engine.save_draft(KEY, 0, {BPMN: moved}, user="owner")
    result = engine.publish_draft(KEY, saved["revision"], "挪了位置", user="boss")
    assert result == {"preplan": KEY, "version": 1, "changed": False, "layout_only": True}
    assert _draft_row(engine) is None
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PreplanVersion)) == 1


def test_discard_drops_the_draft(studio):
    engine = studio.engine
    engine.save_draft(KEY, 0, {"README.md": "# 草稿\n"}, user="owner")
    engine.discard_draft(KEY, user="all_owner")
    assert _draft_row(engine) is None
    with pytest.raises(Conflict):
        engine.discard_draft(KEY, user="owner")


# -- trials ---------------------------------------------------------------------------------------------------
ASSIGNED = {"agent": "前厅经理 陈某", "agent_contact": "分机 8001", "handling_due": "2026-11-25T18:00:00+08:00"}
TALKED = {"details": "预订系统漏记升级承诺", "opinion": "兑现升级", "solution": "今晚升级为套房"}


def _open(engine, key, user="owner"):
    return {t["bpmn_id"]: t for t in engine.trial(KEY, key, user=user)["tasks"]}


def _rows(engine, model, **where):
    with engine.db.read() as session:
        return session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_a_trial_is_walked_as_the_owner_advanced_to_its_deadline_and_thrown_away(studio):
    engine = studio.engine
    real = studio.start(KEY, {**_intake(engine)}, user="clerk1")  # a real case beside it
    started = engine.start_trial(KEY, user="owner")
    key = started["business_key"]
    assert key.startswith("SY-") and started["case"] < 0
    assert list(_open(engine, key)) == ["Task_Assign"]
    assign = _open(engine, key)["Task_Assign"]
    engine.complete_trial_step(KEY, key, assign["id"], ASSIGNED, user="owner")  # the handler's lane
    communicate = _open(engine, key)["Task_Communicate"]
    assert engine.trial(KEY, key, user="owner")["roles"][communicate["id"]] == "service_essay_agent"
    engine.complete_trial_step(KEY, key, communicate["id"], TALKED, user="owner")  # the agent's lane
    assert _open(engine, key)["Task_Feedback"]["due_at"] == "2026-11-25T18:00:00+08:00"
    advanced = engine.advance_trial(KEY, key, user="owner")
    assert advanced["fired"] == 1 and advanced["now"] > "2026-11-25T18:00:00+08:00"
    view = engine.trial(KEY, key, user="owner")
    assert [e["details"]["bpmn_id"] for e in view["events"] if e["kind"] == "timer_fired"] == ["Timer_Feedback_Due"]
    assert [s["bpmn_id"] for s in view["steps"]] == ["Task_Assign", "Task_Communicate"]
    with pytest.raises(Forbidden):
        engine.trial(KEY, key, user="clerk1")
    with pytest.raises(Forbidden):
        engine.advance_trial(KEY, key, user="other")
    with engine.db.read() as session:
        hidden = session.scalar(select(PreplanVersion).where(PreplanVersion.status == "trial"))
        assert hidden.number < 0 and hidden.id < 0
    assert [v["number"] for v in _versions(engine)] == [1]  # no list of versions sees it
    engine.discard_trial(KEY, key, user="all_owner")
    case_id = started["case"]
    for model in (Case, Task, Timer, WorkflowTask, Event, CaseSearch):
        column = "id" if model is Case else "case_id"
        assert _rows(engine, model, **{column: case_id}) == 0, model
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PreplanVersion)) == 1
    assert [e.details["business_key"] for e in _events(engine, "trial_discarded")] == [key]
    with pytest.raises(NotFound):
        engine.trial(KEY, key, user="owner")
    assert studio.status(real) == "running"


def test_a_trial_is_in_no_list_figure_search_or_notice(studio):
    engine = studio.engine
    studio.user("handler", "service_essay_handler", email="handler@example.cn")
    engine.add_webhook("https://hooks.example.cn/preplan", EVENTS, "s" * 32)
    started = engine.start_trial(KEY, user="owner")
    key = started["business_key"]
    assert engine.work_page(user="handler").items == []
    assert engine.work_page(user="clerk1").items == []
    for user in ("boss", "owner", "handler"):
        assert engine.cases_page(user=user).items == []
        assert engine.cases_page(user=user, search=key).items == []
    day = clock.now().date()
    assert engine.figures(day, day, user="boss") == []
    assert engine.figures(day, day) == []
    assert _rows(engine, Notification) == 0
    assignee = _open(engine, key)["Task_Assign"]
    engine.complete_trial_step(KEY, key, assignee["id"], ASSIGNED, user="owner")
    assert engine.cases_page(user="owner").items == []
    assert _rows(engine, Notification) == 0 and _rows(engine, WebhookDelivery) == 0
    with pytest.raises(NotFound):  # a trial's step is no one's work: it is not found
        engine.complete(_open(engine, key)["Task_Communicate"]["id"], TALKED, user="handler")


def test_a_draft_with_errors_cannot_be_tried(studio):
    engine = studio.engine
    diagram = engine.draft(KEY, user="owner")["files"][BPMN]
    broken = diagram.replace(
        'formJsonSchemaFilename" value="assign.schema.json"', 'formJsonSchemaFilename" value="x.json"'
    )
    engine.save_draft(KEY, 0, {BPMN: broken}, user="owner")
    with pytest.raises(InvalidPreplan):
        engine.start_trial(KEY, user="owner")
    assert _rows(engine, Case) == 0


def _intake(engine):
    with engine.db.read() as session:
        return example_submission(engine.versions.newest(session, KEY).manifest.start_schema)


def _versions(engine):
    with engine.db.read() as session:
        return preplan_versions(session, KEY, engine.tz)


def test_two_editors_saving_the_same_revision_at_once_one_is_told(studio):
    engine = studio.engine
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user: str) -> None:
        barrier.wait()
        try:
            engine.save_draft(KEY, 0, {"README.md": f"# {user}\n"}, user=user)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("told")

    threads = [threading.Thread(target=save, args=(user,)) for user in ("owner", "all_owner")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "told"]
    assert _draft_row(engine).revision == 1


def test_bpmnlint_that_cannot_run_is_one_warning_not_a_failure(monkeypatch):
    diagram = (ROOT / "processes" / KEY / BPMN).read_text()
    monkeypatch.setattr(bpmnlint.shutil, "which", lambda name: None)
    (report,) = bpmnlint.lint({BPMN: diagram})
    assert (report.severity, report.rule, report.file) == ("warning", "unavailable", BPMN)
    assert "node" in report.message and report.message.template
    monkeypatch.undo()
    monkeypatch.setattr(bpmnlint, "TIMEOUT", 0.001)
    (report,) = bpmnlint.lint({BPMN: diagram})
    assert (report.severity, report.rule) == ("warning", "unavailable")


def test_a_draft_older_than_the_newest_version_is_not_published_over_it(studio):
    engine = studio.engine
    files = engine.draft(KEY, user="owner")["files"]
    saved = engine.save_draft(KEY, 0, {"README.md": "# 草稿\n"}, user="owner")
    newer = {name: text.encode() for name, text in {**files, "README.md": "# v2\n"}.items()}
    assert engine.deploy(package_from_files(KEY, newer), note="命令行部署")["version"] == 2
    with pytest.raises(Conflict) as refused:
        engine.publish_draft(KEY, saved["revision"], "会覆盖 v2", user="boss")
    assert "v2" in str(refused.value.message)
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PreplanVersion).where(PreplanVersion.number > 0)) == 2
    zipped = write_zip(KEY, {**newer, "README.md": "# v2 再改\n".encode()})
    uploaded = engine.upload_to_draft(KEY, saved["revision"], f"{KEY}.zip", zipped, user="owner")
    assert engine.draft(KEY, user="owner")["based_on"] == 2
    assert engine.publish_draft(KEY, uploaded["revision"], "基于 v2", user="boss")["version"] == 3
