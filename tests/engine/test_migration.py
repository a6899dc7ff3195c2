"""Moving running cases onto a newer version: what moves, what is refused, deadlines that follow the new version,
previews that change nothing, and the ``preplan migrate`` contract. On SQLite and PostgreSQL."""

import json
import re

import pytest
from sqlalchemy import select

from engine.cases import migration
from engine.errors import Forbidden, ValidationFailed
from engine.preplans.examples import example_submission
from engine.store.models import Case, Event, Task, Timer, WorkflowTask
from tests.conftest import ROOT
from tests.engine.conftest import GENERAL, MAJOR, MINI, as_json
from tests.flow import assert_rows_restore_the_live_workflow
from tests.preplans import test_vanke_complaint as vk
from tests.preplans.test_bank_branch_complaint import INCIDENT, INTAKE, VERIFIED
from tests.versions import next_version

ADMIN = "boss"
CONTRACT = {"case", "from", "to", "safe", "reason", "reset", "cancelled", "status"}


def longer_approval(text: str) -> str:
    return text.replace("working_hours(4)", "working_hours(6)")


def escalation_replaced(text: str) -> str:
    """v2 without 超时升级处理: a late approval goes to a review that ends the case on its own."""
    text = text.replace(
        '<bpmn:userTask id="Task_Escalate" name="超时升级处理">',
        '<bpmn:userTask id="Task_Review" name="超时复核">',
    )
    text = text.replace(
        "<bpmn:incoming>F_Late</bpmn:incoming><bpmn:outgoing>F_Escalated</bpmn:outgoing>",
        "<bpmn:incoming>F_Late</bpmn:incoming><bpmn:outgoing>F_Reviewed</bpmn:outgoing>",
    )
    text = text.replace("<bpmn:incoming>F_Escalated</bpmn:incoming>", "")
    text = re.sub(r'<bpmn:sequenceFlow id="F_Escalated"[^>]*/>', "", text)
    text = text.replace('targetRef="Task_Escalate"', 'targetRef="Task_Review"')
    text = text.replace(
        "<bpmn:flowNodeRef>Task_Escalate</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>Task_Review</bpmn:flowNodeRef><bpmn:flowNodeRef>End_Reviewed</bpmn:flowNodeRef>",
    )
    return text.replace(
        "</bpmn:process>",
        '<bpmn:endEvent id="End_Reviewed" name="复核结案"><bpmn:incoming>F_Reviewed</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="F_Reviewed" sourceRef="Task_Review" targetRef="End_Reviewed" /></bpmn:process>',
    )


@pytest.fixture
def admin(mini):
    return mini.user(ADMIN, "admin")


def rows(engine, case_id):
    """Everything stored of a case that a migration could change."""
    with engine.db.read() as session:
        case = session.get_one(Case, case_id)
        return (
            (case.version_id, case.revision, case.status, case.data),
            sorted(
                (r.id, r.spiff_id, r.bpmn_id, r.name, r.status, r.assignee, r.due_at)
                for r in session.scalars(select(Task).where(Task.case_id == case_id))
            ),
            sorted((r.spiff_id, r.due_at) for r in session.scalars(select(Timer).where(Timer.case_id == case_id))),
            sorted(
                (r.task_id, r.body)
                for r in session.scalars(select(WorkflowTask).where(WorkflowTask.case_id == case_id))
            ),
            len(session.scalars(select(Event).where(Event.case_id == case_id)).all()),
        )


