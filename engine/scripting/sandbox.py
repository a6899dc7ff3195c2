"""The restricted environment that diagram code runs in: gateway conditions, script tasks, DMN cells, timers.

SpiffWorkflow's default environment is plain ``eval``/``exec``: a diagram could read files or start processes.
Here every expression and script is compiled by RestrictedPython (no dunder attributes, no imports, guarded
attribute and item access) and runs with a short allow-list of builtins plus our helpers. Code is compiled once
per distinct source text. :func:`check_code` and :func:`check_timer` find the detectable escapes at
``preplan check`` time, before anything runs.

Every run has a budget (:class:`Budget`): a number of executed lines and a time. Past it the code is stopped
with :class:`ScriptTooLong`, so a looping script refuses its step (or stops its case with status ``error`` when
a timer ran it) instead of hanging the process. Operations that run in C without executing lines — huge powers
and shifts, repeating a text or list millions of times, huge ranges, padding to a huge width — are refused
before they start.
"""

from __future__ import annotations

import ast
import inspect
import operator
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import say


class ScriptRejected(ValueError):
    """Diagram code that the restricted environment refuses to compile or run."""


class ScriptTooLong(ScriptRejected):
    """Diagram code that ran past its budget of lines or time, or asked for a result too large to compute."""


#: A trace function (see sys.settrace).
Tracer = Callable[[FrameType, str, Any], Any]
#: The file name diagram code is compiled under (its operations, not only its lines, count against the budget).
DIAGRAM_CODE = "<diagram>"
#: Largest text, list or range a diagram may build in one operation, and the largest number (in bits).
MAX_SIZE = 1_000_000
MAX_BITS = 100_000
#: The clock budgets are measured on (a monotonic one; tests replace it to move time without waiting).
monotonic: Callable[[], float] = time.monotonic


class _Exhausted(BaseException):
    """Raised inside diagram code when its budget is used up. A BaseException, so ``except Exception`` in a
    diagram cannot swallow it; a bare ``except`` can, but the next line it runs raises it again."""


@dataclass(frozen=True)
class Budget:
    """How much one evaluation of diagram code may do: executed lines and seconds (``PREPLAN_SCRIPT_STEPS``,
    ``PREPLAN_SCRIPT_SECONDS``)."""

    steps: int = 100_000
    seconds: float = 2.0

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a block under this budget, counted by a trace function on this thread only: every operation of
        diagram code (a one-line ``while True: pass`` executes no new line), every line of the helpers it calls."""
        state = {"left": self.steps, "deadline": monotonic() + self.seconds, "spent": False}

        def step(frame: FrameType, event: str, arg: Any) -> Tracer:
            if event in ("line", "opcode"):
                state["left"] -= 1
                if (
                    state["spent"]
                    or state["left"] < 0
                    or (state["left"] % 512 == 0 and monotonic() > state["deadline"])
                ):
                    state["spent"] = True
                    raise _Exhausted
            return step

        def enter(frame: FrameType, event: str, arg: Any) -> Tracer:
            frame.f_trace_opcodes = frame.f_code.co_filename == DIAGRAM_CODE
            return step

        previous = sys.gettrace()
        sys.settrace(enter)
        try:
            yield
        except _Exhausted:
            raise self._stopped() from None
        finally:
            sys.settrace(previous)
        if state["spent"]:  # the code swallowed the stop signal and ended anyway: still over budget
            raise self._stopped()

    def _stopped(self) -> ScriptTooLong:
        return ScriptTooLong(
            say(
                "diagram code ran past its budget (%(steps)s steps or %(seconds)s s) and was stopped; "
                "nothing it did was kept",
                steps=f"{self.steps:,}",
                seconds=f"{self.seconds:g}",
            )
        )


def _too_big(what: str) -> ScriptTooLong:
    return ScriptTooLong(say("diagram code asked for %(what)s, more than diagram code may build", what=what))


def _bits(value: Any) -> float:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _sized(value: Any) -> bool:
    return isinstance(value, (str, bytes, list, tuple))


def _guarded_op(op: str, left: Any, right: Any) -> Any:
    """``**``, ``<<`` and ``*`` on values whose result would be huge are refused before C computes them."""
    if (
        op == "**"
        and isinstance(left, int)
        and isinstance(right, int)
        and right > 0
        and _bits(left) * right > MAX_BITS
        and abs(left) > 1
    ):
        raise _too_big(f"a number of about {_bits(left) * right:,} bits")
    if op == "<<" and isinstance(right, int) and _bits(left) + right > MAX_BITS:
        raise _too_big(f"a number of about {right:,} bits")
    if op == "*":
        for sequence, times in ((left, right), (right, left)):
            if _sized(sequence) and isinstance(times, int) and len(sequence) * times > MAX_SIZE:
                raise _too_big(f"{len(sequence) * times:,} items")
    return _OPERATORS[op](left, right)


_OPERATORS = {"**": operator.pow, "<<": operator.lshift, "*": operator.mul}
_GUARDED_OPS = {ast.Pow: "**", ast.LShift: "<<", ast.Mult: "*"}


#: The exceptions diagram code may catch: all below Exception, so the budget's stop signal cannot be caught.
CATCHABLE = frozenset(
    {
        "Exception",
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "IndexError",
        "KeyError",
        "LookupError",
        "NameError",
        "OverflowError",
        "TypeError",
        "ValueError",
        "ZeroDivisionError",
    }
)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, with ``a ** b``, ``a << b`` and ``a * b`` routed through :func:`_guarded_op`,
    and no code that could outlive a stopped run: ``finally`` blocks and handlers catching more than
    :data:`CATCHABLE` are refused."""

    def visit_Try(self, node: ast.Try) -> ast.AST:
        if node.finalbody:
            self.error(node, "'finally' is not allowed in diagram code")
        for handler in node.handlers:
            names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            if not all(isinstance(n, ast.Name) and n.id in CATCHABLE for n in names):
                self.error(handler, "diagram code may only catch named errors: " + ", ".join(sorted(CATCHABLE)))
        return self.node_contents_visit(node)

    def visit_TryStar(self, node: ast.AST) -> ast.AST:
        self.error(node, "'except*' is not allowed in diagram code")
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_op_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right], keywords=[]
        )
        for part in (call, call.func, call.args[0]):
            ast.copy_location(part, node)
        return call


