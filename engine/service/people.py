"""People and the organisation: units, users, the roles they hold in each unit, passwords and sessions. Changes are
for admins (or the operator of the command line); changing a user ends every session the user has open, and a
deactivated user's claimed tasks go back to their candidates at once."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed, say
from engine.notify import notices
from engine.people import access, demo, units, users
from engine.people.org import Org
from engine.service.base import OPERATOR, ServiceBase
from engine.store import audit
from engine.store.models import Case, Task, User
from engine.timefmt import iso


class PeopleOperations(ServiceBase):
    def ensure_builtins(self) -> None:
        """What every installation has (the admin and supervisor roles, the root unit); run when the database is
        set up."""
        with self.db.write() as session:
            users.ensure_builtins(session)

    def demo_installation(self) -> list[dict[str, Any]]:
        """The demo organisation and its users (see :mod:`engine.people.demo`), with each unit's path."""
        with self.db.write() as session:
            rows = demo.demo_installation(session)
            session.flush()
            org = Org.load(session)
            return [{**vars(r), "roles": list(r.roles), "unit_path": org.path(r.unit)} for r in rows]

    # -- units ----------------------------------------------------------------------------------------------
    def add_unit(
        self, key: str, name: str, *, parent: str | None = None, kind: str | None = None, user: str | None = None
    ) -> dict[str, Any]:
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            unit = units.add_unit(session, key, name, parent=parent, kind=kind, actor=actor)
            return _unit_json(unit.key, unit.name, unit.parent_key, unit.kind)

    def update_unit(
        self,
        key: str,
        *,
        name: str | None = None,
        parent: str | None = None,
        kind: str | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            unit = units.update_unit(session, key, name=name, parent=parent, kind=kind, actor=actor)
            return _unit_json(unit.key, unit.name, unit.parent_key, unit.kind)

    def import_units(self, text: str, *, user: str | None = None) -> dict[str, Any]:
        """An org chart from CSV (``key,name,parent,kind``), all or nothing."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return units.import_units(session, text, actor=actor).as_json()

    def list_units(self) -> list[dict[str, Any]]:
        """Every unit, parents before children (``{"key", "name", "parent", "kind", "depth", "path"}``)."""
        with self.db.read() as session:
            org = Org.load(session)
        return [{**info.as_json(), "depth": depth, "path": org.path(info.key)} for depth, info in org.ordered()]

    # -- users ----------------------------------------------------------------------------------------------
    def add_user(
        self,
        name: str,
        roles: list[str],
        *,
        unit: str | None = None,
        password: str | None = None,
        email: str | None = None,
        user: str | None = None,
    ) -> list[str]:
        """A new user holding ``roles`` in ``unit`` (the root when not given); returns those roles."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            person = users.add_user(session, name, roles, unit=unit, password=password, email=email, actor=actor)
            return sorted(person.role_keys)

    def grant(
        self, name: str, role: str, unit: str | None, *, preplan: str | None = None, user: str | None = None
    ) -> list[dict[str, str]]:
        """Add a role in a unit, or make the user a process owner of ``preplan`` (of all when ``None``); returns the
        user's memberships."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            if _owner_grant(role, unit, preplan):
                return _memberships_of(session, users.grant_owner(session, name, preplan, actor))
            return _memberships_of(session, users.grant(session, name, role, unit or "", actor))

    def revoke(
        self, name: str, role: str, unit: str | None, *, preplan: str | None = None, user: str | None = None
    ) -> list[dict[str, str]]:
        """Remove a role in a unit (or a process ownership); the user's claimed tasks they are no longer a candidate
        of go back to the pool."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            if _owner_grant(role, unit, preplan):
                return _memberships_of(session, users.revoke_owner(session, name, preplan, actor))
            person = users.revoke(session, name, role, unit or "", actor)
            self._release(session, person.name, actor, keep=person.memberships)
            return _memberships_of(session, person)

    def set_roles(self, name: str, roles: list[str], *, unit: str | None = None, user: str | None = None) -> list[str]:
        """Make ``roles`` the user's roles in ``unit`` (the root when not given); returns every role they hold."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            person = users.set_roles(session, name, roles, actor, unit)
            self._release(session, person.name, actor, keep=person.memberships)
            return sorted(person.role_keys)

    def deactivate_user(self, name: str, *, user: str | None = None) -> dict[str, Any]:
        """The user loses access at once (every session ends); their claimed tasks go back to the pool and the
        candidates are told. Returns the released task ids."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            person = users.deactivate(session, name, actor)
            return {"user": person.name, "active": False, "released": self._release(session, person.name, actor)}

    def _release(self, session: Session, name: str, actor: str, keep: Collection[tuple[str, str]] = ()) -> list[int]:
        """Put the open tasks claimed by ``name`` that they may no longer work on back in the pool, telling their
        candidates."""
        released = []
        claimed = session.execute(
            select(Task, Case).join(Case, Task.case_id == Case.id).where(Task.status == "open", Task.assignee == name)
        )
        for task, case in claimed:
            if (task.role, task.unit_key) in keep:
                continue
            task.assignee, task.claimed_at = None, None
            audit.record(session, case.id, actor, "released", task=task.id, name=task.name, user=name)
            notices.send(session, self.settings, notices.recipients(session, task), "assigned", case, task)
            released.append(task.id)
        if released:
            session.flush()
        return released

    def set_password(self, name: str, password: str, *, user: str | None = None) -> None:
        with self.db.write() as session:
            users.set_password(session, name, password, self.acting(session, user, access.require_admin, OPERATOR))

    def end_sessions(self, name: str, *, user: str | None = None) -> None:
        """End every session of ``name``: their own logout (``user`` is ``name``), or an admin's decision."""
        with self.db.write() as session:
            actor = name if user == name else self.acting(session, user, access.require_admin, OPERATOR)
            users.end_sessions(session, name, actor)

    def list_users(self) -> list[dict[str, Any]]:
        """Every user with their memberships (``{"role", "unit"}``), e-mail and whether they are active."""
        with self.db.read() as session:
            owned = users.owners(session)
            return [
                {
                    "name": u.name,
                    "roles": sorted(u.role_keys),
                    "memberships": _memberships(u.memberships),
                    "owns": sorted(key or "*" for key in owned.get(u.id, [])),
                    "email": u.email,
                    "active": u.active,
                    "created_at": iso(u.created_at, self.tz),
                }
                for u in users.list_users(session)
            ]


def _unit_json(key: str, name: str, parent: str | None, kind: str) -> dict[str, Any]:
    return {"key": key, "name": name, "parent": parent, "kind": kind}


def _owner_grant(role: str, unit: str | None, preplan: str | None) -> bool:
    """Whether a grant is a process ownership (of a preplan or all), which is held in no unit."""
    if role == users.PROCESS_OWNER:
        return True
    if preplan is not None or not unit:
        raise ValidationFailed(
            say(
                "a preplan is given only with the role %(role)s; every other role is held in a unit",
                role=users.PROCESS_OWNER,
            ),
            {"preplan": "only for process_owner"} if preplan is not None else {"unit": "required"},
        )
    return False


def _memberships_of(session: Session, person: User) -> list[dict[str, str]]:
    """A user's roles in units, and their process ownerships as ``{"role": "process_owner", "preplan"}``."""
    owned = users.owned_preplans(session, person)
    return _memberships(person.memberships) + [
        {"role": users.PROCESS_OWNER, "preplan": key or "*"} for key in sorted(owned, key=lambda k: k or "")
    ]


def _memberships(pairs: set[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"role": role, "unit": unit} for role, unit in sorted(pairs, key=lambda p: (p[1], p[0]))]
