"""``preplan check``: each broken variant of a valid preplan yields a finding naming the file, element and line."""

import json
import shutil
from pathlib import Path

import pytest

from engine.errors import InvalidPreplan
from engine.preplans.check import check_package
from engine.preplans.package import load_package
from tests.conftest import FIXTURES, ROOT

MINI = "mini_complaint"


@pytest.fixture
def preplan(tmp_path) -> Path:
    """A writable copy of the fixture preplan (processes/ + forms/ side by side)."""
    shutil.copytree(FIXTURES / "processes" / MINI, tmp_path / "processes" / MINI)
    shutil.copytree(FIXTURES / "forms" / MINI, tmp_path / "forms" / MINI)
    return tmp_path / "processes" / MINI


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def findings(folder: Path) -> list[str]:
    return [str(p) for p in check_package(load_package(folder)).problems]


def bpmn(folder: Path) -> Path:
    return folder / f"{MINI}.bpmn"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_fixture_is_clean(preplan):
    assert findings(preplan) == []


@pytest.mark.parametrize(
    "timer, message",
    [
        ("PT4H", "must be a quoted ISO 8601 literal or a call of one of"),
        ('"PT4X"', "is not a valid ISO 8601 date"),
        ("timedelta(hours=4)", "must be a quoted ISO 8601 literal"),
        ("working_hours(4, 5 + 5)", "arguments of working_hours() must be literals or case data names"),
        ("working_hours()", "working_hours(): missing a required argument"),
        ('"2026-11-23T18:00:00"', "needs an explicit UTC offset"),
        ("${approvalTimeout}", "is not an expression"),
    ],
)
def test_timer_expressions_are_verified_before_they_run(preplan, timer, message):
    edit(bpmn(preplan), "<bpmn:timeDate>working_hours(4)</bpmn:timeDate>", f"<bpmn:timeDate>{timer}</bpmn:timeDate>")
    problems = findings(preplan)
    assert len(problems) == 1 and message in problems[0], problems
    line = line_of(bpmn(preplan), 'id="Timer_Approve"')
    assert f"{MINI}.bpmn:{line}: Timer_Approve: " in problems[0]


def test_a_cycle_must_be_a_repetition(preplan):
    edit(bpmn(preplan), '<bpmn:timeCycle>"R/PT1H"</bpmn:timeCycle>', "<bpmn:timeCycle>working_days(1)</bpmn:timeCycle>")
    assert "use them in a timeDate timer, not timeCycle" in findings(preplan)[0]


def test_user_task_forms_must_exist_and_be_valid_json_schema(preplan):
    edit(bpmn(preplan), 'value="handle.schema.json"', 'value="missing.schema.json"')
    (preplan.parent.parent / "forms" / MINI / "approve.schema.json").write_text(
        '{"type": "object", "properties": {"x": {"type": "nonsense"}}}'
    )
    problems = findings(preplan)
    assert any("Task_Handle: form 'missing.schema.json' does not exist" in p for p in problems), problems
    assert any("approve.schema.json: not a valid JSON Schema (2020-12)" in p for p in problems), problems
    assert any("Task_Approve: form 'approve.schema.json' is not a valid JSON Schema" in p for p in problems), problems


def test_every_lane_must_map_to_a_declared_role(preplan):
    edit(preplan / "preplan.toml", 'Lane_Leader = "leader"', 'Lane_Leader = "boss"')
    problems = findings(preplan)
    assert any("Lane_Leader: lane maps to role 'boss', which preplan.toml does not declare" in p for p in problems)
    edit(preplan / "preplan.toml", 'Lane_Leader = "boss"\n', "")
    assert any("Lane_Leader: lane '领导' is not mapped to a role" in p for p in findings(preplan))


def test_gateway_conditions_must_cover_the_decided_values(preplan):
    edit(
        bpmn(preplan),
        '<bpmn:conditionExpression>level == "general"</bpmn:conditionExpression>',
        '<bpmn:conditionExpression>level == "minor"</bpmn:conditionExpression>',
    )
    problems = findings(preplan)
    assert len(problems) == 1 and "Gateway_Level: no flow for level = 'general'" in problems[0], problems


def test_gateway_with_unanalysable_conditions_needs_a_default(preplan):
    edit(
        bpmn(preplan),
        '<bpmn:conditionExpression>level == "general"</bpmn:conditionExpression>',
        "<bpmn:conditionExpression>complainant_count &lt; 10</bpmn:conditionExpression>",
    )
    assert "cannot be checked for coverage; add a default flow" in findings(preplan)[0]


def test_dmn_cells_are_python_not_feel(preplan):
    edit(preplan / "level.dmn", "<text>&gt;= 10</text>", "<text>[10..100]</text>")
    problems = findings(preplan)
    assert any("level.dmn" in p and "R1_C" not in p and "FEEL is not supported" in p for p in problems), problems


def test_called_decisions_must_exist(preplan):
    edit(
        bpmn(preplan),
        "<spiffworkflow:calledDecisionId>level</spiffworkflow:calledDecisionId>",
        "<spiffworkflow:calledDecisionId>severity</spiffworkflow:calledDecisionId>",
    )
    assert "Decide_Level: calls decision 'severity', which no DMN file of this preplan defines" in findings(preplan)[0]


