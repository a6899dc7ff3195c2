"""Events into running cases: a message to one case (named, or found by a correlation) and a signal to every case
of a preplan that waits for it. Each delivery is one transaction on one locked case, checks its access rule
(:func:`engine.people.access.may_tell`) first and is audited as ``message_received``; a case that does not wait
for the event (and has no event sub-process it starts) is refused and nothing changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import inputs
from engine.cases import events
from engine.cases.correlation import correlated_case
from engine.cases.run import CaseRun
from engine.cases.views import find_case
from engine.errors import Conflict, NotFound, PreplanError, ValidationFailed, say
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.service.base import SYSTEM_ACTOR, ServiceBase
from engine.store import audit
from engine.store.models import Case, Preplan, PreplanVersion, Task, User
from engine.store.records import lock_case


class MessageOperations(ServiceBase):
    def send_message(
        self, case_ref: str | int, name: str, data: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """Deliver the message ``name`` with ``data`` to a case (by id or business key). Returns the case, what
        caught the message (``caught``) and the steps it opened (``opened``)."""
        name, data = _name(name), _data(data)
        with self.db.write() as session:
            person = get_user(session, user) if user is not None else None
            case = find_case(session, case_ref)
            if person is not None:
                access.require_visible(session, person, case, Org.load(session), case_ref)
            return self._deliver(session, case.id, events.MESSAGE, name, data, person)

    def correlate(
        self, name: str, correlation: Any, data: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """Deliver the message to the one running case ``correlation`` identifies (:mod:`engine.cases.correlation`:
        by business key or by a data field); none is not found, several a conflict naming them."""
        name, data = _name(name), _data(data)
        with self.db.write() as session:
            person = get_user(session, user) if user is not None else None
            case_id = correlated_case(session, correlation, person, Org.load(session))
            return self._deliver(session, case_id, events.MESSAGE, name, data, person)

    def broadcast_signal(
        self, preplan_key: str, name: str, data: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """Deliver the signal ``name`` to every running case of a preplan (that ``user`` may see) whose version
        can catch it, each case in its own transaction. Reports per case: ``delivered`` (with what caught it and
        the steps it opened), ``not_waiting``, or the refusal."""
        name, data = _name(name), _data(data)
        with self.db.read() as session:
            person = get_user(session, user) if user is not None else None
            cases = self._signal_cases(session, preplan_key, name, person)
        report = []
        for case_id, business_key in cases:
            try:
                with self.db.write() as session:
                    person = get_user(session, user) if user is not None else None
                    outcome = {
                        "result": "delivered",
                        **self._deliver(session, case_id, events.SIGNAL, name, data, person),
                    }
            except PreplanError as exc:
                waiting = isinstance(exc, Conflict) and exc.details.get("reason") == "not_waiting"
                outcome = {
                    "case": case_id,
                    "business_key": business_key,
                    "result": "not_waiting" if waiting else exc.code,
                    "message": str(exc.message),
                }
            report.append(outcome)
        return {"preplan": preplan_key, "signal": name, "cases": report}

    def _signal_cases(self, session: Session, preplan_key: str, name: str, person: User | None) -> list[Any]:
        versions = session.scalars(select(PreplanVersion).join(Preplan).where(Preplan.key == preplan_key)).all()
        if not versions:
            raise NotFound(say("no deployed preplan '%(preplan)s'", preplan=preplan_key))
        catching = [v.id for v in versions if name in events.names(self.versions.spec(session, v.id), events.SIGNAL)]
        if not catching:
            raise NotFound(say("preplan %(preplan)s has no signal '%(name)s'", preplan=preplan_key, name=name))
        statement = select(Case.id, Case.business_key).where(
            Case.status == "running", Case.version_id.in_(catching), ~Case.is_trial
        )
        if person is not None:
            statement = statement.where(access.case_clause(person, Org.load(session)))
        return list(session.execute(statement.order_by(Case.id)).all())

    def _deliver(
        self, session: Session, case_id: int, kind: str, name: str, data: dict[str, Any], person: User | None
    ) -> dict[str, Any]:
        """Lock the case, check who tells it, let its workflow catch the event, advance and save."""
        case = lock_case(session, case_id)
        assert case is not None, "the case was found in this transaction"
        if case.status != "running":
            raise Conflict(
                say("case %(case)s is %(status)s; it takes no message", case=case.business_key, status=case.status),
                reason="not_running",
            )
        open_rows = list(session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")))
        org = Org.load(session)
        actor = SYSTEM_ACTOR
        if person is not None:
            manifest = self.versions.info(session, case.version_id).manifest
            access.require_tell(person, case, manifest.start_roles, open_rows, org)
            actor = person.name
        with CaseRun(self.context_with(org), session, case, open_rows=open_rows) as run:
            run.catch_up()
            sent = events.event(run.workflow, kind, name, data)
            caught = events.catchers(run.workflow, sent) if sent is not None else []
            if not caught:
                raise _not_waiting(case, kind, name, events.names(self.versions.spec(session, case.version_id), kind))
            run.deliver(sent)
            run.advance()
            audit.record(session, case.id, actor, "message_received", event=kind, name=name, data=data, caught=caught)
            opened = run.save(actor)
            return {**run.summary(), kind: name, "caught": caught, "opened": [row.id for row in opened]}


#: How a refusal names the kind of event (a sentence, so each reader gets it in their language).
_KIND_NAMES = {"message": say("message"), "signal": say("signal")}


def _not_waiting(case: Case, kind: str, name: str, known: list[str]) -> Conflict:
    kind = _KIND_NAMES.get(kind, kind)
    if name in known:
        message = say(
            "case %(case)s is not waiting for the %(kind)s '%(name)s' now; nothing was changed",
            case=case.business_key,
            kind=kind,
            name=name,
        )
    else:
        message = say(
            "the preplan of case %(case)s has no %(kind)s '%(name)s' (it knows: %(known)s); nothing was changed",
            case=case.business_key,
            kind=kind,
            name=name,
            known=", ".join(known) or "—",
        )
    return Conflict(message, reason="not_waiting")


def _name(name: str) -> str:
    """An event's name as diagrams write it: a short identifier-like text."""
    if not isinstance(name, str) or not name.strip() or len(name) > inputs.MAX_NAME or inputs.text_problem(name):
        raise ValidationFailed(say("the event name is not valid"), {"name": "must be a short text"})
    return name.strip()


def _data(data: Any) -> dict[str, Any]:
    """The data an event carries: a JSON object, bounded like every submission."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(say("the data of an event must be a JSON object"), {"data": "is not an object"})
    problems = inputs.data_problems(data)
    if problems:
        raise ValidationFailed(
            say("the data of an event has errors"), {f"data.{k}" if k else "data": v for k, v in problems.items()}
        )
    return data
