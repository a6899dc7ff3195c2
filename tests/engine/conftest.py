"""The fixture preplan most engine tests drive: a major complaint (leader approval within 4 working hours) or a
general one (handled by the clerk, with an hourly reminder)."""

import pytest

from tests.conftest import FIXTURES

MINI = FIXTURES / "processes" / "mini_complaint"
MAJOR = {"customer": "张三", "summary": "楼上漏水", "complainant_count": 12}
GENERAL = {"customer": "李四", "summary": "电梯噪音", "complainant_count": 1}


@pytest.fixture
def mini(flow):
    flow.deploy(MINI)
    flow.at("2026-11-23T10:00:00+08:00")  # Monday
    return flow