def test_a_longer_deadline_counts_from_when_the_step_opened_and_the_case_ends_on_the_new_version(mini, admin, tmp_path):
    case = mini.start("mini_complaint", MAJOR)  # 领导审批 opens Monday 10:00, due 4 working hours later
    leader = mini.user_for("leader")
    mini.engine.claim(mini.task(case, "Task_Approve")["id"], user=leader)
    mini.advance(hours=3)
    mini.deploy(next_version(MINI, tmp_path, longer_approval))

    result = mini.engine.migrate_cases("mini_complaint", 2, note="审批期限放宽为 6 工作小时", user=admin)

    (moved,) = result["cases"]
    assert {k: moved[k] for k in CONTRACT} == {
        "case": mini.show(case)["business_key"],
        "from": 1,
        "to": 2,
        "safe": True,
        "reason": None,
        "reset": [],
        "cancelled": [],
        "status": "migrated",
    }
    assert moved["deadlines"] == [
        {"step": "4 工作小时未审批", "before": "2026-11-23T14:00:00+08:00", "after": "2026-11-23T16:00:00+08:00"}
    ]
    task = mini.task(case, "Task_Approve")
    assert (task["assignee"], task["due_at"]) == (leader, "2026-11-23T16:00:00+08:00")  # kept, counted from 10:00
    assert mini.show(case)["version"] == 2
    assert_rows_restore_the_live_workflow(mini.engine, case)
    with mini.engine.db.read() as session:  # the workflow kept alive is the migrated one, at the new revision
        row = session.get_one(Case, case)
        live = mini.engine.live.take(case, row.revision)
        assert live.workflow.spec is mini.engine.versions.spec(session, row.version_id).spec
        mini.engine.live.keep(case, live)
    (event,) = mini.events(case, "migrated")
    assert event["actor"] == admin and event["details"]["before"] == 1 and event["details"]["version"] == 2
    assert event["details"]["reason"] == "审批期限放宽为 6 工作小时"
    assert mini.advance(hours=2) == 0  # 15:00: the old deadline has passed, the new one has not
    assert mini.advance(hours=1, minutes=1) == 1  # 16:01: the new deadline fires
    mini.complete(case, "Task_Escalate", {"approved": True})
    mini.complete(case, "Task_Handle", {"result": "已处理"})
    assert mini.status(case) == "completed"
    assert "将案件迁移到新版本" in mini.page(admin, f"/cases/{case}")


def test_a_removed_open_step_is_refused_then_moves_when_an_admin_maps_it(mini, admin, tmp_path):
    late = mini.start("mini_complaint", MAJOR)
    mini.advance(hours=5)  # the approval is late: 超时升级处理 is open
    assert mini.open_steps(late) == ["Task_Escalate"]
    on_time = mini.start("mini_complaint", MAJOR)
    general = mini.start("mini_complaint", GENERAL)
    mini.deploy(next_version(MINI, tmp_path, escalation_replaced))
    before = rows(mini.engine, late)

    bulk = mini.engine.migrate_cases("mini_complaint", 2, user=admin)["cases"]

    by_case = {c["case"]: c for c in bulk}
    refused = by_case[mini.show(late)["business_key"]]
    assert (refused["status"], refused["safe"]) == ("refused", False)
    assert "超时升级处理" in refused["reason"] and "map it" in refused["reason"]
    assert rows(mini.engine, late) == before
    assert [by_case[mini.show(c)["business_key"]]["status"] for c in (on_time, general)] == ["migrated", "migrated"]
    assert mini.show(on_time)["version"] == mini.show(general)["version"] == 2

    mapped = mini.engine.migrate_cases(
        "mini_complaint", 2, cases=[str(late)], mapping={"Task_Escalate": "Task_Review"}, user=admin
    )["cases"]

    assert [(c["status"], c["reset"]) for c in mapped] == [("migrated", ["超时复核"])]
    task = mini.task(late, "Task_Review")
    assert task["name"] == "超时复核"
    assert_rows_restore_the_live_workflow(mini.engine, late)
    mini.complete(late, "Task_Review", {"approved": True})
    assert mini.status(late) == "completed"


def test_a_mapping_to_a_step_the_new_version_lacks_changes_nothing(mini, admin, tmp_path):
    mini.start("mini_complaint", MAJOR)
    mini.deploy(next_version(MINI, tmp_path, escalation_replaced))
    with pytest.raises(Exception, match="Task_Nowhere"):
        mini.engine.migrate_cases("mini_complaint", 2, mapping={"Task_Escalate": "Task_Nowhere"}, user=admin)


