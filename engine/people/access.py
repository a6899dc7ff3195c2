"""Who may see and do what: every access rule, written once, used by every operation, list and page.

Roles are held in units. A task goes to the holders of its lane's role in the unit its lane routes to (its
*candidates*): they see it, claim it and complete it (a claimed task only its assignee). A case is visible to the
candidates of its open and past steps and whoever did one, to holders of its preplan's roles in its unit or above,
to supervisors of its unit or above, and to admins. Supervisors (and admins) reassign, terminate, resume and
advance drills within their units. Admins also administer preplan versions, the working calendar, the
organisation and users. A refusal names the rule; a case or task one may not see is answered as if it did not
exist.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true, union
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.errors import Conflict, Forbidden, NotFound, say
from engine.people.org import Org
from engine.store.models import ROOT_UNIT, Case, PreplanOwner, Task, User, VersionRole

ADMIN, SUPERVISOR = "admin", "supervisor"
SUPERVISING_ROLES = frozenset({ADMIN, SUPERVISOR})


def is_admin(user: User) -> bool:
    """Admins administer the whole installation, whichever unit they hold the role in."""
    return ADMIN in user.role_keys


def supervises(user: User) -> bool:
    """Supervises somewhere (the pages for supervisors are offered; each case is still checked)."""
    return bool(user.role_keys & SUPERVISING_ROLES)


def units_holding(user: User, roles: Collection[str]) -> set[str]:
    """The units in which the user holds one of ``roles``."""
    return {unit for role, unit in user.memberships if role in roles}


def supervised_units(user: User, org: Org) -> set[str]:
    """The units a user supervises: those where they hold the supervisor role and everything below them."""
    return set(org.units) if is_admin(user) else org.below(units_holding(user, {SUPERVISOR}))


def supervises_unit(user: User, unit: str, org: Org) -> bool:
    return is_admin(user) or bool(units_holding(user, {SUPERVISOR}) & set(org.above(unit)))


# -- starting ---------------------------------------------------------------------------------------------------
def start_roles(starters: Collection[str]) -> frozenset[str]:
    """Who may start a case of a preplan: its starters and the supervising roles."""
    return frozenset(starters) | SUPERVISING_ROLES


def may_start_somewhere(user: User, starters: Collection[str]) -> bool:
    """Whether the preplan is among those the user may start (in at least one unit)."""
    return bool(user.role_keys & start_roles(starters))


def start_units(user: User, starters: Collection[str], org: Org) -> set[str]:
    """The units a user may start a case in: at or below the units where they hold a starter role or supervise."""
    return set(org.units) if is_admin(user) else org.below(units_holding(user, start_roles(starters)))


def home_unit(user: User | None, starters: Collection[str], org: Org) -> str:
    """Where a case starts when no unit is chosen: the starter's own unit (the highest where they hold a starter
    role or supervise, then by name); the root for the system itself and for admins."""
    held = units_holding(user, start_roles(starters) - {ADMIN}) if user is not None else set()
    for _, info in org.ordered():
        if info.key in held:
            return info.key
    return ROOT_UNIT


def start_choices(user: User, starters: Collection[str], kinds: Collection[str], org: Org) -> list[str]:
    """The units a start form offers, in tree order: those the user may start in, only of ``kinds`` when there
    are such units (a PetroChina case is about a station)."""
    allowed = start_units(user, starters, org)
    ordered = [info for _, info in org.ordered() if info.key in allowed]
    of_kind = [info.key for info in ordered if info.kind in kinds]
    return of_kind or [info.key for info in ordered]


def may_start(user: User, starters: Collection[str], unit: str, org: Org) -> bool:
    return is_admin(user) or bool(units_holding(user, start_roles(starters)) & set(org.above(unit)))


# -- tasks ------------------------------------------------------------------------------------------------------
def is_candidate(user: User, task: Task) -> bool:
    """Holds the task's role in the unit the task was routed to."""
    return (task.role, task.unit_key) in user.memberships


def may_work_on(user: User, task: Task) -> bool:
    """Claim or complete: a candidate, and only its assignee once it is claimed."""
    return is_candidate(user, task) and task.assignee in (None, user.name)


