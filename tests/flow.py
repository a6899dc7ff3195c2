"""Scenario driver for tests: deploy, start, complete steps by BPMN id, move the fixed clock, fire timers.

Steps are addressed by their BPMN ids, so a scenario reads like the diagram. Completing a step without naming
a user creates (once) a user holding the step's role.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm import undefer

from engine import clock
from engine.cases import storage
from engine.cases.views import case_view, find_case, list_tasks
from engine.people.users import add_user
from engine.preplans.deploy import deploy
from engine.preplans.package import load_package
from engine.preplans.spec import task_document, workflow_document
from engine.service import Engine
from engine.store.models import ROOT_UNIT, Case

ROOT = Path(__file__).resolve().parent.parent


class Flow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._users: dict[tuple[str, str], str] = {}

    # -- set-up ---------------------------------------------------------------------------------------------
    def deploy(self, path: str | Path) -> dict[str, Any]:
        path = Path(path)
        return deploy(self.engine.db, load_package(path if path.is_absolute() else ROOT / path))

    def ready(self, path: str | Path, when: str) -> Flow:
        """Deploy one preplan and fix the clock: the starting point of its scenarios."""
        self.deploy(path)
        self.at(when)
        return self

    def user(self, name: str, *roles: str, email: str | None = None, unit: str | None = None) -> str:
        with self.engine.db.write() as session:
            add_user(session, name, list(roles), password="pw", email=email, unit=unit)
        return name

    def user_for(self, role: str, unit: str = ROOT_UNIT) -> str:
        """A user holding ``role`` in ``unit``: a candidate of the tasks of that role routed there."""
        if (role, unit) not in self._users:
            name = f"{role}_user" if unit == ROOT_UNIT else f"{role}_{unit}_user"
            self._users[role, unit] = self.user(name, role, unit=unit)
        return self._users[role, unit]

    def unit(self, key: str, name: str, *, parent: str | None = None, kind: str | None = None) -> str:
        self.engine.add_unit(key, name, parent=parent, kind=kind)
        return key

    # -- time -----------------------------------------------------------------------------------------------
    def at(self, when: str) -> None:
        clock.fix(clock.parse_instant(when))

    def advance(self, **delta: float) -> int:
        """Move the fixed clock and fire what came due; returns how many timers fired."""
        clock.advance(timedelta(**delta))
        return self.fire()

    def fire(self) -> int:
        return self.engine.run_due()

    # -- cases ----------------------------------------------------------------------------------------------
    def start(
        self,
        key: str,
        data: dict[str, Any],
        *,
        user: str | None = None,
        drill: bool = False,
        unit: str | None = None,
        corrections: dict[str, str] | None = None,
    ) -> int:
        return self.engine.start(key, data, user=user, drill=drill, unit=unit, corrections=corrections)["case"]

    def show(self, case: int) -> dict[str, Any]:
        with self.engine.db.read() as session:
            return case_view(session, find_case(session, case), self.engine.tz)

    def data(self, case: int) -> dict[str, Any]:
        return self.show(case)["data"]

    def status(self, case: int) -> str:
        return self.show(case)["status"]

    def open_tasks(self, case: int) -> list[dict[str, Any]]:
        with self.engine.db.read() as session:
            return list_tasks(session, self.engine.tz, case_id=case)

    def open_steps(self, case: int) -> list[str]:
        return sorted(t["bpmn_id"] for t in self.open_tasks(case))

    def timers(self, case: int) -> list[str]:
        return sorted(t["bpmn_id"] for t in self.show(case)["timers"])

    def task(self, case: int, bpmn_id: str) -> dict[str, Any]:
        matches = [t for t in self.open_tasks(case) if t["bpmn_id"] == bpmn_id]
        assert len(matches) == 1, f"expected one open {bpmn_id}; open steps: {self.open_steps(case)}"
        return matches[0]

    def complete(
        self,
        case: int,
        bpmn_id: str,
        data: dict[str, Any] | None = None,
        *,
        user: str | None = None,
        corrections: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Complete the open step ``bpmn_id`` (as a candidate of it unless ``user`` is named)."""
        task = self.task(case, bpmn_id)
        return self.engine.complete(
            task["id"], data or {}, user=user or self.user_for(task["role"], task["unit"]), corrections=corrections
        )

    def only_step(self, case: int, bpmn_id: str, data: dict[str, Any], role: str, due_at: str | None = None) -> None:
        """Assert ``bpmn_id`` is the case's only open step, owed by ``role`` with ``due_at``, then complete it."""
        assert self.open_steps(case) == [bpmn_id]
        task = self.task(case, bpmn_id)
        assert (task["role"], task["due_at"]) == (role, due_at), bpmn_id
        self.complete(case, bpmn_id, data)

    def instances(self, case: int, bpmn_id: str) -> list[dict[str, Any]]:
        """The open instances of a step (several for a multi-instance step), in creation order."""
        return [t for t in self.open_tasks(case) if t["bpmn_id"] == bpmn_id]

    def complete_each(self, case: int, bpmn_id: str, submissions: list[dict[str, Any]]) -> None:
        """Complete every open instance of a multi-instance step, each with its own submission."""
        tasks = self.instances(case, bpmn_id)
        assert len(tasks) == len(submissions), f"{bpmn_id}: {len(tasks)} instances open"
        for task, data in zip(tasks, submissions, strict=False):
            self.engine.complete(task["id"], data, user=self.user_for(task["role"], task["unit"]))

    def events(self, case: int, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.show(case)["events"] if kind is None or e["kind"] == kind]

    def fired(self, case: int) -> list[str]:
        return [e["details"]["bpmn_id"] for e in self.events(case, "timer_fired")]

    def page(self, user: str, url: str) -> str:
        """The HTML a logged-in user sees at ``url`` (Chinese), through the real Flask app on this database."""
        from web import create_app

        client = create_app(self.engine.settings, testing=True).test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        client.post("/login", data={"username": user, "password": "pw", "csrf_token": token})
        return client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def assert_rows_restore_the_live_workflow(engine: Engine, case_id: int) -> None:
    """The workflow restored from the stored rows is the one the engine keeps alive after the step: the rows
    written for what changed lose nothing."""
    with engine.db.read() as session:
        case = session.get_one(Case, case_id, options=[undefer(Case.state)])
        live = engine.live.take(case.id, case.revision)
        assert live is not None, "the step's workflow is kept alive at the case's revision"
        process = engine.versions.info(session, case.version_id).manifest.duty_process(case.duty)
        parsed = engine.versions.spec(session, case.version_id, process)
        restored, stored = storage.load(session, case, parsed, dict)
    assert workflow_documents(restored) == workflow_documents(live.workflow)
    assert stored.size == live.stored.size
    engine.live.keep(case_id, live)


def workflow_documents(workflow: BpmnWorkflow) -> tuple[dict[str, Any], dict[str, Any]]:
    """Everything stored of a workflow: each task's document and the workflow-level one."""
    tasks = {}
    for process in (workflow, *workflow.subprocesses.values()):
        tasks.update((str(task.id), task_document(task)) for task in process.tasks.values())
    return tasks, workflow_document(workflow)