def _limited_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SIZE:
        raise _too_big(f"a range of {len(result):,} numbers")
    return result


_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


def _getattr(obj: Any, name: str, *default: Any) -> Any:
    """RestrictedPython's safer getattr; padding a text is refused past the size limit."""
    found = safer_getattr(obj, name, *default)  # type: ignore[no-untyped-call]
    if isinstance(obj, str) and name in _PADDING:

        def padded(width: int = 8, *rest: Any) -> str:
            if isinstance(width, int) and width * (1 if name != "expandtabs" else obj.count("\t") + 1) > MAX_SIZE:
                raise _too_big(f"a text of {width:,} characters")
            return str(found(width, *rest))

        return padded
    return found


#: Names that are never callable from diagram code, reported at check time and absent at run time.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "exec",
        "eval",
        "compile",
        "__import__",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "delattr",
        "input",
        "breakpoint",
        "exit",
        "quit",
        "help",
        "memoryview",
        "type",
        "object",
        "super",
        "classmethod",
        "staticmethod",
        "property",
        "dir",
        "id",
        "hash",
    }
)

_EXTRA_BUILTINS = {
    "range": _limited_range,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "reversed": reversed,
    "enumerate": enumerate,
    "zip": zip,
    "list": list,
    "tuple": tuple,
    "dict": dict,
    "set": set,
    "map": map,
    "filter": filter,
}
_UNCATCHABLE = {"BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "__build_class__"}
_BUILTINS = {k: v for k, v in safe_builtins.items() if k not in FORBIDDEN_NAMES and k not in _UNCATCHABLE}
_BUILTINS.update(_EXTRA_BUILTINS)

_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "|=": operator.ior,
    "&=": operator.iand,
    ">>=": operator.irshift,
    "^=": operator.ixor,
}


def _inplace(op: str, left: Any, right: Any) -> Any:
    """``x op= y`` on a name (RestrictedPython routes it here), with the same limits as ``x op y``."""
    symbol = op[:-1]
    return _guarded_op(symbol, left, right) if symbol in _OPERATORS else _INPLACE[op](left, right)


_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": _getattr,
    "_op_": _guarded_op,
    "_getitem_": lambda obj, key: obj[key],
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplace,
    "_print_": PrintCollector,
}

