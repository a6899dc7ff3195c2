"""Who may see and do what: every access rule, written once, used by every operation, list and page.

A task belongs to the role of its lane: holders of that role see it, claim it and complete it (a claimed task only
its assignee). Holders of any role of a preplan see its cases. Supervisors (and admins) oversee every case: they
reassign, terminate, resume and advance drills. Admins also administer preplan versions, the working calendar and
users. A refusal names the rule; a case or task one may not see is answered as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, or_

from engine.errors import Forbidden, say
from engine.store.models import Task, User

ADMIN, SUPERVISOR = "admin", "supervisor"
SUPERVISING_ROLES = frozenset({ADMIN, SUPERVISOR})


def is_admin(user: User) -> bool:
    return ADMIN in user.role_keys


def supervises(user: User) -> bool:
    return bool(user.role_keys & SUPERVISING_ROLES)


def start_roles(starters: Collection[str]) -> frozenset[str]:
    """Who may start a case of a preplan: its starters and the supervising roles."""
    return frozenset(starters) | SUPERVISING_ROLES


def may_start(user: User, starters: Collection[str]) -> bool:
    return bool(user.role_keys & start_roles(starters))


def may_see_case(user: User, preplan_roles: Collection[str]) -> bool:
    """Anyone holding a role of the case's preplan, and supervisors."""
    return supervises(user) or bool(user.role_keys & set(preplan_roles))


def may_see_task(user: User, task: Task) -> bool:
    """The holders of its role, its assignee, and supervisors."""
    return task.role in user.role_keys or task.assignee == user.name or supervises(user)


def may_work_on(user: User, task: Task) -> bool:
    """Claim or complete: a holder of the task's role, and only its assignee once it is claimed."""
    return task.role in user.role_keys and task.assignee in (None, user.name)


def work_list_clause(user: User, scope: str = "all") -> ColumnElement[bool]:
    """The open tasks a user works from (``scope``: all | mine | unassigned): assigned to them, or unclaimed in
    one of their roles."""
    mine = Task.assignee == user.name
    unassigned = Task.assignee.is_(None) & Task.role.in_(user.role_keys)
    return {"mine": mine, "unassigned": unassigned}.get(scope, or_(mine, unassigned))


# -- requirements: raise Forbidden with the rule that was not met --------------------------------------------------
def require_start(user: User, preplan: str, starters: Collection[str]) -> None:
    if not may_start(user, starters):
        raise Forbidden(
            say(
                "%(user)s may not start %(preplan)s: it needs one of the roles %(roles)s",
                user=user.name,
                preplan=preplan,
                roles=", ".join(sorted(start_roles(starters))),
            )
        )


def require_role(user: User, task: Task) -> None:
    if task.role not in user.role_keys:
        raise Forbidden(
            say(
                "task %(task)s belongs to role '%(role)s', which %(user)s does not have",
                task=task.id,
                role=task.role,
                user=user.name,
            )
        )


def require_supervisor(user: User) -> None:
    if not supervises(user):
        raise Forbidden(say("%(user)s may not do this (it needs an admin or a supervisor)", user=user.name))


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise Forbidden(say("%(user)s may not do this (it needs an admin)", user=user.name))


def require_case(user: User, preplan_roles: Collection[str], business_key: str) -> None:
    if not may_see_case(user, preplan_roles):
        raise Forbidden(say("%(user)s may not see case %(case)s", user=user.name, case=business_key))
