"""The fixture preplan most engine tests drive: a major complaint (leader approval within 4 working hours) or a
general one (handled by the clerk, with an hourly reminder)."""

import json

import pytest

from engine.cli import main
from tests.conftest import FIXTURES

MINI = FIXTURES / "processes" / "mini_complaint"
MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}
GENERAL = {"customer": "李四", "summary": "电梯噪音", "complainant_count": 1}
NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def mini(flow):
    flow.deploy(MINI)
    flow.at("2026-11-23T10:00:00+08:00")  # Monday
    return flow


@pytest.fixture
def run(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, now: str | None = NOW) -> tuple[int, str, str]:
        argv = ["--database-url", url] + (["--now", now] if now else []) + list(args)
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "init")[0] == 0
    return run


def as_json(out: str):
    return json.loads(out)


@pytest.fixture
def deployed(run, tmp_path):
    code, out, _ = run("deploy", str(FIXTURES / "processes" / "mini_complaint"), "--note", "first")
    assert code == 0 and as_json(out) == {"preplan": "mini_complaint", "version": 1, "changed": True}
    assert run("users", "add", "li", "--role", "leader", "--password", "pw", "--email", "li@example.cn")[0] == 0
    return run
