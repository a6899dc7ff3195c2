"""bpmnlint (npm, pinned 11.x, bpmnlint:recommended) is clean on every product diagram."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted(ROOT.glob("processes/*/*.bpmn"))


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.parent.name for p in DIAGRAMS])
def test_bpmnlint_is_clean(path):
    binary = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if not binary.exists() or shutil.which("node") is None:
        require("bpmnlint from npm is not installed (make setup installs it)")
    result = subprocess.run([str(binary), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
