"""What changed between two versions, in the words a process owner reads, on the seed preplans; and a change of
layout alone (moved shapes, attribute order, namespace prefixes, whitespace) recognised as such."""

from __future__ import annotations

import json
import re

import pytest

from engine.preplans.changes import compare_packages
from engine.preplans.package import load_package
from tests.conftest import ROOT

BPMN = "vanke_complaint.bpmn"


@pytest.fixture(scope="module")
def vanke() -> dict[str, bytes]:
    return dict(load_package(ROOT / "processes" / "vanke_complaint").files)


def _edit(files: dict[str, bytes], name: str, old: str, new: str, count: int = 1) -> dict[str, bytes]:
    text = files[name].decode("utf-8")
    assert text.count(old) >= count, old
    return {**files, name: text.replace(old, new, count).encode("utf-8")}


def _texts(old: dict[str, bytes], new: dict[str, bytes]) -> dict[str, list[str]]:
    compared = compare_packages(old, new)
    assert compared["layout_only"] is False
    found: dict[str, list[str]] = {}
    for change in compared["changes"]:
        assert set(change) >= {"element", "kind", "what", "before", "after", "text"}
        found.setdefault(change["element"], []).append(str(change["text"]))
    return found


def test_a_longer_deadline_is_said_in_hours(vanke):
    new = _edit(
        vanke,
        BPMN,
        'id="TimerDef_Assess_4h">\n        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT4H"',
        'id="TimerDef_Assess_4h">\n        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT8H"',
    )
    assert _texts(vanke, new) == {"Timer_Assess_4h": ["步骤「投诉定性」的期限由 4 小时 改为 8 小时"]}
    (change,) = compare_packages(vanke, new)["changes"]
    assert (change["kind"], change["what"]) == ("changed", "timer")
    assert (change["before"], change["after"]) == ('timeDuration:"PT4H"', 'timeDuration:"PT8H"')


def test_a_deadline_in_working_days_from_a_field(vanke):
    new = _edit(vanke, BPMN, ">working_days(1)<", ">working_days(2, received_at)<")
    ((element, texts),) = _texts(vanke, new).items()
    assert texts == ["步骤「通报热点投诉」的期限由 1 个工作日 改为 自收到时间起 2 个工作日"]


def test_a_new_gateway_condition(vanke):
    flow = (
        '<bpmn:sequenceFlow id="Flow_ByForum" name="论坛受理" sourceRef="Gateway_Receiver" targetRef="Task_Dispatch">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">received_by == "forum"'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>\n    "
    )
    new = _edit(vanke, BPMN, '<bpmn:sequenceFlow id="Flow_ViaCSC"', flow + '<bpmn:sequenceFlow id="Flow_ViaCSC"')
    assert _texts(vanke, new) == {
        "Flow_ByForum": ['新增网关条件：received_by == "forum" 时从「由谁受理?」走向「转达投诉」']
    }


def test_a_changed_condition(vanke):
    new = _edit(vanke, BPMN, 'received_by == "specialist"</bpmn', 'received_by in ("specialist", "manager")</bpmn')
    assert _texts(vanke, new) == {
        "Flow_BySpecialist": [
            '连线「客服专员受理」的条件由 received_by == "specialist" 改为 received_by in ("specialist", "manager")'
        ]
    }


def test_a_changed_decision_rule(vanke):
    new = _edit(vanke, "severity.dmn", "<text>&gt;= 10</text>", "<text>&gt;= 20</text>")
    ((element, texts),) = _texts(vanke, new).items()
    assert element == "Rule_Major_Collective"
    assert texts[0].startswith('决策表「投诉类型（5.5.1）」第 3 行由 集体投诉人数 >= 10 ⇒ 投诉类型 = "major" 改为 ')
    assert "集体投诉人数 >= 20" in texts[0]


def test_a_decision_rule_added_and_the_hit_policy(vanke):
    new = _edit(vanke, "severity.dmn", 'hitPolicy="FIRST"', 'hitPolicy="UNIQUE"')
    assert _texts(vanke, new) == {"severity": ["决策表「投诉类型（5.5.1）」的命中规则由 FIRST 改为 UNIQUE"]}


