"""Events into running cases: each kind of catch (intermediate, receive task, boundary, event sub-process), signals
to several cases, correlation by business key and by a data field, refusals and who may send."""

import pytest

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import FIXTURES
from tests.engine.conftest import as_json
from tests.flow import Flow, assert_rows_restore_the_live_workflow

EVENTS = FIXTURES / "processes" / "events_complaint"
KEY = "events_complaint"


@pytest.fixture
def events(flow: Flow) -> Flow:
    return flow.ready(EVENTS, "2026-11-23T10:00:00+08:00")


def start(flow: Flow, ticket: str = "12345-0001", **extra) -> int:
    return flow.start(KEY, {"customer": "王先生", "ticket_no": ticket, **extra})


def test_a_case_waits_at_its_catch_events_with_only_its_human_step_open(events):
    case = start(events)
    assert events.open_steps(case) == ["Task_Handle"]


def test_an_intermediate_catch_event_takes_the_message_and_its_data(events):
    case = start(events)
    answer = events.engine.send_message(case, "customer_called", {"topic": "催办"})
    assert answer["caught"] == [{"bpmn_id": "Catch_Called", "name": "客户来电"}]
    assert answer["message"] == "customer_called"
    opened = {t["bpmn_id"]: t["id"] for t in answer["tasks"]}
    assert answer["opened"] == [opened["Task_Callback"]]
    assert events.data(case)["call"] == {"topic": "催办"}  # SpiffWorkflow's messageVariable
    [received] = events.events(case, "message_received")
    assert received["actor"] == "system"
    assert received["details"]["name"] == "customer_called"
    assert received["details"]["data"] == {"topic": "催办"}
    assert_rows_restore_the_live_workflow(events.engine, case)
    with pytest.raises(Conflict, match="is not waiting for the message 'customer_called'"):
        events.engine.send_message(case, "customer_called", {})


def test_a_receive_task_takes_the_message(events):
    case = start(events)
    answer = events.engine.send_message(case, "regulator_reply", {"verdict": "已办结"})
    assert answer["caught"] == [{"bpmn_id": "Receive_Reply", "name": "等待监管回复"}]
    assert answer["opened"] == []


def test_a_boundary_message_takes_the_step_away(events):
    case = start(events)
    answer = events.engine.send_message(case, "withdrawn", {"reason": "已和解"})
    assert answer["caught"] == [{"bpmn_id": "Withdrawn", "name": "客户撤诉"}]
    assert events.open_steps(case) == []


def test_an_event_sub_process_starts_at_any_time_and_again(events):
    case = start(events)
    first = events.engine.send_message(case, "facts_changed", {"media_exposed": True})
    assert first["caught"] == [{"bpmn_id": "Start_Facts", "name": "投诉事实变化"}]
    events.engine.send_message(case, "facts_changed", {"complainant_count": 12})
    assert events.open_steps(case) == ["Task_Handle", "Task_Review", "Task_Review"]
    assert_rows_restore_the_live_workflow(events.engine, case)
    events.complete_each(case, "Task_Review", [{"result": "已复核"}] * 2)
    events.complete(case, "Task_Handle", {"result": "已处理"})
    events.engine.send_message(case, "customer_called", {})
    events.complete(case, "Task_Callback", {"result": "已回电"})
    events.engine.send_message(case, "regulator_reply", {})
    events.engine.broadcast_signal(KEY, "storm", {})
    events.complete(case, "Task_Storm", {"result": "已应对"})
    assert events.status(case) == "completed"
    with pytest.raises(Conflict, match="is completed; it takes no message"):
        events.engine.send_message(case, "facts_changed", {})


def test_a_signal_reaches_every_waiting_case_of_the_preplan(events):
    cases = [start(events, f"T-{i}") for i in range(3)]
    events.engine.terminate(cases[2], "测试")
    answer = events.engine.broadcast_signal(KEY, "storm", {"level": "橙色"})
    assert [(c["case"], c["result"]) for c in answer["cases"]] == [(cases[0], "delivered"), (cases[1], "delivered")]
    assert all(c["caught"] == [{"bpmn_id": "Catch_Storm", "name": "台风预警"}] for c in answer["cases"])
    assert all("Task_Storm" in events.open_steps(case) for case in cases[:2])
    again = events.engine.broadcast_signal(KEY, "storm", {})
    assert [c["result"] for c in again["cases"]] == ["not_waiting", "not_waiting"]
    with pytest.raises(NotFound, match="has no signal 'flood'"):
        events.engine.broadcast_signal(KEY, "flood", {})