def candidate_clause(user: User, *also: ColumnElement[bool]) -> ColumnElement[bool]:
    """Tasks the user is a candidate of: one ``role = … AND unit_key IN (…)`` branch per role held, each with the
    conditions ``also`` inside it, so that every branch is one range of the candidates index."""
    units_by_role = _units_by_role(user)
    if not units_by_role:
        return false()
    return or_(
        *(
            and_(Task.role == role, Task.unit_key.in_(sorted(units)), *also)
            for role, units in sorted(units_by_role.items())
        )
    )


def work_list_branches(user: User, scope: str = "all") -> list[ColumnElement[bool]]:
    """The open tasks a user works from (``scope``: all | mine | unassigned), as disjoint branches each of which
    an index reads in deadline order: assigned to them; unclaimed, per role held and its units (see
    :func:`unit_ranges`)."""
    is_open = Task.status == "open"
    mine = [and_(Task.assignee == user.name, is_open)]
    pool = [
        and_(Task.role == role, where, is_open, Task.assignee.is_(None))
        for role, units in sorted(_units_by_role(user).items())
        for where in unit_ranges(Task.unit_key, units)
    ]
    return {"mine": mine, "unassigned": pool}.get(scope, mine + pool)


def work_list_clause(user: User, scope: str = "all") -> ColumnElement[bool]:
    """The same open tasks as one condition (its branches or-ed)."""
    return or_(false(), *work_list_branches(user, scope))


#: Up to this many units, a role's (or a reach's) rows are read unit by unit, one index range each; past it, as one
#: range filtered by the units (those units then hold a good share of the rows, so the filter soon fills a page).
FEW_UNITS = 4


def unit_ranges(column: InstrumentedAttribute[str], units: Collection[str]) -> list[ColumnElement[bool]]:
    """``column IN units`` as conditions each read in the list's order: one equality per unit for a few units;
    for more, one condition written ``column || '' IN (…)`` so that neither planner turns it into per-unit seeks
    followed by a sort of everything they find."""
    if len(units) <= FEW_UNITS:
        return [column == unit for unit in sorted(units)]
    return [(column + "").in_(sorted(units))]


def _units_by_role(user: User) -> dict[str, set[str]]:
    units_by_role: dict[str, set[str]] = {}
    for role, unit in user.memberships:
        units_by_role.setdefault(role, set()).add(unit)
    return units_by_role


def may_tell(user: User, case: Case, starters: Collection[str], open_tasks: Collection[Task], org: Org) -> bool:
    """Tell a running case that something happened (a message into it). A message changes the course of a case as
    much as a step does (a class raised, an incident's handling started), so it is for the people who work on the
    case now (candidates of its open steps), who may start such a case where it is (its starters there or above,
    e.g. the centre that took the customer's new call), its supervisors and admins; not for everyone who may read
    it, and the system (an integration acting as nobody) always."""
    return may_start(user, starters, case.unit_key, org) or any(is_candidate(user, task) for task in open_tasks)


# -- cases ------------------------------------------------------------------------------------------------------
def case_clause(user: User, org: Org) -> ColumnElement[bool]:
    """THE visibility rule, as a condition on :class:`Case` that every list, search, count and page applies.

    Written as ``id IN (… UNION …)``: each part is an index range of its own (steps by assignee or by role and
    unit, cases by unit), which both databases combine without reading every case."""
    if is_admin(user):
        return ~Case.is_trial
    return Case.id.in_(union(*_visible_parts(user, org)))


def may_see_case(session: Session, user: User, case: Case, org: Org) -> bool:
    """The same rule for one case: each part narrowed to it, so the answer costs a few index lookups."""
    if is_admin(user):
        return True
    return bool(session.scalar(select(union(*_visible_parts(user, org, case.id)).exists())))


def case_list_parts(user: User, org: Org) -> list[tuple[InstrumentedAttribute[int], ColumnElement[bool]]]:
    """The same rule for the cases list, which reads each part newest first (by case id) and merges them: each part
    is a condition on the table its case id column belongs to. The parts through steps read the person's steps
    (as assignee; as a candidate per role and unit, or per role filtered by units); the others are ranges of the
    cases' unit index, or the whole table in key order for who sees everything."""
    if is_admin(user):
        return [(Case.id, ~Case.is_trial)]
    steps: list[tuple[InstrumentedAttribute[int], ColumnElement[bool]]] = [(Task.case_id, Task.assignee == user.name)]
    for role, units in sorted(_units_by_role(user).items()):
        steps += [(Task.case_id, and_(Task.role == role, where)) for where in unit_ranges(Task.unit_key, units)]
    return steps + [
        (Case.id, and_(*scope, where, ~Case.is_trial))
        for scope, units in _case_reaches(user, org)
        for where in ([true()] if len(units) >= len(org.units) else unit_ranges(Case.unit_key, units))
    ]