def test_a_dry_run_changes_nothing_and_says_what_would_happen(mini, admin, tmp_path):
    case = mini.start("mini_complaint", MAJOR)
    mini.advance(hours=1)
    mini.deploy(next_version(MINI, tmp_path, longer_approval))
    before = rows(mini.engine, case)

    (planned,) = mini.engine.migrate_cases("mini_complaint", 2, dry_run=True, user=admin)["cases"]

    assert (planned["status"], planned["safe"], planned["to"]) == ("planned", True, 2)
    assert planned["deadlines"][0]["after"] == "2026-11-23T16:00:00+08:00"
    assert rows(mini.engine, case) == before
    assert mini.task(case, "Task_Approve")["due_at"] == "2026-11-23T14:00:00+08:00"


def test_only_admins_migrate_and_ended_or_newer_cases_are_refused(mini, admin, tmp_path):
    case = mini.start("mini_complaint", GENERAL)
    mini.deploy(next_version(MINI, tmp_path))
    with pytest.raises(Forbidden):
        mini.engine.migrate_cases("mini_complaint", 2, user=mini.user_for("clerk"))
    assert mini.show(case)["version"] == 1
    mini.engine.migrate_cases("mini_complaint", 2, user=admin)
    (again,) = mini.engine.migrate_cases("mini_complaint", 2, cases=[case], user=admin)["cases"]
    assert again["status"] == "refused" and "v2" in again["reason"]
    mini.complete(case, "Task_Handle", {"result": "已处理"})
    (ended,) = mini.engine.migrate_cases("mini_complaint", 2, cases=[case], user=admin)["cases"]
    assert ended["status"] == "refused" and "not running" in ended["reason"]


def test_cli_migrate_answers_the_contract(deployed, tmp_path):
    data = '{"customer": "张三", "summary": "漏水", "complainant_count": 12}'
    code, out, _ = deployed("start", "mini_complaint", "--data", data, "--json")
    assert code == 0
    key = as_json(out)["business_key"]
    assert as_json(deployed("deploy", str(next_version(MINI, tmp_path, longer_approval)))[1])["version"] == 2

    code, out, _ = deployed("migrate", "mini_complaint", "--to", "2", "--dry-run", "--json")
    assert code == 0
    (planned,) = as_json(out)["cases"]
    assert set(planned) >= CONTRACT and (planned["case"], planned["status"]) == (key, "planned")

    code, out, _ = deployed("migrate", "mini_complaint", "--to", "2", "--case", key, "--note", "放宽", "--json")
    (moved,) = as_json(out)["cases"]
    assert code == 0 and {k: moved[k] for k in CONTRACT} == {
        "case": key,
        "from": 1,
        "to": 2,
        "safe": True,
        "reason": None,
        "reset": [],
        "cancelled": [],
        "status": "migrated",
    }
    code, out, _ = deployed("migrate", "mini_complaint", "--to", "2", "--map", "nonsense", "--json")
    assert code == 1 and as_json(out)["error"] == "validation"
    code, out, err = deployed("migrate", "mini_complaint", "--to", "3")
    assert code == 1 and "no version 3" in err
    code, out, _ = deployed("migrate", "mini_complaint", "--to", "2", "--from", "1")
    assert code == 0 and "no running case" in out
    code, out, _ = deployed("migrate", "mini_complaint", "--to", "2", "--case", key)
    assert code == 0 and out.split()[:7] == ["CASE", "FROM", "TO", "STATUS", "RESET", "CANCELLED", "REASON"]
    assert f"{key}  v2    v2  refused" in out  # already on v2
    code, _, err = deployed("migrate", "mini_complaint", "--to", "2", "--as", "li")
    assert code == 1 and "needs an admin" in err