_JSON_SCALARS = (str, int, float, bool, type(None))


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> CodeType:
    compile_ = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_(source, filename=DIAGRAM_CODE, policy=_Policy)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors))
    code: CodeType = result.code
    return code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task data are the globals; helpers cannot be shadowed by data; results must stay JSON."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], budget: Budget | None = None) -> None:
        super().__init__({**_GUARDS, **helpers})
        self.helpers = dict(helpers)
        self.budget = budget or Budget()

    def _namespace(self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        namespace = dict(context)
        namespace.update(external_context or {})
        namespace.update(self.globals)
        return namespace

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        code = _compile(expression.strip(), "eval")
        namespace = self._namespace(context, external_context)
        with self.budget.guard():
            return eval(code, namespace)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        code = _compile(script, "exec")
        namespace = self._namespace(context, external_context)
        with self.budget.guard():
            exec(code, namespace)
        reserved = set(self.globals) | set(external_context or {})
        result = {k: v for k, v in namespace.items() if k not in reserved and not k.startswith("_") and not callable(v)}
        for key, value in result.items():
            _require_json(key, value)
        context.clear()
        context.update(result)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> None:
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


def script_engine(helpers: Mapping[str, Callable[..., Any]], budget: Budget | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers, budget))


# -- static checks ----------------------------------------------------------------------------------------


def check_code(source: str, mode: str = "eval") -> list[str]:
    """Problems with a condition (mode ``eval``) or script (``exec``) that can be found without running it."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as exc:
        return [say("syntax error: %(problem)s (line %(line)s)", problem=exc.msg, line=exc.lineno)]
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            problems.append(say("line %(line)s: imports are not allowed in diagram code", line=node.lineno))
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            problems.append(
                say("line %(line)s: %(name)s is not available in diagram code", line=node.lineno, name=repr(node.id))
            )
        elif isinstance(node, ast.While) and _endless(node):
            problems.append(
                say(
                    "line %(line)s: this loop never ends (its condition is always true and nothing breaks out of it)",
                    line=node.lineno,
                )
            )
    if problems:
        return problems
    try:
        _compile(source.strip() if mode == "eval" else source, mode)
    except ScriptRejected as exc:
        return [str(exc)]
    return []


def _endless(loop: ast.While) -> bool:
    """A ``while`` whose condition is a true constant and whose body never breaks out or returns."""
    if not (isinstance(loop.test, ast.Constant) and loop.test.value):
        return False
    exits = [n for n in ast.walk(ast.Module(body=loop.body, type_ignores=[])) if isinstance(n, (ast.Break, ast.Return))]
    return not exits


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
        return [say('%(text)s is not an expression; quote ISO 8601 literals, e.g. "PT4H"', text=repr(text))]
    allowed = ", ".join(sorted(timer_helpers))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            if kind == "timeDuration":
                T.parse_iso_duration(node.value)
            elif kind == "timeCycle":
                T.parse_iso_recurring_interval(node.value)
            elif datetime.fromisoformat(node.value.replace("Z", "+00:00")).tzinfo is None:
                return [
                    say(
                        "%(value)s needs an explicit UTC offset, e.g. 2026-11-22T18:00:00+08:00", value=repr(node.value)
                    )
                ]
        except Exception:
            return [say("%(value)s is not a valid ISO 8601 %(kind)s", value=repr(node.value), kind=kind[4:].lower())]
        return []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in timer_helpers:
        if kind != "timeDate":
            return [say("calendar helpers return a date-time: use them in a timeDate timer, not %(kind)s", kind=kind)]
        arguments = list(node.args) + [k.value for k in node.keywords]
        for argument in arguments:
            if not isinstance(argument, (ast.Constant, ast.Name)):
                return [say("arguments of %(helper)s() must be literals or case data names", helper=node.func.id)]
        try:
            keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
            inspect.signature(timer_helpers[node.func.id]).bind(*node.args, **keywords)
        except TypeError as exc:
            return [say("%(helper)s(): %(problem)s", helper=node.func.id, problem=str(exc))]
        return []
    return [
        say(
            "timer %(text)s must be a quoted ISO 8601 literal or a call of one of: %(helpers)s",
            text=repr(text),
            helpers=allowed,
        )
    ]