def _visible_parts(user: User, org: Org, case_id: int | None = None) -> list[Select[Any]]:
    """The ids of the cases a user sees, part by part (only ``case_id``'s when it is given)."""
    one_step = (Task.case_id == case_id,) if case_id is not None else ()
    one_case = (Case.id == case_id,) if case_id is not None else ()
    return [select(Task.case_id).where(part, *one_step) for part in _step_parts(user)] + [
        select(Case.id).where(*scope, _unit_in(units, org), ~Case.is_trial, *one_case)
        for scope, units in _case_reaches(user, org)
    ]


def _step_parts(user: User) -> list[ColumnElement[bool]]:
    """Steps that make their case visible: whoever claimed or did a step is its assignee (completing sets it), so
    one indexed column covers both; and the steps the user is a candidate of."""
    return [Task.assignee == user.name, candidate_clause(user)]


def _case_reaches(user: User, org: Org) -> list[tuple[tuple[ColumnElement[bool], ...], set[str]]]:
    """Cases visible by their unit: (conditions on the case, the units it may be in)."""
    reaches: list[tuple[tuple[ColumnElement[bool], ...], set[str]]] = []
    # holders of the preplan's roles in the case's unit or above: per set of units reached, the roles reaching it
    roles_by_reach: dict[frozenset[str], set[str]] = {}
    for role, units in _units_by_role(user).items():
        if role not in SUPERVISING_ROLES:
            roles_by_reach.setdefault(frozenset(org.below(units)), set()).add(role)
    for reach, roles in roles_by_reach.items():
        # ``version_id + 0``: checked on the rows a unit range reads, never a range of its own (the version index
        # would hand the cases over out of the lists' order)
        of_preplan = (Case.version_id + 0).in_(
            select(VersionRole.version_id).where(VersionRole.role_key.in_(sorted(roles)))
        )
        reaches.append(((of_preplan,), set(reach)))
    supervised = supervised_units(user, org)
    if supervised:
        reaches.append(((), supervised))
    return reaches


def _unit_in(units: Collection[str], org: Org) -> ColumnElement[bool]:
    """``Case.unit_key IN units``, left out when the units are the whole organisation."""
    return true() if len(units) >= len(org.units) else Case.unit_key.in_(sorted(units))


# -- confidential fields ------------------------------------------------------------------------------------------
def readable_fields(
    session: Session, user: User, case: Case, org: Org, confidential: Mapping[str, frozenset[str]]
) -> set[str]:
    """The confidential fields of a case whose values the user may read: they hold one of the field's roles in
    the case's unit or above, or as a candidate of one of its steps (a safety department elsewhere). Admins and
    supervisors are not thereby readers: a whistleblower's name is for the people who handle the report."""
    if not confidential:
        return set()
    reach = set(org.above(case.unit_key))
    held = {role for role, unit in user.memberships if unit in reach}
    steps = session.execute(select(Task.role, Task.unit_key).where(Task.case_id == case.id).distinct())
    held |= {role for role, unit in steps if (role, unit) in user.memberships}
    return {name for name, roles in confidential.items() if roles & held}


# -- requirements: raise with the rule that was not met -----------------------------------------------------------
def require_visible(session: Session, user: User, case: Case, org: Org, ref: str | int) -> None:
    """A case the user may not see is not found, with the same answer as one that does not exist."""
    if not may_see_case(session, user, case, org):
        raise NotFound(say("no case %(value)s", value=str(ref)[:80]))


#: A case in one of these states is a closed record: what it holds (its files too) stays as it was.
CLOSED = frozenset({"completed", "terminated"})


def require_attach(session: Session, user: User | None, case: Case, org: Org, ref: str | int) -> None:
    """Attaching a file: whoever may see the case (``None``, the operator of the command line, sees all), while
    it is not closed.

    Not only the candidates of its open steps: evidence reaches whoever the customer reaches (the clerk who
    registered the complaint, a manager of the unit above, a supervisor), and each of them already sees the whole
    case. A file changes no step, path or data of the case, names its uploader in the trail and is never removed,
    so seeing the case is enough. A completed or terminated case keeps its files; nothing is added to it."""
    if user is not None:
        require_visible(session, user, case, org, ref)
    if case.status in CLOSED:
        raise Conflict(
            say("case %(key)s is closed: its files are kept as they are, none can be added", key=case.business_key)
        )