def test_an_open_multi_instance_step_that_changed_is_refused(flow, tmp_path):
    admin = flow.user(ADMIN, "admin")
    onsite = ROOT / "processes" / "onsite_complaint"
    flow.deploy(onsite)
    flow.at("2026-11-23T10:00:00+08:00")
    intake = {"received_at": "2026-11-23T10:00:00+08:00", "location": "一楼服务大厅", "receiving_department": "客服部"}
    case = flow.start("onsite_complaint", {**intake, "complainant_name": "王女士", "content": "商品有质量问题"})
    flow.complete(case, "Task_Assess", {"nature": "major", "urgency": "urgent"})
    meeting = {"plan": "销售安抚，技术检测", "departments": ["sales", "technical"], "duties": "各负其责"}
    flow.complete(case, "Task_Meeting", meeting)
    assert len(flow.instances(case, "Task_DeptHandle")) == 2
    flow.deploy(next_version(onsite, tmp_path, lambda text: text.replace("各部门按职责处理", "各部门按职责办理")))
    before = rows(flow.engine, case)

    (refused,) = flow.engine.migrate_cases("onsite_complaint", 2, user=admin)["cases"]

    assert (refused["status"], refused["safe"]) == ("refused", False)
    assert "multi-instance" in refused["reason"] and "各部门按职责处理" in refused["reason"]
    assert rows(flow.engine, case) == before


def test_a_case_inside_a_sub_process_moves_when_it_is_kept_and_is_refused_when_it_is_gone(flow, tmp_path):
    admin = flow.user(ADMIN, "admin")
    bank = ROOT / "processes" / "bank_branch_complaint"
    flow.deploy(bank)
    flow.at("2026-11-23T10:00:00+08:00")
    case = flow.start("bank_branch_complaint", INTAKE)
    flow.complete(case, "Task_Verify", VERIFIED)
    flow.engine.send_message(case, "sudden_incident", INCIDENT, user=flow.user_for("bank_branch_group"))
    assert flow.open_steps(case) == ["Task_ActivatePlan", "Task_Judge"]  # inside the event sub-process 突发事件
    flow.deploy(
        next_version(bank, tmp_path / "v2", lambda text: text.replace("SubProcess_SuddenIncident", "Sub_Incident"))
    )
    flow.deploy(next_version(bank, tmp_path / "v3"))
    before = rows(flow.engine, case)

    (refused,) = flow.engine.migrate_cases("bank_branch_complaint", 2, user=admin)["cases"]
    (moved,) = flow.engine.migrate_cases("bank_branch_complaint", 3, user=admin)["cases"]

    assert refused["status"] == "refused" and "突发事件" in refused["reason"] and "no longer has" in refused["reason"]
    assert before[1] == rows(flow.engine, case)[1]  # the refusal left its steps as they were
    assert (moved["status"], sorted(moved["mapped"])) == (
        "migrated",
        ["初步判断，明确责任部门", "立即启动应急预案，控制事态"],
    )
    assert_rows_restore_the_live_workflow(flow.engine, case)
    flow.complete(case, "Task_ActivatePlan", {"incident": "客户聚集", "measures": "疏导客户"})
    assert "Task_ReportIncident" in flow.open_steps(case)


def test_a_mapping_from_a_step_no_case_has_is_refused(mini, admin, tmp_path):
    case = mini.start("mini_complaint", MAJOR)
    mini.deploy(next_version(MINI, tmp_path, escalation_replaced))
    with pytest.raises(ValidationFailed, match="Task_Typo"):
        mini.engine.migrate_cases("mini_complaint", 2, mapping={"Task_Typo": "Task_Review"}, user=admin)
    assert mini.show(case)["version"] == 1


