"""The house rules of the code: the engine's rooms import only downwards and the engine never imports the web
layer (import-linter contracts in pyproject.toml); the checks can fail, as a new upward import shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_engine_rooms_import_only_downwards_and_never_the_web():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_or_a_web_import_breaks_the_rules(tmp_path):
    for folder in ("engine", "web"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    store = tmp_path / "engine" / "store" / "records.py"
    store.write_text(store.read_text() + "\nfrom engine.service import Engine  # noqa\nimport web.auth  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "The engine never imports the web layer BROKEN" in result.stdout
    assert "Engine rooms import only downwards BROKEN" in result.stdout
