"""Hostile input: XML entity attacks and diagram code that tries to leave the sandbox."""

import shutil
import time

import pytest

from engine.preplans import safexml
from engine.preplans.check import check_package
from engine.preplans.package import load_package
from engine.scripting.sandbox import RestrictedEnvironment, ScriptRejected, check_code
from tests.conftest import FIXTURES

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><documentation>&secret;</documentation></definitions>
"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<lolz>&lol9;</lolz>
"""


@pytest.mark.parametrize("document", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_and_entities_are_refused_before_parsing(document):
    started = time.perf_counter()
    with pytest.raises(safexml.XmlRejected) as refused:
        safexml.parse(document)
    assert "DOCTYPE declarations" in str(refused.value) and refused.value.line == 2
    assert time.perf_counter() - started < 1  # refused up front, never expanded


def test_an_xxe_diagram_fails_check_without_reading_the_file(tmp_path):
    shutil.copytree(FIXTURES / "processes" / "mini_complaint", tmp_path / "processes" / "mini_complaint")
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    (tmp_path / "processes" / "mini_complaint" / "mini_complaint.bpmn").write_bytes(XXE)
    problems = [str(p) for p in check_package(load_package(tmp_path / "processes" / "mini_complaint")).problems]
    assert len(problems) == 1 and "mini_complaint.bpmn:2: DOCTYPE declarations" in problems[0]
    assert "root:" not in problems[0]


def test_oversized_xml_is_refused():
    with pytest.raises(safexml.XmlRejected, match="the limit is"):
        safexml.parse(b"<a>" + b"x" * (safexml.MAX_BYTES + 1) + b"</a>")


@pytest.mark.parametrize(
    "source, message",
    [
        ("import os", "imports are not allowed"),
        ("from subprocess import run", "imports are not allowed"),
        ("x = open('/etc/passwd').read()", "'open' is not available"),
        ("x = __import__('os').getuid()", "'__import__' is not available"),
        ("x = ().__class__.__base__.__subclasses__()", '"__class__" is an invalid attribute name'),
        ("x = getattr(1, 'real')", "'getattr' is not available"),
        ("x = eval('1')", "'eval' is not available"),
        ("x = type(1)", "'type' is not available"),
    ],
)
def test_escapes_are_found_at_check_time(source, message):
    problems = check_code(source, "exec")
    assert problems and message in problems[0], problems


@pytest.fixture
def sandbox():
    return RestrictedEnvironment({"double": lambda x: 2 * x})


@pytest.mark.parametrize(
    "source, error",
    [
        ("import os", ImportError),
        ("x = open('/etc/passwd')", NameError),
        ("x = __builtins__", ScriptRejected),
        ("x = '{0.__class__}'.format(1)", NotImplementedError),
    ],
)
def test_escapes_fail_at_run_time_when_check_is_bypassed(sandbox, source, error):
    data = {"a": 1}
    with pytest.raises(error):
        sandbox.execute(source, data)
    assert data == {"a": 1}


def test_dunder_access_is_refused_at_compile_time(sandbox):
    with pytest.raises(ScriptRejected, match="invalid attribute name"):
        sandbox.evaluate("().__class__.__subclasses__()", {})


def test_scripts_change_case_data_and_keep_it_json(sandbox):
    data = {"a": 1, "items": [1, 2]}
    sandbox.execute("b = double(a)\nitems.append(3)\ndel a\ntotal = sum(items)", data)
    assert data == {"items": [1, 2, 3], "b": 2, "total": 6}
    with pytest.raises(ScriptRejected, match="may only hold JSON values"):
        sandbox.execute("s = {1, 2}", data)
    assert sandbox.evaluate("double(total) > 10 and 'b' in ('a', 'b')", data) is True


def test_data_cannot_shadow_a_helper(sandbox):
    assert sandbox.evaluate("double(2)", {"double": "not a function"}) == 4