def test_a_failure_in_one_case_is_its_refusal_and_the_others_move(mini, admin, tmp_path, monkeypatch):
    first, second = mini.start("mini_complaint", GENERAL), mini.start("mini_complaint", GENERAL)
    mini.deploy(next_version(MINI, tmp_path, longer_approval))
    real = migration.migrate

    def failing(run, *args):
        if run.case.id == first:
            real(run, *args)  # the case is changed in memory, then fails: nothing of it may be kept
            raise RuntimeError("disk full")
        return real(run, *args)

    monkeypatch.setattr(migration, "migrate", failing)
    before = rows(mini.engine, first)

    results = mini.engine.migrate_cases("mini_complaint", 2, user=admin)["cases"]

    assert [(r["status"], r["reason"]) for r in results] == [
        ("refused", "the migration failed (RuntimeError); nothing was changed"),
        ("migrated", None),
    ]
    assert rows(mini.engine, first) == before and mini.show(second)["version"] == 2
    mini.complete(first, "Task_Handle", {"result": "已处理"})  # the failed case still works on its version
    assert mini.status(first) == "completed"


def test_a_long_case_whose_open_step_lies_over_a_thousand_levels_down_moves(sqlite_flow, tmp_path):
    flow = sqlite_flow
    admin = flow.user(ADMIN, "admin")
    flow.at("2026-11-23T10:00:00+08:00")
    loop = ROOT / "bench" / "loop"
    flow.deploy(loop)
    case = flow.start("loop", {"rounds": 1000})
    for _ in range(260):  # four levels of the task tree per round
        flow.complete(case, "Task_Round", {"note": "一轮"})
    flow.deploy(next_version(loop, tmp_path, lambda text: text.replace('name="经办一轮"', 'name="经办下一轮"')))

    (moved,) = flow.engine.migrate_cases("loop", 2, user=admin)["cases"]

    assert (moved["status"], moved["reset"]) == ("migrated", ["经办下一轮"])
    assert flow.task(case, "Task_Round")["name"] == "经办下一轮"
    assert_rows_restore_the_live_workflow(flow.engine, case)
    flow.complete(case, "Task_Round", {"note": "迁移后一轮"})
    assert flow.data(case)["done"] == 261


def test_a_periodic_duty_moves_on_its_own_process_and_a_trial_never_moves(flow, tmp_path):
    """A duty's case runs the duty's process of its version: it moves onto the same duty of the new version. A
    trial of a draft is never a running case of the preplan's versions."""
    flow.at("2026-11-20T10:00:00+08:00")
    flow.deploy(vk.PREPLAN)
    flow.user(ADMIN, "admin")
    flow.user("owner")
    flow.engine.grant("owner", "process_owner", None, preplan="vanke_complaint")
    flow.at("2026-11-24T10:00:00+08:00")
    (daily, *_) = [r for r in flow.engine.run_duties() if r["kind"] == "daily_report"]
    duty_case = flow.engine.duty_report(daily["id"])["case"]
    trial = flow.engine.start_trial("vanke_complaint", user="owner")
    flow.deploy(next_version(vk.PREPLAN, tmp_path))
    moved = flow.engine.migrate_cases("vanke_complaint", 2, user=ADMIN)["cases"]
    assert {c["id"] for c in moved} >= {duty_case} and trial["case"] not in {c["id"] for c in moved}
    (entry,) = [c for c in moved if c["id"] == duty_case]
    assert entry["status"] == "migrated" and entry["safe"], entry
    assert flow.show(duty_case)["version"] == 2
    (task,) = flow.open_tasks(duty_case)
    form = json.loads((ROOT / "forms" / "vanke_complaint" / "duty_report.schema.json").read_text(encoding="utf-8"))
    flow.engine.complete(task["id"], example_submission(form), user=flow.user_for(task["role"], task["unit"]))
    assert flow.status(duty_case) == "completed"
    assert_rows_restore_the_live_workflow(flow.engine, duty_case)
    refused = flow.engine.migrate_cases("vanke_complaint", 2, cases=[trial["business_key"]], user=ADMIN)["cases"]
    assert refused[0]["status"] == "refused" and not refused[0]["safe"]
    assert "trial" in str(refused[0]["reason"])
