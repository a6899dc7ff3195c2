"""The migration pages: an admin previews each running case's move onto a newer version, maps a removed step,
moves the cases and reads the report; the case's timeline says so. Others are refused."""

from __future__ import annotations

import pytest

from tests.engine.conftest import GENERAL, MAJOR, MINI
from tests.engine.test_migration import escalation_replaced
from tests.versions import next_version
from tests.web.conftest import Browser, text


@pytest.fixture
def two_versions(app, tmp_path):
    flow = app.flow
    flow.user("root_admin", "admin")
    late = flow.start("mini_complaint", MAJOR)
    flow.advance(hours=5)  # 超时升级处理 is open: v2 removes it
    general = flow.start("mini_complaint", GENERAL)
    flow.deploy(next_version(MINI, tmp_path, escalation_replaced))
    return flow.show(late)["business_key"], flow.show(general)["business_key"]


def test_an_admin_previews_maps_a_removed_step_and_moves_the_cases(app, two_versions):
    late, general = two_versions
    admin = Browser(app).login("root_admin")
    show = text(admin.get("/preplans/mini_complaint"))
    assert "/preplans/mini_complaint/migrate?to=2" in show

    preview = text(admin.get("/preplans/mini_complaint/migrate?to=2"))

    assert "将进行中的案件迁移到 v2" in preview
    assert f'data-case="{general}" data-status="planned"' in preview
    assert f'data-case="{late}" data-status="refused"' in preview
    assert "未完成的步骤 超时升级处理 在版本 2 中已不存在" in preview
    assert 'value="Task_Escalate=Task_Review"' in preview  # the removed step may continue as 超时复核
    assert app.flow.show(general)["version"] == 1  # a preview moves nothing

    report = admin.post(
        "/preplans/mini_complaint/migrate",
        {
            "to": "2",
            "case": [late, general],
            "map": "Task_Escalate=Task_Review",
            "note": "取消升级处理",
            "scope": "selected",
        },
        page="/preplans/mini_complaint/migrate?to=2",
    )

    assert report.status_code == 200
    page = text(report)
    assert "迁移到 v2 的结果" in page and "已有 2 个案件迁移到 v2" in page
    assert f'data-case="{late}" data-status="migrated"' in page and "超时复核" in page
    case_page = text(admin.get(f"/cases/{app.flow.show(late)['case']}"))
    assert "将案件迁移到新版本" in case_page and "v1 → v2" in case_page and "取消升级处理" in case_page


def test_nothing_chosen_is_refused_with_a_message_and_moves_nothing(app, two_versions):
    late, general = two_versions
    admin = Browser(app).login("root_admin")
    response = admin.post(
        "/preplans/mini_complaint/migrate", {"to": "2", "scope": "selected"}, page="/preplans/mini_complaint"
    )
    assert response.status_code == 302
    assert "请选择要迁移的案件" in text(admin.get(response.headers["Location"]))
    assert app.flow.show(general)["version"] == 1


def test_staff_may_not_preview_or_move_cases(app, two_versions):
    late, general = two_versions
    clerk = Browser(app).login("wang")
    assert clerk.get("/preplans/mini_complaint/migrate?to=2").status_code == 403
    response = clerk.post(
        "/preplans/mini_complaint/migrate", {"to": "2", "scope": "all"}, page="/preplans/mini_complaint"
    )
    assert response.status_code == 403
    assert "/migrate?to=2" not in text(clerk.get("/preplans/mini_complaint"))
    assert app.flow.show(general)["version"] == 1


def test_an_unknown_or_retired_version_gets_a_clear_page(app, two_versions):
    admin = Browser(app).login("root_admin")
    assert admin.get("/preplans/mini_complaint/migrate?to=9").status_code == 404
    assert admin.get("/preplans/mini_complaint/migrate").status_code == 404
    app.flow.engine.set_version_status("mini_complaint", 2, "retired")
    refused = admin.get("/preplans/mini_complaint/migrate?to=2")
    assert refused.status_code == 400 and "已停用" in text(refused)
