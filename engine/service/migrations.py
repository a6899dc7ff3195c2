"""Moving running cases onto a newer version of their preplan (admins). Each case moves in its own transaction on
its locked row, so a refusal or a failure of one case stops no other; a preview (``dry_run``) moves each case and
rolls it back, so it reports exactly what a migration would do and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import inputs
from engine.cases import migration
from engine.cases.migration import Plan
from engine.cases.run import CaseRun
from engine.cases.views import find_case
from engine.errors import Conflict, PreplanError, Text, ValidationFailed, say
from engine.people import access
from engine.preplans.catalog import VersionInfo
from engine.preplans.history import find_version
from engine.service.base import OPERATOR, ServiceBase
from engine.store import audit
from engine.store.models import Case, Preplan, PreplanVersion
from engine.store.records import lock_case

log = logging.getLogger(__name__)


class _Preview(Exception):
    """Rolls back the transaction of a case that was only previewed (or refused), carrying its plan."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan


class MigrationOperations(ServiceBase):
    def migrate_cases(
        self,
        key: str,
        to: int,
        *,
        from_: int | None = None,
        cases: Sequence[str | int] | None = None,
        dry_run: bool = False,
        mapping: Mapping[str, str] | None = None,
        note: str | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Move the running cases of ``key`` on versions older than ``to`` (only ``from_``, or only ``cases``: ids
        or business keys) onto version ``to``. ``mapping``: OLD_BPMN_ID -> NEW_BPMN_ID for open steps the new
        version removed. Returns ``{"cases": [{"case" (its business key), "id", "from", "to", "safe", "reason",
        "reset", "cancelled", "status", "mapped", "deadlines", "unmatched"}]}``, ``status`` being ``migrated``, ``planned`` (a safe case of a dry
        run) or ``refused`` (with the reason)."""
        note = inputs.optional_note(note, "note", say("a note"))
        mapping = dict(mapping or {})
        with self.db.read() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            version = find_version(session, key, to)
            if version.status != "active":
                raise Conflict(
                    say(
                        "%(preplan)s v%(number)s is retired: reactivate it before moving cases onto it",
                        preplan=key,
                        number=to,
                    )
                )
            target = self.versions.info(session, version.id)
            unknown = migration.unknown_steps(self.versions.spec(session, version.id), set(mapping.values()))
            if unknown:
                raise ValidationFailed(
                    say("version %(to)s has no step %(steps)s", to=to, steps="、".join(sorted(unknown))),
                    {"map": "names a step the new version does not have"},
                )
            chosen = [find_case(session, ref).id for ref in cases] if cases else _running(session, key, to, from_)
            self._require_steps(session, chosen, set(mapping))
        return {"cases": [self._migrate_one(case_id, target, mapping, note, actor, dry_run) for case_id in chosen]}

    def _require_steps(self, session: Session, chosen: list[int], old_ids: set[str]) -> None:
        """Refuse a mapping from a step that no chosen case's version has (a typing mistake would map nothing)."""
        unknown = set(old_ids)
        for version_id in set(session.scalars(select(Case.version_id).where(Case.id.in_(chosen)))):
            unknown &= migration.unknown_steps(self.versions.spec(session, version_id), old_ids)
        if unknown:
            raise ValidationFailed(
                say("no case to move has a step %(steps)s", steps="、".join(sorted(unknown))),
                {"map": "names a step the cases' versions do not have"},
            )

    def _migrate_one(
        self,
        case_id: int,
        target: VersionInfo,
        mapping: Mapping[str, str],
        note: str | None,
        actor: str,
        dry_run: bool,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"case": str(case_id), "id": case_id, "from": None, "to": target.number}
        try:
            with self.db.write() as session:
                case = lock_case(session, case_id)
                assert case is not None, "a chosen case exists"
                source = self.versions.info(session, case.version_id)
                entry.update(case=case.business_key, **{"from": source.number})
                refusal = _refusal(case, source, target)
                if refusal is not None:
                    raise _Preview(Plan(refusal))
                with CaseRun(self.context, session, case) as run:
                    spec = self.versions.spec(session, target.id, target.manifest.duty_process(case.duty))
                    plan = migration.migrate(run, target, spec, mapping)
                    if dry_run or not plan.safe:
                        raise _Preview(plan)
                    audit.record(
                        session,
                        case.id,
                        actor,
                        "migrated",
                        before=source.number,
                        version=target.number,
                        reason=note,
                        reset=plan.reset,
                        cancelled=plan.cancelled,
                        deadlines=plan.deadlines,
                    )
                    run.save(actor)
            return _entry(entry, plan, "migrated")
        except _Preview as preview:
            return _entry(entry, preview.plan, "planned" if preview.plan.safe else "refused")
        except PreplanError as exc:
            return _entry(entry, Plan(exc.message), "refused")
        except Exception as exc:  # a fault in one case is its refusal; the others still move
            log.exception("case %s: not migrated", case_id)
            failure = say("the migration failed (%(error)s); nothing was changed", error=type(exc).__name__)
            return _entry(entry, Plan(failure), "refused")


def _running(session: Session, key: str, to: int, from_: int | None) -> list[int]:
    """The running cases of ``key`` on a version older than ``to`` (or on ``from_`` only), oldest first."""
    statement = (
        select(Case.id)
        .join(PreplanVersion, PreplanVersion.id == Case.version_id)
        .join(Preplan)
        .where(Preplan.key == key, Case.status == "running", ~Case.is_trial, PreplanVersion.number < to)
        .order_by(Case.id)
    )
    if from_ is not None:
        statement = statement.where(PreplanVersion.number == from_)
    return list(session.scalars(statement))


def _refusal(case: Case, source: VersionInfo, target: VersionInfo) -> Text | None:
    if source.preplan_key != target.preplan_key:
        return say("case %(case)s is a case of %(preplan)s", case=case.business_key, preplan=source.preplan_key)
    if case.is_trial:
        return say("case %(case)s is a trial of a draft; it is never moved", case=case.business_key)
    if case.duty is not None and case.duty not in target.manifest.duties:
        return say(
            "case %(case)s runs the duty %(duty)s, which v%(to)s no longer has",
            case=case.business_key,
            duty=case.duty,
            to=target.number,
        )
    if case.status != "running":
        return say("case %(case)s is not running; only running cases move", case=case.business_key)
    if source.number >= target.number:
        return say(
            "case %(case)s is on v%(from)s already; it only moves to a newer version",
            case=case.business_key,
            **{"from": source.number},
        )
    return None


def _entry(entry: dict[str, Any], plan: Plan, status: str) -> dict[str, Any]:
    return {
        **entry,
        "safe": plan.safe,
        "reason": plan.reason,
        "reset": plan.reset,
        "cancelled": plan.cancelled,
        "status": status,
        "mapped": plan.mapped,
        "deadlines": plan.deadlines,
        "unmatched": plan.unmatched,
    }
