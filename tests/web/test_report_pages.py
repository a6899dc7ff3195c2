"""The periodic duties' report pages: /reports lists what one may read, /reports/<id> shows the compiled figures,
the comments and who submitted it, with CSV and Excel downloads; others get a 404; a supervisor opens a submitted
report again."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.engine.test_duties import both
from tests.web.conftest import Browser, text


def test_reports_are_listed_shown_downloaded_and_opened_again(app):
    flow = both(app.flow)
    flow.user("hs_csc", "petrochina_csc", unit="hs")
    flow.user("station", "petrochina_gas_station", unit="tunxi")
    flow.user("zhou", "petrochina_leader", unit="hs")  # a recipient of the appraisal
    flow.at("2026-10-08T09:30:00+08:00")
    flow.engine.run_duties()
    (appraisal,) = flow.engine.duty_reports(preplan="petrochina_station")
    case = flow.engine.duty_report(appraisal["id"])["case"]
    flow.complete(case, "Task_MonthlyAppraisal", {"comments": "九月各站无有效投诉"}, user="hs_csc")

    csc = Browser(app).login("hs_csc")
    listing = text(csc.get("/reports"))
    assert 'href="/reports"' in listing and "片区及加油站月度投诉考核" in listing and "2026-09" in listing
    assert "投诉月报" not in listing  # Vanke's reports are not the branch CSC's
    page = text(csc.get(f"/reports/{appraisal['id']}"))
    assert "九月各站无有效投诉" in page and "已提交" in page and "hs_csc" in page and "黄山分公司" in page
    assert "统计期：2026-09-01 至 2026-09-30" in page
    assert "Open again as a new version" not in page and "作为新版本重新打开" not in page

    case_page = csc.get(f"/cases/{case}")
    assert case_page.status_code == 200 and "片区及加油站月度投诉考核（2026-09）" in text(case_page)
    assert 'id="petrochina_monthly_appraisal"' in csc.get(f"/cases/{case}/diagram.bpmn").data.decode()
    rows = list(csv.reader(io.StringIO(csc.get(f"/reports/{appraisal['id']}.csv").data.decode("utf-8-sig"))))
    assert rows and any("有效投诉" in cell for row in rows for cell in row)
    book = load_workbook(io.BytesIO(csc.get(f"/reports/{appraisal['id']}.xlsx").data))
    assert book.sheetnames

    inbox = text(Browser(app).login("zhou").get("/inbox"))
    assert "报告「片区及加油站月度投诉考核」（2026-09）已由 hs_csc 提交。" in inbox

    station = Browser(app).login("station")
    assert "片区及加油站月度投诉考核" not in text(station.get("/reports"))
    assert station.get(f"/reports/{appraisal['id']}").status_code == 404
    assert station.get("/reports/99999").status_code == 404

    boss = Browser(app).login("boss")
    page = text(boss.get(f"/reports/{appraisal['id']}"))
    response = boss.post(f"/reports/{appraisal['id']}/reopen", {}, page=f"/reports/{appraisal['id']}")
    again = text(boss.get(response.headers["Location"]))
    assert "已作为第 2 版重新打开" in again and "待提交" in again
