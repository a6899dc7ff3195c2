"""Downloads of the lists (/cases.csv, /cases.xlsx, /tasks.csv, /tasks.xlsx) with the page's filters, the links
that keep them, and the search box of both lists; ``preplan export`` as other tools drive it."""

from __future__ import annotations

import csv
import io
import json
from html import unescape
from urllib.parse import unquote

import openpyxl

from engine.cli import main
from tests.web.conftest import Browser, text


def start(app, customer: str, summary: str) -> int:
    return app.flow.start("mini_complaint", {"customer": customer, "summary": summary, "complainant_count": 1})


def test_the_lists_search_and_download_what_the_page_shows(app):
    start(app, "张三", "楼顶漏水")
    start(app, "李四", "电梯故障")
    wang = Browser(app).login("wang")
    listing = text(wang.get("/cases?q=张三&status=running"))
    assert "楼顶漏水" in listing and "电梯故障" not in listing
    links = unquote(unescape(listing))
    assert "/cases.csv?q=张三&status=running&overdue=" in links and "/cases.xlsx?q=张三&status=running" in links
    assert "导出 <a" in listing

    download = wang.get("/cases.csv?q=张三&status=running")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment; filename=cases.csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "案件编号" and len(rows) == 2

    tasks = text(wang.get("/tasks?q=电梯&scope=all"))
    assert (
        'name="q" value="电梯"' in tasks
        and "/tasks.xlsx?preplan=&severity=&scope=all&overdue=&sort=due&q=电梯" in unquote(unescape(tasks))
    )
    book = wang.get("/tasks.xlsx?q=电梯")
    sheet = openpyxl.load_workbook(io.BytesIO(book.get_data())).active
    header, *found = list(sheet.iter_rows(values_only=True))
    assert header[0] == "任务编号" and len(found) == 1
    everything = openpyxl.load_workbook(io.BytesIO(wang.get("/tasks.xlsx").get_data())).active
    assert everything.max_row == 3  # both cases' steps

    assert Browser(app).get("/cases.csv").status_code == 302  # not logged in: to the login page
    assert wang.get("/cases.pdf").status_code == 404


def test_preplan_export_writes_the_file_and_answers_in_json(app, tmp_path, capsys, sqlite_url):
    start(app, "张三", "楼顶漏水")
    out = tmp_path / "cases.xlsx"
    base = ["--database-url", sqlite_url]
    code = main(
        [
            *base,
            "export",
            "cases",
            "--preplan",
            "mini_complaint",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-23",
            "--format",
            "xlsx",
            "--out",
            str(out),
            "--as",
            "wang",
        ]
    )
    answer = json.loads(capsys.readouterr().out)
    assert code == 0 and answer == {"list": "cases", "format": "xlsx", "out": str(out), "rows": 1}
    sheet = openpyxl.load_workbook(out).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "案件编号" and header[-1] == "收到时间"  # the start form's fields follow the list's columns
    code = main([*base, "export", "tasks", "--from", "2026-11-24", "--format", "csv", "--out", str(tmp_path / "t.csv")])
    assert code == 0 and json.loads(capsys.readouterr().out)["rows"] == 0
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").startswith("任务编号,")
    code = main(
        [
            *base,
            "export",
            "tasks",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-23",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 1 and not (tmp_path / "x.csv").exists()
    assert "--from must not be after --to" in capsys.readouterr().out