def test_unknown_messages_and_bad_data_are_refused(events):
    case = start(events)
    with pytest.raises(Conflict, match="has no message 'nonsense' \\(it knows: customer_called, facts_changed"):
        events.engine.send_message(case, "nonsense", {})
    with pytest.raises(ValidationFailed, match="must be a JSON object"):
        events.engine.send_message(case, "facts_changed", ["x"])  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        events.engine.send_message(case, "facts_changed", {"x": "\ud800"})
    assert events.events(case, "message_received") == []


def test_correlation_by_business_key_and_by_a_data_field(events):
    first, second, twin = start(events, "A-1"), start(events, "B-2"), start(events, "B-2")
    key = events.show(first)["business_key"]
    by_key = events.engine.correlate("customer_called", {"business_key": key}, {"topic": "催办"})
    assert by_key["case"] == first
    by_field = events.engine.correlate("regulator_reply", {"field": "ticket_no", "value": "A-1", "preplan": KEY}, {})
    assert by_field["case"] == first
    with pytest.raises(NotFound, match="no running case has ticket_no = C-3"):
        events.engine.correlate("customer_called", {"field": "ticket_no", "value": "C-3"}, {})
    with pytest.raises(Conflict, match="several running cases have ticket_no = B-2") as refused:
        events.engine.correlate("customer_called", {"field": "ticket_no", "value": "B-2"}, {})
    assert refused.value.details["cases"] == [events.show(second)["business_key"], events.show(twin)["business_key"]]
    for bad in (
        {},
        {"business_key": key, "field": "ticket_no"},
        {"field": "ticket_no"},
        {"field": "a.b", "value": "x"},
    ):
        with pytest.raises(ValidationFailed):
            events.engine.correlate("customer_called", bad, {})


def test_who_may_send_a_case_a_message(events):
    here, there = events.unit("here", "甲网点"), events.unit("there", "乙网点")
    case = events.start(KEY, {"customer": "王先生", "ticket_no": "12345-0001"}, unit=here)
    clerk, former = events.user_for("clerk", here), events.user("former", "clerk", unit=here)
    outsider = events.user("outsider", "clerk", unit=there)
    supervisor = events.user("boss", "supervisor")
    with pytest.raises(NotFound):
        events.engine.send_message(case, "customer_called", {}, user=outsider)
    with pytest.raises(NotFound):
        events.engine.correlate("customer_called", {"field": "ticket_no", "value": "12345-0001"}, {}, user=outsider)
    events.complete(case, "Task_Handle", {"result": "已处理"}, user=former)
    events.engine.revoke(former, "clerk", here)  # still sees the case (did a step), no longer works on it
    with pytest.raises(Forbidden, match="former may not send case"):
        events.engine.send_message(case, "customer_called", {}, user=former)
    assert events.engine.send_message(case, "customer_called", {}, user=clerk)["caught"]
    assert events.engine.send_message(case, "regulator_reply", {}, user=supervisor)["caught"]
    assert [e["actor"] for e in events.events(case, "message_received")] == [clerk, supervisor]


def test_the_message_and_signal_commands(run):
    assert run("deploy", str(EVENTS))[0] == 0
    assert run("users", "add", "wang", "--role", "clerk", "--password", "pw")[0] == 0
    code, out, _ = run("start", KEY, "--data", '{"customer": "王先生", "ticket_no": "T-1"}', "--json")
    case = as_json(out)["business_key"]
    code, out, _ = run("message", case, "customer_called", "--data", '{"topic": "催办"}', "--as", "wang", "--json")
    answer = as_json(out)
    assert code == 0 and answer["caught"] == [{"bpmn_id": "Catch_Called", "name": "客户来电"}]
    assert sorted(t["bpmn_id"] for t in answer["tasks"]) == ["Task_Callback", "Task_Handle"]
    code, out, _ = run("message", case, "customer_called", "--json")
    assert code == 1 and as_json(out)["error"] == "conflict" and "is not waiting" in as_json(out)["message"]
    code, out, _ = run("message", case, "customer_called", "--data", "[1]", "--json")
    assert code == 1 and as_json(out)["error"] == "validation"
    code, out, _ = run("signal", KEY, "storm", "--json")
    assert code == 0 and [c["result"] for c in as_json(out)["cases"]] == ["delivered"]
