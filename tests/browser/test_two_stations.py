"""Browser: two station managers of one branch side by side. The branch CSC starts a complaint about one station
from the start form; only that station's manager gets the work, and the other cannot even open it."""

from __future__ import annotations

import pytest

from engine import clock
from tests.browser.conftest import log_in, screenshot
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser


@pytest.fixture
def branch(sqlite_engine, live_server):
    flow = Flow(sqlite_engine)
    flow.deploy(ROOT / "processes" / "petrochina_station")
    flow.unit("hs", "黄山分公司", kind="branch")
    flow.unit("tunxi", "屯溪路加油站", parent="hs", kind="station")
    flow.unit("daodao", "黄山大道加油站", parent="hs", kind="station")
    flow.user("csc", "petrochina_csc", unit="hs")
    flow.user("manager_a", "petrochina_gas_station", unit="tunxi")
    flow.user("manager_b", "petrochina_gas_station", unit="daodao")
    clock.fix(clock.parse_instant("2026-11-23T10:00:00+08:00"))
    return flow, live_server


def test_two_station_managers_see_different_work(branch, new_page):
    flow, base = branch
    csc = new_page()
    log_in(csc, base, "csc")
    csc.goto(f"{base}/cases/new/petrochina_station")
    options = csc.locator("#f-unit option").all_inner_texts()
    assert options == ["黄山分公司 / 屯溪路加油站", "黄山分公司 / 黄山大道加油站"]  # the stations of the branch
    csc.select_option("#f-unit", label="黄山分公司 / 屯溪路加油站")
    csc.select_option("#f-channel", "hotline_400")
    csc.fill("#f-received_at", "2026-11-23T09:50")
    for field, value in (("customer_name", "刘女士"), ("contact", "13900000000"), ("station", "屯溪路")):
        csc.fill(f"#f-{field}", value)
    csc.fill("#f-description", "加油员服务态度差")
    csc.fill("#f-customer_request", "要求道歉")
    csc.click("form.task-form button[type=submit]")
    csc.wait_for_selector("#case-unit")
    assert csc.locator("#case-unit").inner_text() == "黄山分公司 / 屯溪路加油站"
    case = int(csc.url.rsplit("/", 1)[1])
    flow.complete(case, "Task_Classify", {"nature": "valid", "category": "station_service"}, user="csc")
    flow.complete(
        case, "Task_Transmit", {"handling_method": "由加油站调查处理", "written_notice": "请调查"}, user="csc"
    )
    task = flow.task(case, "Task_StationInvestigate")["id"]

    tunxi, daodao = new_page(width=640), new_page(width=640)
    log_in(tunxi, base, "manager_a")
    log_in(daodao, base, "manager_b")
    assert "TS-20261123-0001" in tunxi.locator("main").inner_text()
    assert "TS-20261123-0001" not in daodao.locator("main").inner_text()
    screenshot(tunxi, "station-a-work")
    screenshot(daodao, "station-b-work")
    response = daodao.goto(f"{base}/tasks/{task}")
    assert response is not None and response.status == 404
    assert daodao.goto(f"{base}/cases/{case}").status == 404
    tunxi.goto(f"{base}/tasks/{task}")
    tunxi.click("form[action$='/claim'] button")
    tunxi.wait_for_selector(".flash.success")
    assert tunxi.locator("#assignee").inner_text() == "manager_a"
