from tests.conftest import FIXTURES

MINI = FIXTURES / "processes" / "mini_complaint"


def test_major_case_escalates_after_four_working_hours(flow):
    flow.deploy(MINI)
    flow.at("2026-11-23T10:00:00+08:00")  # Monday
    case = flow.start("mini_complaint", {"customer": "张三", "summary": "漏水", "complainant_count": 12})
    assert flow.open_steps(case) == ["Task_Approve"]
    assert flow.task(case, "Task_Approve")["due_at"] == "2026-11-23T14:00:00+08:00"
    assert flow.advance(hours=3, minutes=59) == 0
    assert flow.advance(minutes=2) == 1
    assert flow.open_steps(case) == ["Task_Escalate"]
