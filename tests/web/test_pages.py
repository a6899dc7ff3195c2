"""The task-list UI through Flask's test client: who sees what, forms, errors, languages, CSRF."""

from __future__ import annotations

import re

import pytest

from engine import clock
from engine.config import load_settings
from tests.conftest import ROOT
from tests.web.conftest import Browser, text
from web import create_app

MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}


def test_login_page_in_chinese_by_default_and_english_on_request(app):
    assert "用户名" in text(Browser(app).get("/login"))
    english = text(Browser(app, "en-US,en;q=0.9").get("/login"))
    assert 'name="username"' in english and 'name="password"' in english and "User name" in english
    refused = Browser(app).post("/login", {"username": "li", "password": "wrong"}, page="/login")
    assert refused.status_code == 401 and "用户名或密码不正确" in text(refused)


def test_pages_need_a_login_and_cookies_are_protected(app):
    assert Browser(app).get("/tasks").headers["Location"].startswith("/login")
    response = Browser(app).post("/login", {"username": "li", "password": "pw"}, page="/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_without_csrf_token_are_refused(app):
    browser = Browser(app)
    assert browser.client.post("/login", data={"username": "li", "password": "pw"}).status_code == 400


def test_each_user_sees_only_the_work_of_their_roles(app):
    case = app.flow.start("mini_complaint", MAJOR)
    task = app.flow.task(case, "Task_Approve")["id"]
    leader = Browser(app).login("li")
    page = text(leader.get("/tasks"))
    assert "领导审批" in page and "TS-20261123-0001" in page
    assert '<option value="major" >major</option>' in page  # the severity filter offers what is there
    assert "领导审批" in text(leader.get("/tasks?severity=major"))
    assert "领导审批" not in text(leader.get("/tasks?severity=general"))
    clerk = Browser(app).login("wang")
    assert "领导审批" not in text(clerk.get("/tasks")) and "没有待办任务" in text(clerk.get("/tasks"))
    # the clerk holds a role of the preplan where the case is, so sees the case, but the step is the leader's
    page = text(clerk.get(f"/tasks/{task}"))
    assert "领导审批" in page and 'name="approved"' not in page and ">认领<" not in page
    clerk.post(f"/tasks/{task}/complete", {"approved": "true"})
    assert app.flow.open_steps(case) == ["Task_Approve"]
    stranger = Browser(app).login(app.flow.user("stranger", "supervisor", unit=app.flow.unit("far", "另一家公司")))
    assert stranger.get(f"/tasks/{task}").status_code == 404
    refused = stranger.post(f"/tasks/{task}/complete", {"approved": "true"})
    assert refused.status_code == 404 and app.flow.open_steps(case) == ["Task_Approve"]


def test_invalid_form_shows_errors_beside_fields_and_keeps_values(app):
    case = app.flow.start("mini_complaint", {**MAJOR, "complainant_count": 1})  # general: 处理投诉 by the clerk
    task = app.flow.task(case, "Task_Handle")["id"]
    clerk = Browser(app).login("wang")
    page = text(clerk.get(f"/tasks/{task}"))
    assert 'name="result"' in page and "处理结果" in page
    response = clerk.post(f"/tasks/{task}/complete", {"result": "   "}, page=f"/tasks/{task}")
    assert response.status_code == 422
    assert re.search(r'id="result-error">此项为必填项。<', text(response))
    kept = clerk.post(f"/tasks/{task}/complete", {"result": ""}, page=f"/tasks/{task}")
    assert 'aria-invalid="true"' in text(kept)
    done = clerk.post(f"/tasks/{task}/complete", {"result": "已修复"}, page=f"/tasks/{task}")
    assert done.status_code == 302 and done.headers["Location"] == "/tasks"
    assert "已完成 TS-20261123-0001 的“处理投诉”" in text(clerk.get("/tasks"))
    assert app.flow.status(case) == "completed"


def test_claim_release_and_supervisor_reassign(app):
    case = app.flow.start("mini_complaint", MAJOR)
    task = app.flow.task(case, "Task_Approve")["id"]
    app.flow.user("zhao", "leader")
    leader = Browser(app).login("li")
    leader.post(f"/tasks/{task}/claim", {}, page=f"/tasks/{task}")
    assert app.flow.task(case, "Task_Approve")["assignee"] == "li"
    assert '<dd id="assignee">li</dd>' in text(leader.get(f"/tasks/{task}"))
    other = Browser(app).login("zhao")
    assert "已由 li 认领" in text(other.get(f"/tasks/{task}"))
    leader.post(f"/tasks/{task}/unclaim", {}, page=f"/tasks/{task}")
    assert app.flow.task(case, "Task_Approve")["assignee"] is None
    boss = Browser(app).login("boss")
    boss.post(f"/tasks/{task}/reassign", {"assignee": "zhao"}, page=f"/tasks/{task}")
    assert app.flow.task(case, "Task_Approve")["assignee"] == "zhao"
    assert app.flow.events(case, "reassigned")[0]["details"]["to"] == "zhao"


def test_start_a_case_from_its_form(app):
    clerk = Browser(app).login("wang")
    assert "测试投诉流程" in text(clerk.get("/cases/new"))
    bad = clerk.post(
        "/cases/new/mini_complaint", {"customer": "王五", "complainant_count": "abc"}, page="/cases/new/mini_complaint"
    )
    assert bad.status_code == 422 and "请输入整数" in text(bad) and 'value="王五"' in text(bad)
    started = clerk.post(
        "/cases/new/mini_complaint",
        {"customer": "王五", "summary": "噪音", "complainant_count": "2", "received_at": "2026-11-23T09:30"},
        page="/cases/new/mini_complaint",
    )
    assert started.status_code == 302
    case = int(started.headers["Location"].rsplit("/", 1)[1])
    assert app.flow.data(case)["received_at"] == "2026-11-23T09:30:00+08:00"
    leader = Browser(app).login("li")
    assert leader.get("/cases/new/mini_complaint").status_code == 403


def test_case_page_marks_active_and_done_steps(app):
    case = app.flow.start("mini_complaint", MAJOR)
    leader = Browser(app).login("li")
    page = text(leader.get(f"/cases/{case}"))
    assert 'data-active="[&#34;Task_Approve&#34;, &#34;Timer_Approve&#34;]"' in page
    assert "Decide_Level" in re.search(r'data-done="([^"]*)"', page).group(1)
    assert leader.get(f"/cases/{case}/diagram.bpmn").get_data(as_text=True).startswith("<?xml")
    leader.post(f"/cases/{case}/comments", {"text": "已联系客户"}, page=f"/cases/{case}")
    assert "已联系客户" in text(leader.get(f"/cases/{case}"))
    stranger = app.flow.user("outsider", "admin") and Browser(app).login("outsider")
    assert stranger.get(f"/cases/{case}").status_code == 200  # admins oversee every case


def test_cases_list_and_termination_are_for_supervisors(app):
    case = app.flow.start("mini_complaint", MAJOR)
    assert "TS-20261123-0001" in text(Browser(app).login("li").get("/cases"))  # the cases one may see
    outsider = app.flow.user("outsider", "leader", unit=app.flow.unit("far", "另一家公司"))
    assert "TS-20261123-0001" not in text(Browser(app).login(outsider).get("/cases"))
    app.flow.start("mini_complaint", MAJOR, drill=True)
    boss = Browser(app).login("boss")
    listing = text(boss.get("/cases?q=漏水"))
    assert "TS-20261123-0001" in listing
    figures = re.search(r'<table id="figures">.*?</table>', listing, re.S).group(0)
    assert "统计（不含演练）" in listing and "<td>测试投诉流程</td><td>1</td>" in figures  # the drill is not counted
    drill_figures = re.search(r'<table id="figures">.*?</table>', text(boss.get("/cases?drills=1")), re.S).group(0)
    assert "<td>测试投诉流程</td><td>1</td>" in drill_figures
    assert "TS-20261123-0001" not in text(boss.get("/cases?q=nothing"))
    boss.post(f"/cases/{case}/terminate", {"reason": "重复投诉"}, page=f"/cases/{case}")
    assert app.flow.status(case) == "terminated"
    assert "已终止" in text(boss.get("/cases?status=terminated"))


def test_language_switch_is_remembered(app):
    browser = Browser(app)
    response = browser.post("/language", {"language": "en", "next": "/login"}, page="/login")
    assert response.status_code == 302 and "preplan_lang=en" in response.headers["Set-Cookie"]
    assert "User name" in text(browser.get("/login"))


def test_preplan_catalogue_lists_source_roles_and_deadlines_in_words(app):
    app.flow.deploy(ROOT / "processes" / "vanke_complaint")
    page = text(Browser(app).login("li").get("/preplans"))
    assert "万科投诉处理办法" in page and "萬科投訴處理辦法" in page and "客户服务中心" in page
    assert "003_d7faeb67bb8444a1.txt" not in page, "the source is named by its title, not its file"
    assert "4 小时" in page and "自收到时间起 7 天" in page and "每 7 天" in page and "1 个工作日" in page


def test_a_preplan_page_says_what_it_is_for_and_its_steps_in_words(app):
    app.flow.deploy(ROOT / "processes" / "vanke_complaint")
    detail = text(Browser(app).login("li").get("/preplans/vanke_complaint"))
    assert "适用于房地产开发企业" in detail and "v1" in detail
    steps = re.search(r'<ol class="steps" id="steps">(.*?)</ol>', detail, re.S).group(1)
    assert re.search(r"转达投诉</strong>\s*<div class=\"meta\">客户服务中心", steps)
    assert "书面回传客户服务中心" in steps and "4 小时" in steps
    visible = re.sub(r"<[^>]+>", " ", detail)
    assert not re.search(r"Task_|Lane_|working_days\(|at\(dispatch_due\)", visible), "no developer notes"
    english = text(Browser(app, "en").login("li").get("/preplans/vanke_complaint"))
    assert "For a real-estate developer" in english
    assert (
        Browser(app)
        .login("li")
        .get("/preplans/vanke_complaint/diagram.bpmn")
        .get_data(as_text=True)
        .startswith("<?xml")
    )
    assert Browser(app).login("li").get("/preplans/nope").status_code == 404


def test_admin_retires_a_version_and_compares_versions(app):
    app.flow.user("root", "admin")
    admin = Browser(app).login("root")
    page = text(admin.get("/preplans/mini_complaint"))
    assert 'data-version="1"' in page and "启用中" in page
    admin.post("/preplans/mini_complaint/versions/1", {"status": "retired"}, page="/preplans/mini_complaint")
    assert "已停用" in text(admin.get("/preplans/mini_complaint"))
    assert (
        Browser(app)
        .login("li")
        .post("/preplans/mini_complaint/versions/1", {"status": "active"}, page="/preplans/mini_complaint")
        .status_code
        == 302
    )
    assert "已停用" in text(admin.get("/preplans/mini_complaint"))  # a non-admin changed nothing
    assert "两个版本的文件相同" in text(admin.get("/preplans/mini_complaint/compare?old=1&new=1"))


def test_the_next_person_sees_what_earlier_steps_recorded_and_can_comment_from_the_task(app):
    case = app.flow.start("mini_complaint", MAJOR)
    app.flow.complete(case, "Task_Approve", {"approved": True, "comment": "同意按规定赔偿"}, user="li")
    task = app.flow.task(case, "Task_Handle")["id"]
    clerk = Browser(app).login("wang")
    page = text(clerk.get(f"/tasks/{task}"))
    earlier = re.search(r'<div class="recorded" data-step="Task_Approve">.*?</div>\s*</dl>', page, re.S).group(0)
    assert "领导审批" in earlier and "li" in earlier and "同意按规定赔偿" in earlier and "意见" in earlier
    answer = clerk.post(
        "/cases/1/comments", {"text": "已电话联系客户", "back": f"/tasks/{task}"}, page=f"/tasks/{task}"
    )
    assert answer.headers["Location"] == f"/tasks/{task}#comments"
    assert "已电话联系客户" in text(clerk.get(f"/tasks/{task}"))


def test_case_data_is_grouped_by_the_step_that_recorded_it_each_value_once(app):
    case = app.flow.start("mini_complaint", MAJOR)
    app.flow.complete(case, "Task_Approve", {"approved": True, "comment": "按规定赔偿"}, user="li")
    page = text(Browser(app).login("boss").get(f"/cases/{case}"))
    data = re.search(r'<h2 id="data-h">.*?</section>', page, re.S).group(0)
    groups = re.findall(r'data-group="([^"]+)"', data)
    assert groups == ["start", "Task_Approve", "computed"]
    assert data.count(">张三<") == 1 and data.count(">按规定赔偿<") == 1
    computed = re.search(r'data-group="computed".*', data, re.S).group(0)
    assert "重大" in computed or "major" in computed  # the decision table's level


def test_a_refused_drill_advance_says_why_in_the_readers_language(app):
    drill = app.flow.start("mini_complaint", MAJOR, drill=True)
    app.flow.engine.terminate(str(drill), "演练结束")
    boss = Browser(app).login("boss")
    boss.post(f"/cases/{drill}/drill/advance", {"mode": "next"}, page=f"/cases/{drill}")
    page = text(boss.get(f"/cases/{drill}"))
    assert "演练 YL-20261123-0001 已结束" in page and "任务在此期间" not in page


@pytest.mark.parametrize("share, soon", [("0.5", True), ("0.75", False)])
def test_due_soon_follows_the_configured_reminder_share(sqlite_url, app, monkeypatch, share, soon):
    monkeypatch.setenv("PREPLAN_REMINDER_SHARE", share)
    shared = create_app(load_settings(sqlite_url), testing=True)
    app.flow.start("mini_complaint", MAJOR)  # opened 10:00, due 14:00
    clock.fix(clock.parse_instant("2026-11-23T12:30:00+08:00"))  # 62.5 % of its time used
    page = text(Browser(shared).login("li").get("/tasks"))
    assert ("due-soon" in page) is soon
