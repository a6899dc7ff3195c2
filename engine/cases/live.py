"""Workflows kept alive between operations, so a step on a case this process touched last skips reading and
restoring it.

An entry is keyed by case and revision: the case row's revision rises with every save, so an entry is used only
when no other process (or failed operation) wrote the case since. An operation takes its entry out (nobody else
can use a workflow it is changing) and puts it back only once its transaction has committed; an operation that
fails simply never puts it back. Bounded by count and by stored size, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.cases.projection import TimerRows
from engine.cases.storage import Stored


@dataclass(frozen=True)
class Live:
    revision: int
    workflow: BpmnWorkflow
    stored: Stored
    timers: TimerRows  # the case's timer rows as the save wrote them


class LiveCases:
    """Thread-safe: the threads of one web process share it."""

    def __init__(self, max_cases: int, max_bytes: int) -> None:
        self.max_cases, self.max_bytes = max_cases, max_bytes
        self._entries: OrderedDict[int, Live] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, case_id: int, revision: int) -> Live | None:
        """The case's workflow at ``revision``, removed from the cache; None when it is not here at that revision."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None:
                self._bytes -= entry.stored.size
            if entry is None or entry.revision != revision:
                self.misses += 1
                return None
            self.hits += 1
            return entry

    def keep(self, case_id: int, entry: Live) -> None:
        """Keep a workflow as saved at ``entry.revision`` (call once its transaction has committed)."""
        if self.max_cases == 0 or entry.stored.size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(case_id, None)
            if old is not None:
                self._bytes -= old.stored.size
            self._entries[case_id] = entry
            self._bytes += entry.stored.size
            while len(self._entries) > self.max_cases or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.stored.size

    def __len__(self) -> int:
        return len(self._entries)
