"""People operations: users, their roles and passwords, and their sessions. Changing a user (admins, or the
operator of the command line) ends every session the user has open."""

from __future__ import annotations

from engine.people import access, users
from engine.service.base import OPERATOR, ServiceBase


class PeopleOperations(ServiceBase):
    def ensure_builtin_roles(self) -> None:
        """The roles every installation has (admin, supervisor); run when the database is set up."""
        with self.db.write() as session:
            users.ensure_builtin_roles(session)

    def add_user(
        self,
        name: str,
        roles: list[str],
        *,
        password: str | None = None,
        email: str | None = None,
        user: str | None = None,
    ) -> list[str]:
        """Returns the roles the new user holds."""
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return sorted(users.add_user(session, name, roles, password=password, email=email, actor=actor).role_keys)

    def demo_users(self) -> list[tuple[str, str, list[str], bool]]:
        """One demo user per role (see :func:`engine.people.users.demo_users`)."""
        with self.db.write() as session:
            return users.demo_users(session)

    def deactivate_user(self, name: str, *, user: str | None = None) -> None:
        with self.db.write() as session:
            users.deactivate(session, name, self.acting(session, user, access.require_admin, OPERATOR))

    def set_password(self, name: str, password: str, *, user: str | None = None) -> None:
        with self.db.write() as session:
            users.set_password(session, name, password, self.acting(session, user, access.require_admin, OPERATOR))

    def set_roles(self, name: str, roles: list[str], *, user: str | None = None) -> list[str]:
        with self.db.write() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            return sorted(users.set_roles(session, name, roles, actor).role_keys)

    def end_sessions(self, name: str, *, user: str | None = None) -> None:
        """End every session of ``name``: their own logout (``user`` is ``name``), or an admin's decision."""
        with self.db.write() as session:
            actor = name if user == name else self.acting(session, user, access.require_admin, OPERATOR)
            users.end_sessions(session, name, actor)
