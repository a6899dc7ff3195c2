"""Periodic duties (issue 17, item 2) on SQLite and PostgreSQL with a fixed clock through October 2026."""

from __future__ import annotations

from tests.preplans import test_vanke_complaint as vk


def test_smoke(flow):
    flow.at("2026-09-28T10:00:00+08:00")
    flow.deploy(vk.PREPLAN)
    flow.unit("sh", "上海万科", kind="company")
    flow.at("2026-09-29T12:00:00+08:00")
    started = flow.engine.run_duties()
    print(started)
    flow.at("2026-10-09T12:00:00+08:00")
    started = flow.engine.run_duties()
    print(started)
    print(flow.engine.reports())
    r = flow.engine.report(started[0]["id"])
    print(r)
    print(flow.open_tasks(r["case"]))
    assert 0
