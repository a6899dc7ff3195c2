"""A case of a product preplan walked by data generated from its forms' JSON Schemas alone: each round completes
its first open step, or moves the clock just past the next deadline when no step is open."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from engine import clock
from engine.preplans.conventions import schema_file
from engine.preplans.examples import example_submission
from engine.preplans.package import load_package
from tests.flow import Flow

MAX_ROUNDS = 300


class Walk:
    def __init__(self, flow: Flow, folder: Path, choice: int) -> None:
        self.flow, self.choice = flow, choice
        self.package = load_package(folder)
        self.forms = {name: json.loads(data) for name, data in self.package.forms.items()}
        self.counted = set(self.package.manifest.get("counts", {}))  # left to the case history

    def start(self) -> int:
        start = self.forms[schema_file(self.package.manifest["start_form"])]
        return self.flow.start(self.package.key, example_submission(start, self.choice, leave_out=self.counted))

    def step(self, case: int, round_number: int) -> bool:
        """One round; False when the case is no longer running (nothing was done)."""
        flow = self.flow
        open_tasks = flow.open_tasks(case)  # a case that ended has none
        if open_tasks:
            task = open_tasks[0]
            form = self.forms[task["form"]] if task["form"] else None
            data = example_submission(form, self.choice + round_number, leave_out=self.counted) if form else {}
            flow.engine.complete(task["id"], data, user=flow.user_for(task["role"], task["unit"]))
            return True
        shown = flow.show(case)
        if shown["status"] != "running":
            return False
        timers = shown["timers"]
        assert timers, f"case stuck with no open task and no timer; data: {flow.data(case)}"
        next_due = min(clock.parse_instant(t["due_at"]) for t in timers)
        clock.fix(max(clock.now(), next_due) + timedelta(seconds=1))
        flow.fire()
        return True

    def to_end(self, case: int, first_round: int = 0) -> int:
        """Walk the case to its end; returns the rounds it took."""
        for round_number in range(first_round, MAX_ROUNDS):
            if not self.step(case, round_number):
                return round_number - first_round
        raise AssertionError(f"not completed after {MAX_ROUNDS} rounds: {self.flow.open_steps(case)}")