def test_xml_errors_name_the_line(preplan):
    edit(bpmn(preplan), '<bpmn:endEvent id="End_Closed"', '<bpmn:endEvent id="End_Closed" <')
    problems = findings(preplan)
    assert len(problems) == 1 and "not well-formed XML" in problems[0]
    line = line_of(bpmn(preplan), 'id="End_Closed" <')
    assert f"{MINI}.bpmn:{line}:" in problems[0]


def test_xsd_violations_name_the_line(preplan):
    edit(
        bpmn(preplan),
        '<bpmn:endEvent id="End_Closed" name="结案">',
        '<bpmn:endEvent id="End_Closed" name="结案"><bpmn:bogus />',
    )
    problems = findings(preplan)
    assert len(problems) == 1 and "bogus" in problems[0] and "This element is not expected" in problems[0]
    assert f":{line_of(bpmn(preplan), '<bpmn:bogus')}:" in problems[0]


def test_reserved_ids_are_refused(preplan):
    text = bpmn(preplan).read_text().replace("Start_Received", "Start")
    bpmn(preplan).write_text(text)
    assert any("id 'Start' is reserved by the workflow engine" in p for p in findings(preplan))


def test_manifest_needs_its_keys(preplan):
    (preplan / "preplan.toml").write_text('process = "mini_complaint"\n[lanes]\n')
    problems = findings(preplan)
    for message in ("needs start_form", "needs [title] with zh and en", "needs at least one [roles.<key>] table"):
        assert any(message in p for p in problems), problems


def test_the_category_the_figures_count_by_is_a_field_of_the_preplan(preplan):
    manifest = preplan / "preplan.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('severity = "level"', 'severity = "level"\ncategory = "topic"'), encoding="utf-8")
    assert any("[case] category 'topic' is no field of a form or of [fields]" in p for p in findings(preplan))
    manifest.write_text(text.replace('severity = "level"', 'severity = "level"\ncategory = "customer"'), "utf-8")
    assert findings(preplan) == []


def test_form_fields_may_not_shadow_script_helpers(preplan):
    form = preplan.parent.parent / "forms" / MINI / "handle.schema.json"
    schema = json.loads(form.read_text())
    schema["properties"]["now"] = {"type": "string"}
    form.write_text(json.dumps(schema))
    assert "field 'now' has the name of a script helper" in findings(preplan)[0]


def test_shared_forms_and_decision_tables_are_copied_into_each_version(preplan, sqlite_flow):
    forms, processes = preplan.parent.parent / "forms", preplan.parent
    (forms / "_shared").mkdir()
    (processes / "_shared").mkdir()
    (forms / MINI / "handle.schema.json").rename(forms / "_shared" / "handle.schema.json")
    (preplan / "level.dmn").rename(processes / "_shared" / "level.dmn")
    edit(bpmn(preplan), 'value="handle.schema.json"', 'value="_shared/handle.schema.json"')
    manifest = preplan / "preplan.toml"
    manifest.write_text('shared = ["_shared"]\n' + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    assert findings(preplan) == []
    sqlite_flow.deploy(preplan)
    sqlite_flow.at("2026-11-23T10:00:00+08:00")
    case = sqlite_flow.start("mini_complaint", {"customer": "甲", "summary": "乙", "complainant_count": 1})
    (forms / "_shared" / "handle.schema.json").write_text('{"type": "object", "properties": {}}')  # later edit
    sqlite_flow.complete(case, "Task_Handle", {"result": "已处理"})  # the deployed copy still applies
    assert sqlite_flow.status(case) == "completed"


def test_a_missing_shared_library_is_reported(preplan):
    manifest = preplan / "preplan.toml"
    manifest.write_text('shared = ["_nowhere"]\n' + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InvalidPreplan, match="1 problem"):
        load_package(preplan)


def test_a_duty_table_must_name_its_diagram_period_due_rule_and_roles(tmp_path):
    shutil.copytree(ROOT / "processes" / "vanke_complaint", tmp_path / "processes" / "vanke_complaint")
    shutil.copytree(ROOT / "forms" / "vanke_complaint", tmp_path / "forms" / "vanke_complaint")
    folder = tmp_path / "processes" / "vanke_complaint"
    assert findings(folder) == []
    manifest = folder / "preplan.toml"
    edit(manifest, 'due = "before:18"', 'due = "before:the 18th"')
    edit(manifest, 'period = "quarter"', 'period = "week"')
    edit(manifest, 'mail = ["vanke_leader"]', 'mail = ["group_centre"]')
    (folder / "vanke_month_report.bpmn").unlink()
    found = [f.split(": ", 1)[1] for f in findings(folder)]
    assert found == [
        "duty 'daily_report': mail must list roles declared under [roles]",
        'duty \'half_month_report\': due must be "close", "before:<day>" or "working_days:<n>"',
        "duty 'month_report': its diagram must be the file vanke_month_report.bpmn in the preplan's folder",
        "duty 'specialist_appraisal': period must be one of day, half_month, month, quarter",
    ]
