"""The appraisal ledger pages: for the readers the engine's rule allows (a nav link for them only), PetroChina by
year and month, Vanke by year and quarter, each number with the links to the cases it counts; bad periods get a
400 page that says what is wrong; both languages."""

from __future__ import annotations

import re

from tests.engine.test_ledgers import NAMES, complaint, petrochina_stations, taken, vanke_specialists
from tests.web.conftest import Browser, text


def row(page: str, heading: str) -> list[str]:
    """The cells of the table row headed ``heading``: a number and the business keys linked beside it, or the
    cell's text."""
    cells = re.search(rf'<th scope="row">{heading}(?:<span[^>]*>[^<]*</span>)?</th>(.*?)</tr>', page, re.S).group(1)
    found = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S):
        value = re.search(r'<span class="value">([^<]*)</span>', cell)
        if value is None:
            found.append(re.sub(r"<[^>]+>", "", cell).strip())
        else:
            found.append(" ".join([value.group(1), *re.findall(r'<a href="/cases/\d+">([^<]+)</a>', cell)]))
    return found


def links(app, key: str) -> str:
    return f'<a href="/cases/{app.flow.show(key)["case"]}">{key}</a>'


def test_a_reader_sees_petrochina_s_ledger_with_the_cases_of_each_number(app):
    flow = petrochina_stations(app.flow)
    first = complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    second = complaint(flow, "tunxi", "2026-03-02T10:00:00+08:00", NAMES, strong_attitude_or_short_deadline=True)
    boss = Browser(app).login("boss")
    assert 'href="/ledgers"' in text(boss.get("/tasks"))
    assert boss.get("/ledgers").headers["Location"].endswith("/ledgers/petrochina_station")

    page = text(boss.get("/ledgers/petrochina_station?year=2026"))
    assert "考核台账" in page and "统计期：2026-01-01 至 2026-12-31" in page
    stations = page.split('id="stations"')[1]
    tunxi = row(stations, "屯溪路加油站")
    assert tunxi[0] == f"5 {first}" and tunxi[2] == f"5 {second}" and tunxi[12] == f"10 {first} {second}"
    assert row(stations.split("</table>")[1], "屯溪路加油站")[:2] == [f"2 {first} {second}", f"2 {first} {second}"]
    assert "加油站取消本年集体评先评优资格" in stations and links(app, first) in stations
    area = row(page.split('id="areas"')[1], "北片区")
    assert area[0] == f"5 {first}" and area[12] == f"10 {first} {second}"
    people = page.split('id="people"')[1]
    assert row(people, "张三")[2:4] == [f"900 {first} {second}", f"2 {first} {second}"]
    assert "直接责任人 900" in people and "直接责任人警告处分，调离原工作岗位" in people
    assert "加油站经理罚款加倍" in row(people, "李经理")[4]

    march = text(boss.get("/ledgers/petrochina_station?year=2026&month=3"))
    assert "统计期：2026-03-01 至 2026-03-31" in march and '<option value="3" selected>' in march
    assert row(march.split('id="stations"')[1], "屯溪路加油站") == [f"5 {second}", f"5 {second}"]


def test_vanke_s_closure_rate_per_specialist_and_quarter_in_english(app):
    flow = vanke_specialists(app.flow)
    closed = taken(flow, "2026-01-05T10:00:00+08:00", "chen", resolve_at="2026-01-06T10:00:00+08:00")
    still_open = taken(flow, "2026-03-02T10:00:00+08:00", "chen")
    flow.user("csc", "vanke_csc")
    csc = Browser(app, "en").login("csc")
    page = text(csc.get("/ledgers/vanke_complaint?year=2026&quarter=1"))
    assert "Appraisal ledger" in page and "Closure rate" in page and "Quarter 1" in page
    assert row(page, "chen") == [f"2 {closed} {still_open}", f"1 {closed}", f"1 {still_open}", "50.0%"]
    assert links(app, still_open) in page
    year = text(csc.get("/ledgers/vanke_complaint?year=2026"))
    assert all(f'id="quarter-{q}"' in year for q in range(1, 5))
    assert "No valid complaints in this period." in year.split('id="quarter-2"')[1]
    assert csc.get("/ledgers/petrochina_station").status_code == 403  # not among its readers


def test_others_see_neither_the_link_nor_the_ledger(app):
    petrochina_stations(app.flow)
    li = Browser(app).login("li")
    assert 'href="/ledgers"' not in text(li.get("/tasks"))
    assert li.get("/ledgers").status_code == 403
    assert li.get("/ledgers/petrochina_station?year=2026").status_code == 403


def test_bad_periods_and_unknown_preplans_are_answered(app):
    petrochina_stations(app.flow)
    boss = Browser(app).login("boss")
    for query in ("year=soon", "year=1999", "year=2026&month=13", "year=2026&month=march"):
        response = boss.get(f"/ledgers/petrochina_station?{query}")
        assert response.status_code == 400 and "台账的期间无效" in text(response)
    assert "（月份）" in text(boss.get("/ledgers/petrochina_station?year=2026&month=0"))
    assert boss.get("/ledgers/petrochina_station?year=2026&quarter=x").status_code == 200  # not this ledger's
    assert boss.get("/ledgers/mini_complaint").status_code == 404
    assert boss.get("/ledgers/vanke_complaint").status_code == 404  # not installed here