def require_start(user: User, preplan: str, starters: Collection[str], unit: str, org: Org) -> None:
    if not may_start(user, starters, unit, org):
        raise Forbidden(
            say(
                "%(user)s may not start %(preplan)s in %(unit)s: it needs one of the roles %(roles)s there or in a "
                "unit above it",
                user=user.name,
                preplan=preplan,
                unit=org.path(unit),
                roles=", ".join(sorted(start_roles(starters))),
            )
        )


def require_candidate(user: User, task: Task, org: Org) -> None:
    if not is_candidate(user, task):
        raise Forbidden(
            say(
                "task %(task)s goes to role '%(role)s' in %(unit)s, which %(user)s does not hold there",
                task=task.id,
                role=task.role,
                unit=org.path(task.unit_key),
                user=user.name,
            )
        )


def require_tell(user: User, case: Case, starters: Collection[str], open_tasks: Collection[Task], org: Org) -> None:
    if not may_tell(user, case, starters, open_tasks, org):
        raise Forbidden(
            say(
                "%(user)s may not send case %(case)s a message: it needs an open step of the case, or one of the roles "
                "%(roles)s in %(unit)s or a unit above it",
                user=user.name,
                case=case.business_key,
                roles=", ".join(sorted(start_roles(starters))),
                unit=org.path(case.unit_key),
            )
        )


def require_supervisor(user: User) -> None:
    if not supervises(user):
        raise Forbidden(say("%(user)s may not do this (it needs an admin or a supervisor)", user=user.name))


def require_supervisor_of(user: User, unit: str, org: Org) -> None:
    if not supervises_unit(user, unit, org):
        raise Forbidden(
            say(
                "%(user)s may not do this in %(unit)s (it needs an admin, or a supervisor of that unit or one above it)",
                user=user.name,
                unit=org.path(unit),
            )
        )


def may_read_ledger(user: User, roles: Collection[str]) -> bool:
    """An appraisal ledger is read by supervisors, admins and the holders of the roles its source gives the
    appraisal to; each of its figures still counts only the cases the reader may see."""
    return supervises(user) or bool(user.role_keys & set(roles))


def require_ledger_reader(user: User, preplan: str, roles: Collection[str]) -> None:
    if not may_read_ledger(user, roles):
        raise Forbidden(
            say("%(user)s may not read the appraisal ledger of %(preplan)s", user=user.name, preplan=preplan)
        )


def may_read_report(user: User, unit: str, roles: Collection[str], org: Org) -> bool:
    """A periodic duty's report is read as a unit's cases are: by admins and supervisors of its unit or above, and
    by the holders of the roles the duty names (its readers and recipients) in its unit or above."""
    return supervises_unit(user, unit, org) or bool(units_holding(user, roles) & set(org.above(unit)))


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise Forbidden(say("%(user)s may not do this (it needs an admin)", user=user.name))


# -- the studio ---------------------------------------------------------------------------------------------------
def may_edit_preplan(session: Session, user: User, key: str) -> bool:
    """Edit a preplan's draft, check it and try it: its process owners, the owners of every preplan, and admins.
    Publishing it as a version (like retiring and migrating) stays with admins (:func:`require_admin`)."""
    if is_admin(user):
        return True
    mine = or_(PreplanOwner.preplan_key.is_(None), PreplanOwner.preplan_key == key)
    return bool(session.scalar(select(select(PreplanOwner.id).where(PreplanOwner.user_id == user.id, mine).exists())))


def require_edit_preplan(session: Session, user: User, key: str) -> None:
    if not may_edit_preplan(session, user, key):
        raise Forbidden(
            say(
                "%(user)s may not edit %(preplan)s (it needs its process owner or an admin)",
                user=user.name,
                preplan=key,
            )
        )


def require_self_or_admin(user: User, owner: str) -> None:
    """One's own credentials (API tokens) are one's own business; an admin may manage anyone's."""
    if user.name != owner and not is_admin(user):
        raise Forbidden(say("%(user)s may not manage the API tokens of %(owner)s", user=user.name, owner=owner))
