"""Full-text search and exports of the lists, on both databases: Chinese text found by a two-character name and a
phrase of the description or a comment, scoped by the organisation rule, confidential values neither searchable nor
exported, paging through matches; exports opened with the csv module and openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from engine.cases.exports import cases_table, tasks_table
from engine.cases.sight import Sight
from engine.cases.worklist import case_list, work_list
from engine.people.users import get_user
from engine.preplans.conventions import HIDDEN
from engine.tabular import write_csv, write_xlsx
from tests.engine import test_organisation
from tests.engine.test_confidential_and_counts import REPORT, WHISTLE
from tests.engine.test_organisation import at_station
from tests.flow import Flow

SHANGHAI = ZoneInfo("Asia/Shanghai")
branch = test_organisation.branch  # the fixture: a PetroChina branch with two stations, and a second branch


def found(flow: Flow, user: str | None, query: str, **more) -> list[str]:
    with flow.engine.db.read() as session:
        sight = Sight(session, flow.engine.versions, get_user(session, user) if user else None)
        page = case_list(session, flow.engine.tz, sight, search=query, per_page=100, **more)
        return [item["business_key"] for item in page.items]


def work_found(flow: Flow, user: str, query: str) -> list[str]:
    with flow.engine.db.read() as session:
        person = get_user(session, user)
        page = work_list(
            session,
            flow.engine.tz,
            person,
            Sight(session, flow.engine.versions, person).org,
            search=query,
            reminder_share=0.75,
        )
        return [item["business_key"] for item in page.items]


def key_of(flow: Flow, case: int) -> str:
    return flow.show(case)["business_key"]


def test_search_finds_chinese_names_phrases_and_comments_within_what_one_may_see(branch):
    zhang = at_station(branch, "tunxi", customer="张三")
    li = at_station(branch, "daodao", customer="李四光")
    branch.engine.comment(li, "客户要求退还油款", user="csc")
    zhang_key, li_key = key_of(branch, zhang), key_of(branch, li)
    assert found(branch, "csc", "张三") == [zhang_key]  # two characters: no trigram, checked case by case
    assert found(branch, "csc", "服务态度") == [li_key, zhang_key]  # a phrase of the description
    assert found(branch, "csc", "退还油款") == [li_key]  # a comment
    assert found(branch, "csc", "李四光") == [li_key]
    assert found(branch, "csc", zhang_key.lower()) == [zhang_key]  # the business key, any case
    assert found(branch, "csc", "不存在的话") == found(branch, "csc", "王") == []
    assert found(branch, "manager_a", "服务态度") == [zhang_key]  # the other station's case stays unseen
    assert found(branch, "manager_b", "张三") == []
    assert found(branch, "csc_wx", "服务态度") == []  # another branch sees none
    assert work_found(branch, "manager_a", "张三") == [zhang_key]
    assert work_found(branch, "manager_a", "李四") == []
    assert work_found(branch, "manager_b", "李四光") == [li_key]


def test_search_pages_through_its_matches_newest_first(branch):
    keys = [key_of(branch, at_station(branch, "tunxi", customer=f"王{n}号")) for n in range(5)]
    zhao = key_of(branch, at_station(branch, "tunxi", customer="赵六"))
    with branch.engine.db.read() as session:
        sight = Sight(session, branch.engine.versions, get_user(session, "manager_a"))
        for query, expected in (("王", keys[::-1]), ("服务态度差", [zhao, *keys[::-1]])):
            seen, after = [], None
            while True:
                page = case_list(session, branch.engine.tz, sight, search=query, per_page=2, after=after)
                assert page.total == len(expected)
                seen += [item["business_key"] for item in page.items]
                if page.next is None:
                    break
                after = page.next
            assert seen == expected
    assert found(branch, "manager_a", "王3号") == [keys[3]]


def test_confidential_values_are_not_searchable_nor_exported_to_those_who_may_not_read_them(flow):
    flow.deploy(WHISTLE)
    flow.at("2026-11-23T10:00:00+08:00")
    flow.user("safety", "whistle_safety_dept")
    flow.user("root_admin", "admin", "supervisor")
    case = flow.start("whistleblower_report", REPORT, user="safety")
    key = key_of(flow, case)
    assert found(flow, "root_admin", "压力容器") == [key]
    for who in ("root_admin", "safety", None):  # left out of the index for everyone
        assert found(flow, who, "周工") == found(flow, who, "13600000000") == []
    rows = {who: exported(flow, who, "whistleblower_report") for who in ("root_admin", "safety")}
    assert rows["root_admin"][1]["举报人真实姓名"] == HIDDEN and rows["root_admin"][1]["举报人联系方式"] == HIDDEN
    assert rows["safety"][1]["举报人真实姓名"] == "周工"
    assert rows["safety"][1]["举报事项"] == REPORT["subject"] == rows["root_admin"][1]["举报事项"]


def exported(flow: Flow, user: str | None, preplan: str | None = None) -> list[dict[str, str]]:
    """The cases export as CSV, read back by the csv module: [header row as dict of itself, rows...]."""
    out = io.BytesIO()
    with flow.engine.db.read() as session:
        sight = Sight(session, flow.engine.versions, get_user(session, user) if user else None)
        write_csv(cases_table(session, flow.engine.tz, sight, preplan=preplan), out, flow.engine.tz)
    raw = out.getvalue()
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with its mark
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return [dict(zip(reader.fieldnames or [], reader.fieldnames or [], strict=True)), *reader]


def test_exports_hold_every_visible_row_in_the_lists_order_with_dates_in_the_organisations_zone(branch):
    cases = [at_station(branch, unit) for unit in ("tunxi", "daodao", "tunxi")]
    keys = [key_of(branch, c) for c in cases]
    rows = exported(branch, "manager_a")
    assert list(rows[0])[:4] == ["案件编号", "标题", "预案", "单位"]
    assert [r["案件编号"] for r in rows[1:]] == [keys[2], keys[0]]  # newest first, only the own station's
    assert rows[1]["开始时间"] == "2026-11-23T10:00:00+08:00" and rows[1]["演练"] == "否"
    assert [r["案件编号"] for r in exported(branch, "csc_wx")[1:]] == []  # another branch: none of them
    assert len(exported(branch, None)) == 4  # the operator: all

    with branch.engine.db.read() as session:
        sight = Sight(session, branch.engine.versions, get_user(session, "manager_b"))
        book = io.BytesIO()
        write_xlsx(tasks_table(session, branch.engine.tz, sight, reminder_share=0.75), book, branch.engine.tz)
        since = datetime(2026, 11, 24, tzinfo=SHANGHAI)
        later = cases_table(session, branch.engine.tz, Sight(session, branch.engine.versions, None), since=since)
        assert list(later.rows) == []  # started before the period
    sheet = openpyxl.load_workbook(io.BytesIO(book.getvalue())).active
    header, *tasks = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("任务编号", "案件编号", "案件标题") and "截止时间" in header
    assert [t[1] for t in tasks] == [keys[1]]
    opened = tasks[0][header.index("创建时间")]
    assert opened == datetime(2026, 11, 23, 10, 0)  # a date-time cell, in Shanghai time
    cell = sheet.cell(row=2, column=header.index("创建时间") + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(tasks[0][0], int)


@pytest.mark.parametrize("query", ["%", "%_%", '"', "\\"])
def test_search_takes_any_text_literally(branch, query):
    at_station(branch, "tunxi")
    assert found(branch, "csc", query) == found(branch, "csc", query * 3) == []
