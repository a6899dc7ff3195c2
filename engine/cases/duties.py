"""The reports of the periodic duties (``[duties]`` of a preplan): compiled from the period's complaints when the
duty's case starts, filed when its owner submits the task, mailed to the roles the source names, and read as one
row of ``duty_report`` each.

A duty's case is not a complaint: figures, statistics, ledgers and counts leave out every case with a ``duty``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.cases import figures, ledgers
from engine.cases.sight import Sight
from engine.config import Settings
from engine.notify import notices
from engine.people.org import Org
from engine.people.users import holders
from engine.store.models import Case, DutyReport, User
from engine.time.periods import DutyPeriod
from engine.timefmt import iso

#: Business keys of the duties' cases: 报告 (BG-20261009-0001), apart from the complaints' own prefixes.
KEY_PREFIX = "BG"


def compile_report(
    session: Session, sight: Sight, tz: tzinfo, preplan: str, duty: Mapping[str, Any], unit: str, period: DutyPeriod
) -> dict[str, Any]:
    """The figures of the period's complaints in ``unit`` and below (``compile = "figures"``), or the preplan's
    appraisal ledger for the period's month or quarter (``compile = "ledger"``)."""
    if duty["compile"] == "ledger":
        part = period.start.month if period.kind == "month" else (period.start.month + 2) // 3
        return ledgers.compute(session, sight, tz, preplan, period.start.year, part)
    span = figures.Period(period.start, period.end, tz)
    found = figures.figures(session, sight, span, preplan=preplan, units=sight.org.below([unit]))
    if found:
        return found[0]
    title = sight.versions.newest(session, preplan, active=False).manifest.title
    return figures.empty(span, preplan, dict(title))


def readers(duty: Mapping[str, Any]) -> frozenset[str]:
    """The roles that read a duty's reports besides supervisors and admins: its readers and its recipients."""
    return frozenset(duty.get("readers", [])) | frozenset(duty.get("mail", []))


def mark_overdue(session: Session) -> int:
    """Reports still open after their due time are ``overdue``; returns how many changed."""
    changed = session.execute(
        update(DutyReport)
        .where(DutyReport.status == "open", DutyReport.due_at < clock.real_now())
        .values(status="overdue")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(changed, "rowcount", 0) or 0)


def file_report(session: Session, settings: Settings, case: Case, actor: str, duty: Mapping[str, Any]) -> None:
    """The duty's case ended: its owner submitted the report. The report keeps the comments and who submitted it,
    and the roles the duty names in its unit are told (inbox and, where mail is set up, e-mail)."""
    report = session.scalars(select(DutyReport).where(DutyReport.case_id == case.id)).one_or_none()
    if report is None:
        return
    report.status, report.submitted_by, report.submitted_at = "submitted", actor, clock.real_now()
    report.comments = str(case.data.get("comments") or "") or None
    users: dict[str, User] = {}
    for role in duty.get("mail", []):
        users.update((user.name, user) for user in holders(session, role, report.unit_key))
    values = {"title": str(duty["title"]["zh"]), "period": report.period, "by": actor}
    notices.send_report(session, settings, users.values(), case, report.id, values)


def row(report: DutyReport, tz: tzinfo) -> dict[str, Any]:
    """A report as lists show it (the fields of ``preplan reports list --json``)."""
    return {
        "id": report.id,
        "preplan": report.preplan_key,
        "kind": report.kind,
        "period": report.period,
        "status": report.status,
        "due_at": iso(report.due_at, tz),
    }


def detail(report: DutyReport, duty: Mapping[str, Any], org: Org, tz: tzinfo) -> dict[str, Any]:
    """A report whole: its row, title, unit, version, case, figures and what its owner wrote."""
    return {
        **row(report, tz),
        "title": dict(duty["title"]),
        "unit": report.unit_key,
        "unit_name": org.name(report.unit_key) if report.unit_key in org else report.unit_key,
        "version": report.version,
        "from": report.starts_on.isoformat(),
        "to": report.ends_on.isoformat(),
        "case": report.case_id,
        "opens_at": iso(report.opens_at, tz),
        "figures": report.figures,
        "comments": report.comments,
        "submitted_by": report.submitted_by,
        "submitted_at": iso(report.submitted_at, tz),
    }


def case_data(
    duty: Mapping[str, Any], period: DutyPeriod, due: datetime, report_id: int, compiled: dict[str, Any], tz: tzinfo
) -> dict[str, Any]:
    """What a duty's case starts with: its instructions read these."""
    return {
        "duty_title": duty["title"]["zh"],
        "period": period.label,
        "period_from": period.start.isoformat(),
        "period_to": period.end.isoformat(),
        "due_at": iso(due, tz),
        "report_id": report_id,
        "report": compiled,
    }