def test_form_fields_added_removed_and_changed(vanke):
    name = "forms/dispatch.schema.json"
    schema = json.loads(vanke[name])
    schema["properties"]["dispatch_note"] = {"type": "string", "title": "转达备注", "maxLength": 200}
    schema["required"].append("dispatch_note")
    del schema["properties"]["dispatch_method"]
    schema["properties"]["dispatch_to"]["title"] = "接收部门"
    schema["properties"]["dispatch_to_type"]["oneOf"].pop()
    new = {**vanke, name: json.dumps(schema, ensure_ascii=False).encode("utf-8")}
    assert _texts(vanke, new) == {
        "dispatch.schema.json#dispatch_note": ["表单「转达投诉」新增字段「转达备注」（必填）"],
        "dispatch.schema.json#dispatch_method": ["表单「转达投诉」删除字段「转达方式」"],
        "dispatch.schema.json#dispatch_to": ["表单「转达投诉」的字段「接收部门」的标题由 接收单位 改为 接收部门"],
        "dispatch.schema.json#dispatch_to_type": [
            "表单「转达投诉」的字段「转达对象」的选项由 项目部客服专员、物业管理部客服专员、职能部门投诉处理负责人 改为 "
            "项目部客服专员、物业管理部客服专员"
        ],
    }


def test_a_renamed_task_and_a_removed_one(vanke):
    new = _edit(vanke, BPMN, 'name="转达投诉"', 'name="转达投诉给负责人"')
    assert _texts(vanke, new) == {"Task_Dispatch": ["步骤「转达投诉」改名为「转达投诉给负责人」"]}


def test_an_added_task_with_its_flows(vanke):
    task = (
        '<bpmn:userTask id="Task_CallBack" name="电话回访"><bpmn:incoming>Flow_ToCallBack</bpmn:incoming>'
        "<bpmn:outgoing>Flow_CallBackDone</bpmn:outgoing></bpmn:userTask>"
        '<bpmn:sequenceFlow id="Flow_ToCallBack" sourceRef="Task_Dispatch" targetRef="Task_CallBack" />'
        '<bpmn:sequenceFlow id="Flow_CallBackDone" sourceRef="Task_CallBack" targetRef="Split_Dispatched" />'
    )
    new = _edit(vanke, BPMN, '<bpmn:sequenceFlow id="Flow_ViaCSC"', task + '<bpmn:sequenceFlow id="Flow_ViaCSC"')
    new = _edit(
        new,
        BPMN,
        "<bpmn:flowNodeRef>Task_Dispatch</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>Task_Dispatch</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_CallBack</bpmn:flowNodeRef>",
    )
    assert _texts(vanke, new) == {
        "Task_CallBack": ["新增步骤「电话回访」"],
        "Flow_ToCallBack": ["新增连线：从「转达投诉」到「电话回访」"],
        "Flow_CallBackDone": ["新增连线：从「电话回访」到「Split_Dispatched」"],
    }
    removed = compare_packages(new, vanke)["changes"]
    assert {(c["element"], c["kind"]) for c in removed} == {
        ("Task_CallBack", "removed"),
        ("Flow_ToCallBack", "removed"),
        ("Flow_CallBackDone", "removed"),
    }
    assert "删除步骤「电话回访」" in [c["text"] for c in removed]


def test_lane_instructions_and_settings(vanke):
    new = _edit(vanke, BPMN, "转达时限：", "转达期限：")
    new = _edit(new, "preplan.toml", 'key_prefix = "TS"', 'key_prefix = "WK"')
    new = _edit(new, "README.md", "\n", "\n新的一行\n")
    texts = _texts(vanke, new)
    assert texts["Task_Dispatch"] == ["步骤「转达投诉」的办理说明已修改"]
    assert texts["key_prefix"] == ["设置 key_prefix 由 TS 改为 WK"]
    assert texts["README.md"] == ["说明文档 README.md 已修改"]
    readme = next(c for c in compare_packages(vanke, new)["changes"] if c["element"] == "README.md")
    assert readme["after"] == "新的一行" and readme["before"] == ""


