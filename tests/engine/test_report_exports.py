"""The appraisal ledgers and the figures of a period as spreadsheets: read back with the csv module and openpyxl
(sheets, Chinese headers, numbers as numbers, rates as percentages, the business keys of the counted cases), the
same access as the figures themselves, and ``--format``/``--out`` of ``preplan ledger`` and ``preplan report``
beside their unchanged ``--json``."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from engine.cli import main
from engine.errors import Forbidden
from engine.tabular import FORMATS, Tables
from tests.engine.test_figures import NOVEMBER, walk
from tests.engine.test_ledgers import NAMES, complaint, petrochina_stations, taken, vanke_specialists
from tests.preplans import test_petrochina_station as pc


def workbook(tables: Tables, tz) -> openpyxl.Workbook:
    out = io.BytesIO()
    FORMATS["xlsx"][0](tables, out, tz)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def lines(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_petrochina_s_ledger_is_a_sheet_per_table_with_the_keys_of_each_number(flow):
    petrochina_stations(flow)
    first = complaint(flow, "tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    second = complaint(flow, "tunxi", "2026-03-02T10:00:00+08:00", NAMES, strong_attitude_or_short_deadline=True)
    book = workbook(flow.engine.ledger_tables("petrochina_station", 2026), flow.engine.tz)
    assert book.sheetnames == ["合计", "加油站", "片区", "人员"]
    assert lines(book["合计"])[1][:5] == ["2026-01-01 至 2026-12-31", 2, f"{first}、{second}", 10, f"{first}、{second}"]
    header, tunxi = lines(book["加油站"])[:2]
    assert header[:6] == ["加油站", "片区", "有效投诉", "有效投诉·案件", "扣分", "扣分·案件"]
    assert tunxi[:4] == ["屯溪路加油站", "北片区", 2, f"{first}、{second}"]
    assert "加油站取消本年集体评先评优资格" in tunxi[header.index("处分及评先评优资格")]
    assert tunxi[header.index("可参加评先评优")] == "否"
    assert book["加油站"]["C2"].number_format == "#,##0"
    people = {row[0]: dict(zip(lines(book["人员"])[0], row, strict=True)) for row in lines(book["人员"])[1:]}
    assert people["张三"]["罚款（元）"] == 900 and people["张三"]["罚款（元）·案件"] == f"{first}、{second}"
    assert people["张三"]["罚款构成"] == "直接责任人 900"
    assert "加油站经理罚款加倍" in people["李经理"]["处分及评先评优资格"]

    march = io.BytesIO()
    FORMATS["csv"][0](flow.engine.ledger_tables("petrochina_station", 2026, 3), march, flow.engine.tz)
    rows = list(csv.reader(io.StringIO(march.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["合计"] and rows[2][0] == "2026-03-01 至 2026-03-31"
    assert rows[3] == [] and rows[4] == ["加油站"] and rows[6][:4] == ["屯溪路加油站", "北片区", "1", second]


def test_vanke_s_closure_rate_is_a_percentage_and_the_ledger_is_for_its_readers(flow):
    vanke_specialists(flow)
    closed = taken(flow, "2026-01-05T10:00:00+08:00", "chen", resolve_at="2026-01-06T10:00:00+08:00")
    still_open = taken(flow, "2026-03-02T10:00:00+08:00", "chen")
    book = workbook(flow.engine.ledger_tables("vanke_complaint", 2026, 1), flow.engine.tz)
    sheet = book["客服专员"]
    header, chen = lines(sheet)
    assert header == [
        "季度",
        "统计期",
        "客服专员",
        "有效投诉",
        "有效投诉·案件",
        "已关闭",
        "已关闭·案件",
        "未关闭",
        "未关闭·案件",
        "投诉关闭率",
    ]
    assert chen == [1, "2026-01-01 至 2026-03-31", "chen", 2, f"{closed}、{still_open}", 1, closed, 1, still_open, 0.5]
    assert sheet["J2"].number_format == "0.0%"
    with pytest.raises(Forbidden):
        flow.engine.ledger_tables("vanke_complaint", 2026, user="chen")  # a specialist does not appraise


def test_the_figures_of_a_period_as_a_table_per_preplan_and_severity(flow):
    walk(flow)
    book = workbook(flow.engine.figure_table(*NOVEMBER), flow.engine.tz)
    header, everything, *severities = lines(book["统计"])
    assert header[:6] == ["预案", "严重程度", "受理", "办结", "终止", "办结率"]
    assert everything[1:] == ["全部", 4, 4, 0, 0.75, 1, 2, 0.3333, 4.0, 404.3, 1, 1]
    assert [row[2] for row in severities] == [1, 3]
    assert book["统计"]["F2"].number_format == "0.0%" and book["统计"]["J2"].number_format == "#,##0.0"
    station = lines(workbook(flow.engine.figure_table(*NOVEMBER, unit="tunxi", user="hs_sup"), flow.engine.tz)["统计"])
    assert station[1][2] == 2
    with pytest.raises(Forbidden):
        flow.engine.figure_table(*NOVEMBER, unit="vk", user="hs_sup")


def test_ledger_and_report_write_files_and_keep_their_json(sqlite_flow, tmp_path, capsys):
    flow = sqlite_flow
    flow.deploy(pc.PREPLAN)
    flow.unit("pc_tunxi", "屯溪路加油站", kind="station")
    first = complaint(flow, "pc_tunxi", "2026-01-12T10:00:00+08:00", NAMES)
    walk(flow)
    url = flow.engine.settings.database_url

    def run(*args: str) -> tuple[int, dict]:
        code = main(["--database-url", url, *args])
        return code, json.loads(capsys.readouterr().out)

    code, out = run("ledger", "petrochina_station", "--year", "2026", "--month", "1", "--json")
    assert code == 0 and set(out) == {"preplan", "year", "month", "from", "to", "totals", "stations", "areas", "people"}
    book = tmp_path / "ledger.xlsx"
    code, out = run(
        "ledger", "petrochina_station", "--year", "2026", "--month", "1", "--format", "xlsx", "--out", str(book)
    )
    rows = 6  # the totals, a station, its area, three people
    assert code == 0 and out == {"out": str(book), "format": "xlsx", "rows": rows}
    assert lines(openpyxl.load_workbook(book)["加油站"])[1][:4] == ["屯溪路加油站", "本单位", 1, first]

    code, out = run("report", "mini_complaint", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert code == 0 and (out["opened"], out["closure_rate"]) == (4, 0.75)
    table = tmp_path / "report.csv"
    code, out = run(
        "report", "mini_complaint", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv", "--out", str(table)
    )
    assert code == 0 and out == {"out": str(table), "format": "csv", "rows": 3}
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["预案", "严重程度", "受理"] and rows[1][1:6] == ["全部", "4", "4", "0", "0.75"]

    code, out = run("report", "mini_complaint", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv")
    assert code == 1 and out["error"] == "validation"
