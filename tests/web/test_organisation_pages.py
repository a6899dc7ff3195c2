"""The organisation in the browser's pages: admins manage units and users (/admin/units, /admin/users, an org
chart uploaded as CSV), a start form offers the units one may start in, and a confidential value reads as such."""

from __future__ import annotations

import io

from tests.conftest import ROOT
from tests.web.conftest import Browser, text


def test_only_admins_reach_the_organisation_pages(app):
    clerk = Browser(app).login("wang")
    assert clerk.get("/admin/units").status_code == 403 and clerk.get("/admin/users").status_code == 403
    refused = clerk.post("/admin/units", {"key": "x", "name": "某站"})
    assert refused.status_code == 302 and [u["key"] for u in app.extensions["preplan"].list_units()] == ["root"]


def test_an_admin_builds_the_organisation_and_its_people(app):
    app.flow.user("root_admin", "admin")
    admin = Browser(app).login("root_admin")
    page = "/admin/units"
    admin.post("/admin/units", {"key": "hs", "name": "黄山分公司", "parent": "root", "kind": "branch"}, page=page)
    chart = "key,name,parent,kind\r\na,屯溪路加油站,hs,station\r\nb,黄山大道加油站,hs,station\r\n".encode("gb18030")
    done = admin.post(
        "/admin/units/import",
        {"file": (io.BytesIO(chart), "组织.csv")},
        page=page,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已导入组织架构：新增 2" in text(done)
    listing = text(admin.get(page))
    assert listing.index("黄山分公司") < listing.index("屯溪路加油站") < listing.index("黄山大道加油站")
    bad = admin.post("/admin/units/import", {"csv": "key,name\nx y,坏\n"}, page=page, follow_redirects=True)
    assert "line 2" in text(bad) and "x y" not in [u["key"] for u in app.extensions["preplan"].list_units()]

    users = "/admin/users"
    admin.post(users, {"name": "zhao", "unit": "a", "role": ["clerk"], "password": "secret123"}, page=users)
    admin.post("/admin/users/zhao/grant", {"role": "leader", "unit": "hs"}, page=users)
    listing = text(admin.get(users))
    assert "黄山分公司 / 屯溪路加油站" in listing and "zhao" in listing
    zhao = Browser(app)
    login = zhao.post("/login", {"username": "zhao", "password": "secret123"}, page="/login")
    assert login.status_code == 302
    admin.post("/admin/users/zhao/password", {"password": "another123"}, page=users)
    assert zhao.get("/tasks").status_code == 302  # the reset ended the session
    admin.post("/admin/users/zhao/deactivate", {}, page=users)
    again = zhao.post("/login", {"username": "zhao", "password": "another123"}, page="/login")
    assert again.status_code == 401


def test_the_start_form_offers_the_units_one_may_start_in(app):
    app.flow.unit("hs", "黄山分公司", kind="branch")
    app.flow.unit("a", "屯溪路加油站", parent="hs", kind="station")
    app.flow.unit("wx", "芜湖分公司", kind="branch")
    app.flow.user("zhao", "clerk", unit="hs")
    zhao = Browser(app).login("zhao")
    form = zhao.form("/cases/new/mini_complaint")
    page = text(zhao.get(form))
    assert "黄山分公司 / 屯溪路加油站" in page and "芜湖分公司" not in page
    data = {"customer": "王五", "summary": "噪音", "complainant_count": "2", "_unit": "wx"}
    refused = zhao.post(form, data, page=form)
    assert refused.status_code == 422 and "芜湖分公司" in text(refused)
    started = zhao.post(form, {**data, "_unit": "a"}, page=form)
    case = int(started.headers["Location"].rsplit("/", 1)[1])
    assert app.flow.show(case)["unit"] == "a"
    assert "黄山分公司 / 屯溪路加油站" in text(zhao.get(f"/cases/{case}"))


def test_a_confidential_value_reads_as_confidential(app):
    app.flow.deploy(ROOT / "processes" / "whistleblower_report")
    app.flow.user("safety", "whistle_safety_dept")
    app.flow.user("root_admin", "admin")
    report = {
        "received_at": "2026-11-23T10:00:00+08:00",
        "channel": "safety_dept",
        "mode": "written",
        "reporter_name": "周工",
        "reporter_contact": "13600000000",
        "subject": "压力容器超期未检",
        "categories": ["equipment"],
        "report_content": "储气罐检验合格证已过期",
    }
    case = app.flow.start("whistleblower_report", report, user="safety")
    assert "周工" in text(Browser(app).login("safety").get(f"/cases/{case}"))
    seen = text(Browser(app).login("root_admin").get(f"/cases/{case}"))
    assert "周工" not in seen and "13600000000" not in seen and "（保密）" in seen
