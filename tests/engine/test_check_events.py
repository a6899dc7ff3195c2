"""``preplan check`` on catch events: what nothing can trigger is refused at its file:line, what messages and signals
reach (intermediate catch events, receive tasks, boundary events, event sub-processes) passes."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.engine.test_check import edit, findings, line_of

EVENTS = "events_complaint"
#: An element added at the end of the process (check reads it; nothing needs to reach it).
_END = "  </bpmn:process>"


@pytest.fixture
def preplan(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "processes" / EVENTS, tmp_path / "processes" / EVENTS)
    shutil.copytree(FIXTURES / "forms" / EVENTS, tmp_path / "forms" / EVENTS)
    return tmp_path / "processes" / EVENTS


def diagram(folder: Path) -> Path:
    return folder / f"{EVENTS}.bpmn"


def only_finding(folder: Path, element: str, message: str) -> None:
    problems = findings(folder)
    line = line_of(diagram(folder), f'id="{element}"')
    assert len(problems) == 1 and f"{diagram(folder).name}:{line}: {element}: " in problems[0], problems
    assert message in problems[0], problems


def test_messages_signals_and_receive_tasks_can_be_triggered(preplan):
    assert findings(preplan) == []


def test_a_conditional_catch_event_is_refused(preplan):
    edit(
        diagram(preplan),
        '<bpmn:signalEventDefinition signalRef="Signal_Storm" />',
        "<bpmn:conditionalEventDefinition><bpmn:condition>storm</bpmn:condition></bpmn:conditionalEventDefinition>",
    )
    only_finding(preplan, "Catch_Storm", "a conditional event is tested only when another step of the case ends")


def test_a_timer_after_an_event_based_gateway_is_refused(preplan):
    edit(
        diagram(preplan),
        _END,
        """    <bpmn:eventBasedGateway id="Gateway_Wait"><bpmn:outgoing>FW1</bpmn:outgoing><bpmn:outgoing>FW2</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="Wait_Reply"><bpmn:incoming>FW1</bpmn:incoming><bpmn:messageEventDefinition messageRef="Message_Reply" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Wait_Timeout"><bpmn:incoming>FW2</bpmn:incoming><bpmn:timerEventDefinition><bpmn:timeDuration>"PT4H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="FW1" sourceRef="Gateway_Wait" targetRef="Wait_Reply" />
    <bpmn:sequenceFlow id="FW2" sourceRef="Gateway_Wait" targetRef="Wait_Timeout" />
"""
        + _END,
    )
    only_finding(preplan, "Wait_Timeout", "a timer after an event-based gateway is never scheduled")


def test_an_interrupting_event_sub_process_is_refused(preplan):
    edit(diagram(preplan), ' isInterrupting="false"', "")
    only_finding(preplan, "Start_Facts", "mark its start event non-interrupting")


def test_a_message_event_sub_process_inside_a_sub_process_is_refused(preplan):
    edit(
        diagram(preplan),
        _END,
        """    <bpmn:subProcess id="Sub_Outer">
      <bpmn:subProcess id="Sub_Inner" triggeredByEvent="true">
        <bpmn:startEvent id="Start_Inner" isInterrupting="false"><bpmn:messageEventDefinition messageRef="Message_Reply" /></bpmn:startEvent>
      </bpmn:subProcess>
    </bpmn:subProcess>
"""
        + _END,
    )
    only_finding(preplan, "Start_Inner", "only an event sub-process of the process itself starts on a message")


def test_a_plain_task_outside_the_lanes_is_refused(preplan):
    edit(diagram(preplan), _END, '    <bpmn:task id="Task_Plain" name="核对" />\n' + _END)
    only_finding(preplan, "Task_Plain", "human task is not in a lane mapped to a role, so nobody could complete it")