def test_the_english_sentence_is_there_for_the_adapters(vanke):
    new = _edit(vanke, BPMN, 'name="转达投诉"', 'name="转达"')
    (change,) = compare_packages(vanke, new)["changes"]
    assert change["text"].template == "%(kind)s「%(before)s」改名为「%(after)s」"
    assert change["text"].values["kind"].template == "步骤"


def _layout_only(files: dict[str, bytes]) -> dict[str, bytes]:
    """Shapes moved, attributes in another order, another namespace prefix, other whitespace and JSON layout."""
    text = files[BPMN].decode("utf-8")
    text = re.sub(r'(<dc:Bounds x=")(\d+)', lambda m: f"{m.group(1)}{int(m.group(2)) + 40}", text)
    text = re.sub(r'<di:waypoint x="(\d+)" y="(\d+)" />', r'<di:waypoint y="\2" x="\1"/>', text)
    text = re.sub(r'<bpmn:userTask id="([^"]+)" name="([^"]+)">', r'<bpmn:userTask name="\2"   id="\1">', text)
    text = text.replace("bpmn:", "semantic:").replace("xmlns:bpmn=", "xmlns:semantic=")
    text = re.sub(r"\n    (?=\s*<)", "\n\t\t", text)  # the indentation of elements, not of code
    text = text.replace('exporter="preplan" exporterVersion="1"', 'exporter="Camunda Modeler" exporterVersion="5.0"')
    text = text.replace('cancelActivity="false">', 'cancelActivity="false"><semantic:extensionElements />', 1)
    forms = {
        n: json.dumps(json.loads(d), indent=4, sort_keys=True).encode() for n, d in files.items() if n.endswith(".json")
    }
    return {**files, **forms, BPMN: text.encode("utf-8")}


def test_layout_only(vanke):
    moved = _layout_only(vanke)
    assert moved != vanke
    assert compare_packages(vanke, moved) == {"changes": [], "layout_only": True}
    assert compare_packages(vanke, vanke) == {"changes": [], "layout_only": False}


def test_a_real_change_inside_a_layout_change_is_found(vanke):
    moved = _edit(_layout_only(vanke), BPMN, 'name="转达投诉"', 'name="转达"')
    assert _texts(vanke, moved) == {"Task_Dispatch": ["步骤「转达投诉」改名为「转达」"]}


@pytest.mark.parametrize("key", ["petrochina_station", "accident_complaint_office", "restaurant_scenarios"])
def test_other_seed_preplans_compare_equal_to_themselves_after_layout_changes(key):
    files = dict(load_package(ROOT / "processes" / key).files)
    bpmn = f"{key}.bpmn"
    text = files[bpmn].decode("utf-8")
    text = re.sub(r'(<dc:Bounds x=")(\d+)', lambda m: f"{m.group(1)}{int(m.group(2)) + 7}", text)
    moved = {**files, bpmn: text.replace("bpmn:", "b:").replace("xmlns:bpmn=", "xmlns:b=").encode("utf-8")}
    assert compare_packages(files, moved) == {"changes": [], "layout_only": True}


def test_a_change_inside_a_sub_process_is_the_inner_element_s(vanke):
    new = _edit(vanke, BPMN, 'name="投诉处理">', 'name="处理投诉">')
    new = _edit(new, BPMN, 'name="第一时间出面"', 'name="领导第一时间出面"')
    assert _texts(vanke, new) == {
        "SubProcess_Handling": ["子流程「投诉处理」改名为「处理投诉」"],
        "Task_LeaderAppear": ["步骤「第一时间出面」改名为「领导第一时间出面」"],
    }


def test_a_boundary_event_that_now_interrupts(vanke):
    new = _edit(vanke, BPMN, 'cancelActivity="false">', 'cancelActivity="true">')  # the first boundary event
    ((element, (text,)),) = _texts(vanke, new).items()
    assert text.startswith("边界事件「") and text.endswith("」改为中断所在步骤")
