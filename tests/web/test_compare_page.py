"""The compare page says what changed in words in the reader's language, lists the elements the diagrams mark,
says when only the layout changed, keeps the raw diff for developers; versions download as zips."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile

from engine.preplans.archive import read_zip
from engine.preplans.package import load_package, package_from_files
from tests.conftest import ROOT
from tests.web.conftest import Browser, text


def _two_versions(app, tmp_path):
    folder = tmp_path / "processes" / "vanke_complaint"
    shutil.copytree(ROOT / "processes" / "vanke_complaint", folder)
    shutil.copytree(ROOT / "forms" / "vanke_complaint", tmp_path / "forms" / "vanke_complaint")
    app.flow.deploy(folder)
    bpmn = folder / "vanke_complaint.bpmn"
    bpmn.write_text(
        bpmn.read_text()
        .replace('name="转达投诉"', 'name="转达投诉给负责人"')
        .replace('"PT4H"</bpmn:timeDuration>', '"PT8H"</bpmn:timeDuration>', 1)
    )
    form = tmp_path / "forms" / "vanke_complaint" / "dispatch.schema.json"
    schema = json.loads(form.read_text())
    schema["properties"]["dispatch_note"] = {"type": "string", "title": "转达备注"}
    form.write_text(json.dumps(schema, ensure_ascii=False))
    assert app.flow.deploy(folder)["version"] == 2
    return folder


def _data(page: str, host: str, kind: str) -> list[str]:
    found = re.search(rf'id="{host}"[^>]*data-{kind}="([^"]*)"', page, re.S)
    return json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"')) if found else []


def test_the_changes_in_words_and_the_marked_elements(app, tmp_path):
    _two_versions(app, tmp_path)
    page = text(Browser(app).login("li").get("/preplans/vanke_complaint/compare?old=1&new=2"))
    assert "步骤「转达投诉」改名为「转达投诉给负责人」" in page
    assert "步骤「书面回传客户服务中心」的期限由 4 小时 改为 8 小时" in page
    assert "表单「转达投诉」新增字段「转达备注」" in page
    assert _data(page, "diagram-new", "changed") == ["Task_Dispatch", "Timer_WrittenReport_4h"]
    assert _data(page, "diagram-old", "changed") == ["Task_Dispatch", "Timer_WrittenReport_4h"]
    assert _data(page, "diagram-new", "added") == [] and _data(page, "diagram-old", "removed") == []
    assert 'data-group="forms"' in page and 'data-element="dispatch.schema.json#dispatch_note"' in page
    assert '<details class="card" id="raw-diff">' in page and "PT8H" in page
    assert 'id="layout-only"' not in page
    english = text(Browser(app, "en").login("li").get("/preplans/vanke_complaint/compare?old=1&new=2"))
    assert "The step “转达投诉” was renamed “转达投诉给负责人”" in english
    assert "The deadline of step “书面回传客户服务中心” changed from 4 hours to 8 hours" in english
    # without versions: the newest against the one before
    assert "转达投诉给负责人" in text(Browser(app).login("li").get("/preplans/vanke_complaint/compare"))


def test_unknown_versions_are_not_found(app):
    browser = Browser(app).login("li")
    assert browser.get("/preplans/mini_complaint/compare?old=1&new=5").status_code == 404
    assert browser.get("/preplans/mini_complaint/compare?old=x&new=1").status_code == 200  # old falls back
    assert browser.get("/preplans/nope/compare").status_code == 404
    assert browser.get("/preplans/mini_complaint/versions/9.zip").status_code == 404
    assert browser.get("/preplans/mini_complaint/versions/1/diagram.bpmn").status_code == 200


def test_a_version_downloads_as_a_zip_deploy_accepts(app):
    assert app.test_client().get("/preplans/mini_complaint/versions/1.zip").status_code == 302  # log in first
    answer = Browser(app).login("wang").get("/preplans/mini_complaint/versions/1.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "filename=mini_complaint-v1.zip" in answer.headers["Content-Disposition"]
    package = package_from_files(*read_zip(answer.get_data()))
    assert package.sha256 == load_package(ROOT / "tests" / "fixtures" / "processes" / "mini_complaint").sha256
    assert "processes/mini_complaint/preplan.toml" in zipfile.ZipFile(io.BytesIO(answer.get_data())).namelist()
    assert "/preplans/mini_complaint/versions/1.zip" in text(Browser(app).login("wang").get("/preplans/mini_complaint"))


def test_deadlines_in_words_read_in_both_languages(app):
    app.flow.deploy(ROOT / "processes" / "vanke_complaint")
    chinese = text(Browser(app).login("li").get("/preplans"))
    english = text(Browser(app, "en").login("li").get("/preplans"))
    assert "自收到时间起 7 天" in chinese and "1 个工作日" in chinese
    assert "7 days from" in english and "1 working days" in english and "4 hours" in english
