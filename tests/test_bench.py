"""``python -m bench --json --quick`` runs the whole benchmark at tiny sizes and prints every figure issue 14 asks
for. No timing is asserted: on a shared machine such a test would fail at random."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import POSTGRES_URL, ROOT

FIGURES = [
    "raw_ms",
    "sqlite_ms",
    "postgres_ms",
    "sqlite_ratio",
    "postgres_ratio",
    "growth_sqlite",
    "growth_postgres",
    "growth_raw",
    "statements_per_step",
    "start_ms_sqlite",
]


@pytest.mark.postgres
def test_quick_run_prints_every_figure_as_json(postgres_url: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--json", "--quick", "--postgres", POSTGRES_URL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    for name in FIGURES:
        assert isinstance(figures[name], int | float) and figures[name] > 0, name
    for backend in ("sqlite", "postgres"):
        for user in ("one_role", "all_roles"):
            assert figures["tasklist_p95_ms"][backend][user] > 0, (backend, user)
    assert all(isinstance(target["met"], bool) for target in figures["targets"].values())
    assert "sqlite_ratio" in figures["targets"]
