"""Downloads of a ledger (/ledgers/<preplan>.csv|xlsx) and of the dashboard's figures (/dashboard.csv|xlsx) for
the period and unit the page shows, with the page's access; the printed pages say their period and unit."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.engine.test_figures import walk
from tests.engine.test_ledgers import NAMES, complaint, petrochina_stations, taken, vanke_specialists
from tests.web.conftest import Browser, text

NOVEMBER = "from=2026-11-01&to=2026-11-30"


def test_a_ledger_downloads_for_the_period_the_page_shows(app):
    flow = petrochina_stations(app.flow)
    first = complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    second = complaint(flow, "tunxi", "2026-03-02T10:00:00+08:00", NAMES, strong_attitude_or_short_deadline=True)
    boss = Browser(app).login("boss")
    page = text(boss.get("/ledgers/petrochina_station?year=2026&month=3"))
    assert "/ledgers/petrochina_station.xlsx?year=2026&amp;month=3" in page
    assert "统计期：2026-03-01 至 2026-03-31 · 单位：您可查看其案件的全部单位" in page

    book = boss.get("/ledgers/petrochina_station.xlsx?year=2026&month=3")
    assert book.status_code == 200 and "petrochina_station-2026-month3.xlsx" in book.headers["Content-Disposition"]
    sheets = openpyxl.load_workbook(io.BytesIO(book.get_data()))
    assert sheets.sheetnames == ["合计", "加油站", "片区", "人员"]
    assert [c.value for c in sheets["加油站"][2]][:4] == ["屯溪路加油站", "北片区", 1, second]

    year = boss.get("/ledgers/petrochina_station.csv?year=2026")
    rows = list(csv.reader(io.StringIO(year.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["合计"] and rows[2][:3] == [
        "2026-01-01 至 2026-12-31",
        "2",
        f"{first}、{second}",
    ]
    assert boss.get("/ledgers/petrochina_station.xlsx?year=1999").status_code == 400

    li = Browser(app).login("li")
    assert li.get("/ledgers/petrochina_station.xlsx?year=2026").status_code == 403
    assert boss.get("/ledgers/mini_complaint.csv").status_code == 404


def test_vanke_s_closure_rate_downloads_as_a_percentage(app):
    flow = vanke_specialists(app.flow)
    closed = taken(flow, "2026-01-05T10:00:00+08:00", "chen", resolve_at="2026-01-06T10:00:00+08:00")
    flow.user("csc", "vanke_csc")
    csc = Browser(app, "en").login("csc")
    assert "From 2026-01-01 to 2026-12-31" in text(csc.get("/ledgers/vanke_complaint?year=2026"))
    sheet = openpyxl.load_workbook(io.BytesIO(csc.get("/ledgers/vanke_complaint.xlsx?year=2026&quarter=1").get_data()))
    row = sheet["客服专员"][2]
    assert (row[2].value, row[6].value, row[9].value, row[9].number_format) == ("chen", closed, 1.0, "0.0%")


def test_the_dashboard_s_figures_download_for_its_period_and_unit(app):
    walk(app.flow)
    boss = Browser(app).login("boss")
    page = text(boss.get(f"/dashboard?{NOVEMBER}"))
    assert "/dashboard.xlsx?from=2026-11-01&amp;to=2026-11-30" in page and "· 我督办的全部单位" in page
    sheet = openpyxl.load_workbook(io.BytesIO(boss.get(f"/dashboard.xlsx?{NOVEMBER}").get_data()))["统计"]
    assert [c.value for c in sheet[2]][1:6] == ["全部", 4, 4, 0, 0.75] and sheet["F2"].number_format == "0.0%"

    branch = Browser(app).login("hs_sup")
    assert "&amp;unit=tunxi" in text(branch.get(f"/dashboard?{NOVEMBER}&unit=tunxi"))
    rows = list(
        csv.reader(io.StringIO(branch.get(f"/dashboard.csv?{NOVEMBER}&unit=tunxi").get_data().decode("utf-8-sig")))
    )
    assert rows[1][1:3] == ["全部", "2"]
    assert branch.get(f"/dashboard.csv?{NOVEMBER}&unit=vk").status_code == 403
    assert Browser(app).login("li").get(f"/dashboard.xlsx?{NOVEMBER}").status_code == 403
