"""Per-step cost against case length, on bench/loop (one human task done again and again).

growth = median cost of steps ``at-5 … at+5`` ÷ median of steps 5 … 15 (the first completion is step 1;
``at`` = 200 in a full run): 1.0 means a step costs the same however long the case is. The two windows are
measured interleaved, a long case's late steps alternating with a fresh case's early ones, so the machine's noise
falls on both alike. Raw SpiffWorkflow runs the same loop in memory: its own task-tree walks grow with the tree,
and its growth is the floor the engine's is judged against.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from engine.service import Engine
from engine.time.calendar import WorkCalendar

from .scenario import Meter, Prepared, Steps, engine_step, raw_step, raw_workflow

LOOP = Path(__file__).resolve().parent / "loop"
EARLY = range(5, 16)
HALF = len(EARLY) // 2
Case = TypeVar("Case")


@dataclass(frozen=True)
class Growth:
    early: Steps = field(default_factory=Steps)
    late: Steps = field(default_factory=Steps)

    @property
    def ratio(self) -> float:
        return statistics.median(self.late.seconds) / statistics.median(self.early.seconds)


def _measure(new: Callable[[], Case], advance: Callable[[Case, Steps], None], at: int, cases: int) -> Growth:
    growth = Growth()
    for _ in range(cases):
        long_case, fresh = new(), new()
        for _ in range(at - HALF - 1):
            advance(long_case, Steps())
        for _ in range(EARLY.start - 1):
            advance(fresh, Steps())
        for _ in EARLY:
            advance(long_case, growth.late)
            advance(fresh, growth.early)
    return growth


def _start(at: int) -> dict[str, Any]:
    return {"rounds": at + 2 * HALF}  # the case is still running after its last measured step


def raw(loop: Prepared, calendar: WorkCalendar, at: int, cases: int) -> Growth:
    def advance(workflow: Any, into: Steps) -> None:
        seconds = raw_step(workflow, loop.forms)
        assert seconds is not None, "the loop ended early"
        into.seconds.append(seconds)

    return _measure(lambda: raw_workflow(loop.parsed, _start(at), calendar), advance, at, cases)


def engine(service: Engine, meter: Meter, loop: Prepared, at: int, cases: int) -> Growth:
    clerk = f"bench_{next(iter(loop.package.manifest['roles']))}"

    def advance(case: int, into: Steps) -> None:
        assert engine_step(service, meter, case, loop.forms, lambda _: clerk, into), "the loop ended early"

    return _measure(lambda: int(service.start(loop.package.key, _start(at))["case"]), advance, at, cases)
