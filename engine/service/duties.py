"""The periodic duties of the preplans (``[duties]``): the sweep that starts each period's duty case once, and
the stored reports as each person may read them.

A period starts once whatever happens: its ``duty_report`` row (unique per preplan, duty, unit, period and
version) is written in the transaction that starts its case, so a second worker sweeping at the same moment fails
on that key and leaves it, and the newest period started per duty and unit is the marker the next sweep continues
from. After downtime every period that opened meanwhile starts, oldest first: each is a report of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.cases import duties
from engine.cases.keys import next_business_key
from engine.cases.report_exports import figure_table, ledger_tables
from engine.cases.sight import Sight
from engine.errors import Conflict, NotFound, say
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.preplans.catalog import VersionInfo
from engine.preplans.manifest import Manifest
from engine.service.base import OPERATOR, SYSTEM_ACTOR, ServiceBase
from engine.store import audit
from engine.store.models import ROOT_UNIT, Case, DutyReport, Preplan, PreplanVersion
from engine.tabular import Table
from engine.time.calendar import WorkCalendar
from engine.time.calendar_store import load_calendar
from engine.time.periods import DutyPeriod, due_at, opened_since, opens_at, parse_label

#: A period whose duty case is to start: preplan, duty, unit, period.
Pending = tuple[str, str, str, DutyPeriod]


class DutyOperations(ServiceBase):
    def run_duties(self) -> list[dict[str, Any]]:
        """Mark reports past due ``overdue`` and start the duty case of every period that has opened since the
        last one started (each missed period once); returns what this sweep started."""
        with self.db.write() as session:
            duties.mark_overdue(session)
        with self.db.read() as session:
            pending = list(self._pending(session, clock.now()))
        started = []
        for key, kind, unit, period in pending:
            found = self._start_duty(key, kind, unit, period)
            if found is not None:
                started.append(found)
        return started

    def _pending(self, session: Session, now: datetime) -> Iterator[Pending]:
        calendar = load_calendar(session, self.settings)
        org = Org.load(session)
        markers = {
            (key, kind, unit): (period, opened)
            for key, kind, unit, period, opened in session.execute(
                select(
                    DutyReport.preplan_key,
                    DutyReport.kind,
                    DutyReport.unit_key,
                    func.max(DutyReport.period),
                    func.max(DutyReport.opens_at),
                ).group_by(DutyReport.preplan_key, DutyReport.kind, DutyReport.unit_key)
            )
        }
        keys = session.scalars(
            select(Preplan.key).join(PreplanVersion).where(PreplanVersion.status == "active").distinct()
        )
        for key in sorted(keys):
            manifest = self.versions.newest(session, key).manifest
            for kind, duty in manifest.duties.items():
                units = _duty_units(org, str(duty["unit"]))
                first: date | None = None
                for unit in units:
                    marker = markers.get((key, kind, unit))
                    if marker is None:
                        first = first or self._declared_on(session, key, kind, calendar)
                        after, since = None, first
                    else:
                        label, opened = marker
                        after = _period_named(str(duty["period"]), label, calendar)
                        since = opened.astimezone(calendar.tz).date()
                    for period in opened_since(duty["period"], after, since, now, calendar):
                        yield key, kind, unit, period

    def _declared_on(self, session: Session, key: str, kind: str, calendar: WorkCalendar) -> date:
        """The day the first version of ``key`` that declares duty ``kind`` was deployed."""
        for deployed_at, manifest in session.execute(
            select(PreplanVersion.deployed_at, PreplanVersion.manifest)
            .join(Preplan)
            .where(Preplan.key == key)
            .order_by(PreplanVersion.number)
        ):
            if kind in (manifest or {}).get("duties", {}):
                day: date = deployed_at.astimezone(calendar.tz).date()
                return day
        raise AssertionError("the newest version declares the duty")

    def _start_duty(self, key: str, kind: str, unit: str, period: DutyPeriod) -> dict[str, Any] | None:
        """Start one period's duty case with its report compiled; None when another worker started it first."""
        try:
            with self.db.write() as session:
                version = self.versions.newest(session, key)
                duty = version.manifest.duties[kind]
                calendar = load_calendar(session, self.settings)
                report = DutyReport(
                    preplan_key=key,
                    kind=kind,
                    period=period.label,
                    starts_on=period.start,
                    ends_on=period.end,
                    unit_key=unit,
                    version=1,
                    status="open",
                    opens_at=opens_at(period, calendar),
                    due_at=due_at(period, str(duty["due"]), calendar),
                    figures={},
                )
                session.add(report)
                session.flush()  # the unique key: a period starts once
                self._open_case(session, version, duty, report, period)
                return duties.row(report, self.tz)
        except IntegrityError:
            return None

    def _open_case(
        self, session: Session, version: VersionInfo, duty: Mapping[str, Any], report: DutyReport, period: DutyPeriod
    ) -> None:
        sight = Sight(session, self.versions, None)
        report.figures = duties.compile_report(
            session, sight, self.tz, version.preplan_key, duty, report.unit_key, period
        )
        data = duties.case_data(duty, period, report.due_at, report.id, report.figures, self.tz)
        now = clock.now()
        case = Case(
            version_id=version.id,
            business_key=next_business_key(session, duties.KEY_PREFIX, now, self.tz),
            title=f"{duty['title']['zh']}（{period.label}）",
            status="running",
            is_drill=False,
            clock_offset_seconds=0.0,
            state={},
            data=data,
            started_by=SYSTEM_ACTOR,
            started_at=now,
            updated_at=now,
            unit_key=report.unit_key,
            duty=report.kind,
        )
        session.add(case)
        session.flush()
        report.case_id = case.id
        audit.record(
            session,
            case.id,
            SYSTEM_ACTOR,
            "started",
            preplan=version.preplan_key,
            version=version.number,
            duty=report.kind,
            period=period.label,
            unit=report.unit_key,
        )
        self.first_run(session, case, str(duty["process"]), sight.org, SYSTEM_ACTOR)

    def reopen_duty_report(self, report_id: int, *, user: str | None = None) -> dict[str, Any]:
        """Open a submitted report again for its period (a supervisor of its unit finds it wrong or incomplete): the
        next version, compiled again from the cases as they are now, in a new duty case for its owner, due one working
        day later."""
        with self.db.write() as session:
            found = session.get(DutyReport, report_id)
            if found is None or not self._reader(session, user)(found):
                raise NotFound(say("no report %(report)s", report=report_id))
            org = Org.load(session)
            actor = self.acting(session, user, lambda u: access.require_supervisor_of(u, found.unit_key, org), OPERATOR)
            newest = session.scalar(
                select(func.max(DutyReport.version)).where(
                    DutyReport.preplan_key == found.preplan_key,
                    DutyReport.kind == found.kind,
                    DutyReport.unit_key == found.unit_key,
                    DutyReport.period == found.period,
                )
            )
            if found.status != "submitted" or found.version != newest:
                raise Conflict(say("only the newest submitted version of a report can be opened again"))
            version = self.versions.newest(session, found.preplan_key)
            duty = version.manifest.duties.get(found.kind)
            if duty is None:
                raise Conflict(say("the preplan no longer has this duty"))
            calendar = load_calendar(session, self.settings)
            period = parse_label(str(duty["period"]), found.period, calendar)
            report = DutyReport(
                preplan_key=found.preplan_key,
                kind=found.kind,
                period=found.period,
                starts_on=found.starts_on,
                ends_on=found.ends_on,
                unit_key=found.unit_key,
                version=found.version + 1,
                status="open",
                opens_at=clock.now(),
                due_at=calendar.working_days(1, clock.now()),
                figures={},
            )
            session.add(report)
            session.flush()
            audit.record(session, found.case_id, actor, "report_reopened", report=found.id, version=report.version)
            self._open_case(session, version, duty, report, period)
            return {**duties.row(report, self.tz), "version": report.version}

    # -- reading -----------------------------------------------------------------------------------------------
    def duty_reports(self, *, preplan: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """The stored reports ``user`` may read (None: the operator of the command line reads all), newest period
        first: the fields of :func:`engine.cases.duties.row`, then the report's title, unit and version."""
        with self.db.read() as session:
            statement = select(DutyReport).order_by(DutyReport.opens_at.desc(), DutyReport.id.desc())
            if preplan is not None:
                statement = statement.where(DutyReport.preplan_key == preplan)
            readable, org = self._reader(session, user), Org.load(session)
            return [
                {
                    **duties.row(r, self.tz),
                    "title": dict(self._duty(session, r)["title"]),
                    "unit_name": org.name(r.unit_key) if r.unit_key in org else r.unit_key,
                    "version": r.version,
                }
                for r in session.scalars(statement)
                if readable(r)
            ]

    def duty_report(self, report_id: int, *, user: str | None = None) -> dict[str, Any]:
        """One report whole; one the user may not read is not found."""
        with self.db.read() as session:
            found = session.get(DutyReport, report_id)
            if found is None or not self._reader(session, user)(found):
                raise NotFound(say("no report %(report)s", report=report_id))
            return duties.detail(found, self._duty(session, found), Org.load(session), self.tz)

    def duty_report_tables(self, report_id: int, *, user: str | None = None) -> list[Table]:
        """A report's figures as tables to download (CSV, Excel), read by the same rule as :meth:`duty_report`."""
        found = self.duty_report(report_id, user=user)
        with self.db.read() as session:
            manifest = self.versions.newest(session, found["preplan"], active=False).manifest
        if manifest.duties.get(found["kind"], {}).get("compile") == "ledger":
            return ledger_tables(found["figures"], manifest)
        return [figure_table([found["figures"]], {found["preplan"]: manifest})]

    def _duty(self, session: Session, report: DutyReport) -> Mapping[str, Any]:
        """The duty's table as its preplan's newest version declares it (a title of its own when it was dropped),
        read once per preplan in a transaction."""
        read: dict[str, Manifest] = session.info.setdefault("duty_manifests", {})
        if report.preplan_key not in read:
            read[report.preplan_key] = self.versions.newest(session, report.preplan_key, active=False).manifest
        return read[report.preplan_key].duties.get(report.kind) or {"title": {"zh": report.kind, "en": report.kind}}

    def _reader(self, session: Session, user: str | None) -> Any:
        if user is None:
            return lambda report: True
        person, org = get_user(session, user), Org.load(session)
        return lambda report: access.may_read_report(
            person, report.unit_key, duties.readers(self._duty(session, report)), org
        )


def _duty_units(org: Org, kind: str) -> list[str]:
    """Where a duty runs: each unit of its kind; the root (a company until the organisation is entered) only when
    no other unit is of that kind, so a company added under it takes its duties over."""
    units = sorted(key for key, info in org.units.items() if info.kind == kind)
    return [key for key in units if key != ROOT_UNIT] or [ROOT_UNIT]


def _period_named(kind: str, label: str, calendar: WorkCalendar) -> DutyPeriod | None:
    """The last period started, or None when a newer version changed the duty's period (a label of another kind of
    period): the duty then goes on with the period holding the day its last report opened."""
    try:
        return parse_label(kind, label, calendar)
    except ValueError:
        return None
