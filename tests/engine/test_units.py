"""Units, memberships and the org chart: the CLI contract other tools drive, CSV import (all or nothing, parents in
any order, Excel's encodings), moves that would make a loop, and the upgrade of a database that had no units."""

from __future__ import annotations

import sqlite3

from alembic import command

from engine.store import schema
from engine.store.db import Database
from tests.engine.conftest import as_json

CHART = """key,name,parent,kind
station_a,屯溪路加油站,hs,station
hs,黄山分公司,,branch
station_b,黄山大道加油站,hs,station
"""


def test_units_and_memberships_through_the_cli(deployed, tmp_path):
    run = deployed
    code, out, _ = run("units", "add", "hs", "--name", "黄山分公司", "--kind", "branch")
    assert code == 0 and as_json(out) == {"key": "hs", "name": "黄山分公司", "parent": "root", "kind": "branch"}
    assert run("units", "add", "a", "--name", "屯溪路加油站", "--parent", "hs", "--kind", "station")[0] == 0
    listed = as_json(run("units", "list", "--json")[1])
    assert listed == [
        {"key": "root", "name": "本单位", "parent": None, "kind": "company"},
        {"key": "hs", "name": "黄山分公司", "parent": "root", "kind": "branch"},
        {"key": "a", "name": "屯溪路加油站", "parent": "hs", "kind": "station"},
    ]
    code, out, _ = run("units", "add", "hs", "--name", "重复")
    assert code == 1 and as_json(out)["error"] == "conflict"
    assert run("users", "add", "zhao", "--role", "clerk", "--unit", "a", "--password", "pw123456")[0] == 0
    code, out, _ = run("users", "grant", "zhao", "--role", "leader", "--unit", "a")
    assert as_json(out)["memberships"] == [{"role": "clerk", "unit": "a"}, {"role": "leader", "unit": "a"}]
    code, out, _ = run("users", "grant", "zhao", "--role", "leader", "--unit", "nowhere")
    assert code == 1 and as_json(out) == {"error": "not_found", "message": "no unit nowhere"}
    # a case in the station: its clerk starts it, a leader elsewhere does not see it
    major = '{"customer": "张三", "summary": "漏水", "complainant_count": 12}'
    code, out, _ = run("start", "mini_complaint", "--as", "zhao", "--unit", "a", "--data", major, "--json")
    assert code == 0 and as_json(out)["unit"] == "a"
    code, out, _ = run("start", "mini_complaint", "--as", "zhao", "--unit", "root", "--data", major)
    assert code == 1 and as_json(out)["error"] == "forbidden"  # refused as JSON, even without --json
    tasks = as_json(run("tasks", "--user", "zhao", "--json")[1])
    assert [(t["name"], t["unit"]) for t in tasks] == [("领导审批", "a")]
    code, out, _ = run("show", "TS-20261123-0001", "--as", "li", "--json")  # li leads at the root: sees it
    assert code == 0 and as_json(out)["unit"] == "a"
    assert run("units", "add", "wx", "--name", "芜湖分公司")[0] == 0
    assert run("users", "add", "qian", "--role", "leader", "--unit", "wx")[0] == 0
    code, out, _ = run("show", "TS-20261123-0001", "--as", "qian")
    assert code == 1 and as_json(out) == {"error": "not_found", "message": "no case TS-20261123-0001"}
    code, out, _ = run("users", "deactivate", "zhao")
    assert as_json(out) == {"user": "zhao", "active": False, "released": []}
    chart = tmp_path / "org.csv"
    chart.write_bytes(CHART.replace("hs,黄山分公司,,branch", "hs,黄山分公司（新）,,branch").encode("gb18030"))
    code, out, _ = run("units", "import", str(chart))
    assert code == 0 and as_json(out) == {"added": ["station_a", "station_b"], "changed": ["hs"], "unchanged": 0}


def test_an_org_chart_with_one_bad_row_imports_nothing(run, tmp_path):
    chart = tmp_path / "bad.csv"
    chart.write_text(CHART + "x y,名字,hs,station\nc,加油站,nowhere,station\n,无键,hs,\n", encoding="utf-8-sig")
    code, out, _ = run("units", "import", str(chart))
    refused = as_json(out)
    assert code == 1 and refused["error"] == "validation"
    assert set(refused["fields"]) == {"line 5", "line 6", "line 7"}  # each bad row, by its line in the file
    assert "nowhere" in refused["fields"]["line 6"]
    assert [u["key"] for u in as_json(run("units", "list", "--json")[1])] == ["root"]


def test_a_unit_cannot_move_under_itself_nor_a_chart_make_a_loop(run, tmp_path):
    run("units", "add", "hs", "--name", "黄山分公司")
    run("units", "add", "a", "--name", "加油站", "--parent", "hs")
    code, out, _ = run("units", "update", "hs", "--parent", "a")
    assert code == 1 and "lies within it" in as_json(out)["message"]
    chart = tmp_path / "loop.csv"
    chart.write_text("key,name,parent,kind\nx,甲,y,\ny,乙,x,\n", encoding="utf-8")
    code, out, _ = run("units", "import", str(chart))
    assert code == 1 and "loop" in as_json(out)["fields"]["file"]


def test_a_database_without_units_keeps_working_the_same_after_the_upgrade(tmp_path):
    """Users keep their roles in the root unit and cases move to it: nothing changes until units are added."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    config = schema.alembic_config(url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    db.dispose()
    with sqlite3.connect(tmp_path / "old.db") as raw:
        raw.execute("INSERT INTO role (key, title_zh, title_en) VALUES ('leader', '领导', 'Leader')")
        raw.execute(
            "INSERT INTO user_account (id, name, active, session_generation, created_at) "
            "VALUES (1, 'li', 1, 0, '2026-11-01 00:00:00')"
        )
        raw.execute("INSERT INTO user_role (user_id, role_key) VALUES (1, 'leader')")
    db = Database(url)
    schema.upgrade(db)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT key, parent_key FROM org_unit").all() == [("root", None)]
        assert connection.exec_driver_sql("SELECT user_id, role_key, unit_key FROM user_role").all() == [
            (1, "leader", "root")
        ]
    with db.engine.begin() as connection:  # and back down: the roles are kept without their unit
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
        assert connection.exec_driver_sql("SELECT user_id, role_key FROM user_role").all() == [(1, "leader")]
    db.dispose()
