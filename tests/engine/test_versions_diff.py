"""Publishing by behaviour: a layout-only change adds no version (SQLite and PostgreSQL); a version exported as a
zip deploys into another database as the same package; ``preplan diff`` and ``preplan versions export`` keep
their contracts."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

from sqlalchemy import func, select

from engine.preplans.archive import read_zip
from engine.preplans.package import load_package, package_from_files
from engine.store.models import PreplanVersion
from tests.conftest import FIXTURES, ROOT
from tests.engine.conftest import as_json

MINI = FIXTURES / "processes" / "mini_complaint"
CHANGE_FIELDS = {"element", "kind", "what", "before", "after", "text"}


def _copy(tmp_path, key: str = "vanke_complaint", source=ROOT):
    folder = tmp_path / "processes" / key
    shutil.copytree(source / "processes" / key, folder)
    shutil.copytree(source / "forms" / key, tmp_path / "forms" / key)
    return folder


def _versions(engine) -> int:
    with engine.db.read() as session:
        return session.scalar(select(func.count()).select_from(PreplanVersion))


def test_a_layout_only_change_adds_no_version(flow, tmp_path):
    folder = _copy(tmp_path)
    assert flow.deploy(folder) == {"preplan": "vanke_complaint", "version": 1, "changed": True}
    bpmn = folder / "vanke_complaint.bpmn"
    moved = re.sub(r'(<dc:Bounds x=")(\d+)', lambda m: f"{m.group(1)}{int(m.group(2)) + 30}", bpmn.read_text())
    bpmn.write_text(moved)
    assert flow.engine.deploy(load_package(folder)) == {
        "preplan": "vanke_complaint",
        "version": 1,
        "changed": False,
        "layout_only": True,
    }
    assert _versions(flow.engine) == 1  # nothing stored
    bpmn.write_text(moved.replace('name="转达投诉"', 'name="转达投诉给负责人"'))
    assert flow.engine.deploy(load_package(folder))["version"] == 2
    assert flow.engine.version_changes("vanke_complaint", 1, 2)["changes"][0]["text"] == (
        "步骤「转达投诉」改名为「转达投诉给负责人」"
    )


def test_an_exported_version_deploys_elsewhere_as_the_same_package(flow, sqlite_engine):
    flow.deploy(ROOT / "processes" / "accident_complaint_office")
    data = flow.engine.export_version("accident_complaint_office", 1)
    package = package_from_files(*read_zip(data))
    assert package.sha256 == load_package(ROOT / "processes" / "accident_complaint_office").sha256
    sqlite_engine.deploy(package)
    with sqlite_engine.db.read() as session, flow.engine.db.read() as other:
        there = session.scalar(select(PreplanVersion.sha256))
        here = other.scalar(select(PreplanVersion.sha256))
    assert there == here == package.sha256


def test_diff_json_and_text_and_raw(run, tmp_path):
    folder = _copy(tmp_path, "mini_complaint", FIXTURES)
    assert as_json(run("deploy", str(folder))[1])["version"] == 1
    bpmn = folder / "mini_complaint.bpmn"
    bpmn.write_text(bpmn.read_text().replace("working_hours(4)", "working_hours(2)"))
    assert as_json(run("deploy", str(folder))[1])["version"] == 2
    code, out, _ = run("diff", "mini_complaint", "1", "2", "--json")
    answer = as_json(out)
    assert code == 0 and set(answer) == {"changes", "layout_only"} and answer["layout_only"] is False
    (change,) = answer["changes"]
    assert set(change) == CHANGE_FIELDS
    assert change["kind"] == "changed" and change["what"] == "timer"
    assert change["text"] == "步骤「领导审批」的期限由 4 个工作小时 改为 2 个工作小时"
    code, out, _ = run("diff", "mini_complaint", "1", "2")
    assert code == 0 and out == "~ 步骤「领导审批」的期限由 4 个工作小时 改为 2 个工作小时\n"
    code, out, _ = run("diff", "mini_complaint", "1", "2", "--raw")
    assert code == 0 and "+      <bpmn:timerEventDefinition><bpmn:timeDate>working_hours(2)" in out
    assert as_json(run("diff", "mini_complaint", "1", "1", "--json")[1]) == {"changes": [], "layout_only": False}
    code, out, _ = run("diff", "mini_complaint", "1", "9", "--json")
    assert code == 1 and as_json(out)["error"] == "not_found"


def test_deploy_of_a_layout_change_through_the_cli(run, tmp_path):
    folder = _copy(tmp_path, "mini_complaint", FIXTURES)
    run("deploy", str(folder))
    bpmn = folder / "mini_complaint.bpmn"
    written = re.sub(
        r'<bpmn:userTask id="([^"]+)" name="([^"]+)"', r'<bpmn:userTask  name="\2" id="\1"', bpmn.read_text()
    )
    assert written != bpmn.read_text()
    bpmn.write_text(written + "\n")
    code, out, err = run("deploy", str(folder))
    assert code == 0 and as_json(out) == {
        "preplan": "mini_complaint",
        "version": 1,
        "changed": False,
        "layout_only": True,
    }
    assert "only the layout changed" in err
    assert as_json(run("versions", "mini_complaint", "--json")[1])[0]["number"] == 1


def test_versions_export_writes_a_zip_deploy_accepts(run, tmp_path):
    run("deploy", str(MINI))
    out = tmp_path / "mini v1.zip"
    code, printed, _ = run("versions", "export", "mini_complaint", "--version", "1", "--out", str(out))
    assert code == 0 and as_json(printed) == {
        "preplan": "mini_complaint",
        "version": 1,
        "out": str(out),
        "files": len(load_package(MINI).files),
    }
    assert "processes/mini_complaint/preplan.toml" in zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    code, printed, _ = run("deploy", str(out))
    assert code == 0 and as_json(printed) == {"preplan": "mini_complaint", "version": 1, "changed": False}
    code, printed, _ = run("versions", "export", "mini_complaint", "--version", "7", "--out", str(out))
    assert code == 1 and as_json(printed)["error"] == "not_found"
    code, printed, _ = run("versions", "export", "mini_complaint")
    assert code == 1 and "--version N and --out" in as_json(printed)["message"]
    assert as_json(run("versions", "mini_complaint", "--json")[1])[0]["number"] == 1
