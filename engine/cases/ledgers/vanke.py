"""Vanke's quarterly appraisal of its customer-service specialists (萬科投訴處理辦法 4.1.6, source 003 line 42:
"根據有效投訴的處理結果統計以投訴關閉率為基本指標對各客服專員的工作情況進行評比"): per specialist and quarter, the
valid complaints they took, how many of them are closed, and the closure rate (投诉关闭率).

Choices where the text is silent (processes/vanke_complaint/README.md, "Appraisal ledger"):

* a complaint belongs to the quarter its case was registered in;
* it is valid when its recorded ``validity`` is 有效 (投诉定性 4.1.1.1, or the CSC's 定性答复 4.1.1.2);
* it is the specialist's who completed 投诉定性 (the step by which a specialist takes a complaint on);
* it is closed when its handling result was 处理完毕 (落实处理并答复客户) before the quarter ended: the appraisal
  is by "處理結果", and the case's 结案 also waits for the CSC's notices and reports, which are not the
  specialist's work.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.ledgers.period import Period, completed_steps, real_cases, ref
from engine.cases.sight import Sight

PREPLAN = "vanke_complaint"
ASSESS, RESOLVE = "Task_Assess", "Task_Resolve"


def ledger(session: Session, sight: Sight, tz: tzinfo, year: int, quarters: range) -> dict[str, Any]:
    periods = [Period(year, 3 * q - 2, 3 * q, tz) for q in quarters]
    cases = real_cases(sight, PREPLAN, periods[0].start, periods[-1].end)
    taken = {step.case_id: step.completed_by for step in completed_steps(session, cases, ASSESS)}
    resolved: dict[int, Any] = {}
    for step in completed_steps(session, cases, RESOLVE):
        if (step.data or {}).get("outcome") == "resolved":
            resolved.setdefault(step.case_id, step.completed_at)
    rows = [r for r in session.execute(cases) if (r.data or {}).get("validity") == "valid" and taken.get(r.id)]
    return {
        "preplan": PREPLAN,
        "year": year,
        "quarter": quarters.start if len(quarters) == 1 else None,
        "quarters": [
            {
                "quarter": q,
                **period.as_json(),
                "specialists": _specialists(
                    [r for r in rows if period.contains(r.started_at)], taken, resolved, period
                ),
            }
            for q, period in zip(quarters, periods, strict=True)
        ],
    }


def _specialists(
    rows: list[Any], taken: dict[int, Any], resolved: dict[int, Any], period: Period
) -> list[dict[str, Any]]:
    lines = []
    for specialist in sorted({taken[r.id] for r in rows}):
        own = [r for r in rows if taken[r.id] == specialist]
        closed = [r for r in own if r.id in resolved and resolved[r.id] < period.end]
        closed_ids = {r.id for r in closed}
        still_open = [r for r in own if r.id not in closed_ids]
        lines.append(
            {
                "specialist": specialist,
                "valid": {"value": len(own), "cases": [ref(r) for r in own]},
                "closed": {"value": len(closed), "cases": [ref(r) for r in closed]},
                "open": {"value": len(still_open), "cases": [ref(r) for r in still_open]},
                "closure_rate": round(len(closed) / len(own), 4),
            }
        )
    return lines
