"""The restricted environment that diagram code runs in: gateway conditions, script tasks, DMN cells, timers.

SpiffWorkflow's default environment is plain ``eval``/``exec``: a diagram could read files or start processes.
Here every expression and script is compiled by RestrictedPython (no dunder attributes, no imports, guarded
attribute and item access) and runs with a short allow-list of builtins plus our helpers. Code is compiled once
per distinct source text. :func:`check_code` and :func:`check_timer` find the detectable escapes at
``preplan check`` time, before anything runs.
"""

from __future__ import annotations

import ast
import inspect
import operator
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Mapping

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from RestrictedPython.PrintCollector import PrintCollector
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment


class ScriptRejected(ValueError):
    """Diagram code that the restricted environment refuses to compile or run."""


#: Names that are never callable from diagram code, reported at check time and absent at run time.
FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "getattr", "setattr",
    "delattr", "input", "breakpoint", "exit", "quit", "help", "memoryview", "type", "object", "super",
    "classmethod", "staticmethod", "property", "dir", "id", "hash",
})

_EXTRA_BUILTINS = {
    "min": min, "max": max, "sum": sum, "any": any, "all": all, "sorted": sorted, "reversed": reversed,
    "enumerate": enumerate, "zip": zip, "list": list, "tuple": tuple, "dict": dict, "set": set,
    "map": map, "filter": filter,
}
_BUILTINS = {k: v for k, v in safe_builtins.items() if k not in FORBIDDEN_NAMES and k not in {"__build_class__"}}
_BUILTINS.update(_EXTRA_BUILTINS)

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand,
}

_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": lambda obj, key: obj[key],
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": lambda op, x, y: _INPLACE[op](x, y),
    "_print_": PrintCollector,
}

_JSON_SCALARS = (str, int, float, bool, type(None))


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str):
    result = compile_restricted_eval(source) if mode == "eval" else compile_restricted_exec(source)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task data are the globals; helpers cannot be shadowed by data; results must stay JSON."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__({**_GUARDS, **helpers})
        self.helpers = dict(helpers)

    def _namespace(self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> dict:
        namespace = dict(context)
        namespace.update(external_context or {})
        namespace.update(self.globals)
        return namespace

    def evaluate(self, expression, context, external_context=None):
        return eval(_compile(expression.strip(), "eval"), self._namespace(context, external_context))

    def execute(self, script, context, external_context=None):
        namespace = self._namespace(context, external_context)
        exec(_compile(script, "exec"), namespace)
        reserved = set(self.globals) | set(external_context or {})
        result = {
            k: v for k, v in namespace.items() if k not in reserved and not k.startswith("_") and not callable(v)
        }
        for key, value in result.items():
            _require_json(key, value)
        context.clear()
        context.update(result)
        return True

    def call_service(self, context, **kwargs):
        raise ScriptRejected("service tasks are not supported in preplans")


def _require_json(key: str, value: Any) -> None:
    if isinstance(value, _JSON_SCALARS):
        return
    if isinstance(value, list):
        for item in value:
            _require_json(key, item)
        return
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        for item in value.values():
            _require_json(key, item)
        return
    raise ScriptRejected(
        f"script left {key!r} holding a {type(value).__name__}; case data may only hold JSON values "
        f"(text, numbers, true/false, lists, objects)"
    )


def script_engine(helpers: Mapping[str, Callable[..., Any]]) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))


# -- static checks ----------------------------------------------------------------------------------------

def check_code(source: str, mode: str = "eval") -> list[str]:
    """Problems with a condition (mode ``eval``) or script (``exec``) that can be found without running it."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            problems.append(f"line {node.lineno}: imports are not allowed in diagram code")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            problems.append(f"line {node.lineno}: {node.id!r} is not available in diagram code")
    if problems:
        return problems
    try:
        _compile(source.strip() if mode == "eval" else source, mode)
    except ScriptRejected as exc:
        return [str(exc)]
    return []


def check_timer(expression: str, kind: str, timer_helpers: Mapping[str, Callable[..., Any]]) -> list[str]:
    """A timer must be a quoted ISO 8601 literal of its kind or one call of an allowed calendar helper.

    ``kind`` is ``timeDate``, ``timeDuration`` or ``timeCycle``. Arguments of a helper call may be literals or
    names of case data; the call must bind to the helper's signature.
    """
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as T

    text = expression.strip()
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return [f"{text!r} is not an expression; quote ISO 8601 literals, e.g. \"PT4H\""]
    allowed = ", ".join(sorted(timer_helpers))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            if kind == "timeDuration":
                T.parse_iso_duration(node.value)
            elif kind == "timeCycle":
                T.parse_iso_recurring_interval(node.value)
            elif datetime.fromisoformat(node.value.replace("Z", "+00:00")).tzinfo is None:
                return [f"{node.value!r} needs an explicit UTC offset, e.g. 2026-11-22T18:00:00+08:00"]
        except Exception:
            return [f"{node.value!r} is not a valid ISO 8601 {kind[4:].lower()}"]
        return []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in timer_helpers:
        if kind != "timeDate":
            return [f"calendar helpers return a date-time: use them in a timeDate timer, not {kind}"]
        arguments = list(node.args) + [k.value for k in node.keywords]
        for argument in arguments:
            if not isinstance(argument, (ast.Constant, ast.Name)):
                return [f"arguments of {node.func.id}() must be literals or case data names"]
        try:
            inspect.signature(timer_helpers[node.func.id]).bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as exc:
            return [f"{node.func.id}(): {exc}"]
        return []
    return [f"timer {text!r} must be a quoted ISO 8601 literal or a call of one of: {allowed}"]
