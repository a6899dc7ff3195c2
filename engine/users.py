"""People and their roles. A user's roles decide which lanes' tasks they see, claim and complete."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock
from .errors import Conflict, NotFound, PreplanError
from .models import Role, User, UserRole

#: Roles every installation has: administrators (deploy, users, calendar) and supervisors (reassign, terminate).
BUILTIN_ROLES = {
    "admin": ("系统管理员", "Administrator"),
    "supervisor": ("主管", "Supervisor"),
}


def ensure_builtin_roles(session: Session) -> None:
    for key, (zh, en) in BUILTIN_ROLES.items():
        if session.get(Role, key) is None:
            session.add(Role(key=key, title_zh=zh, title_en=en))


def add_user(
    session: Session, name: str, roles: list[str], *, password: str | None = None, email: str | None = None,
    actor: str = "cli",
) -> User:
    if not name or not name.strip():
        raise PreplanError("a user needs a name")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    ensure_builtin_roles(session)
    known = set(session.scalars(select(Role.key)))
    unknown = sorted(set(roles) - known)
    if unknown:
        raise NotFound(f"unknown role(s): {', '.join(unknown)}; known roles: {', '.join(sorted(known))}")
    user = User(
        name=name, email=email, created_at=clock.now(), active=True,
        password_hash=generate_password_hash(password) if password else None,
        roles=[UserRole(role_key=r) for r in dict.fromkeys(roles)],
    )
    session.add(user)
    audit.record(session, None, actor, "user_added", user=name, roles=sorted(set(roles)))
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None or not user.active:
        raise NotFound(f"no active user {name!r}")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None or not user.active or not user.password_hash:
        return None
    return user if check_password_hash(user.password_hash, password) else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


DEMO_PASSWORD = "demo1234"


def demo_users(session: Session) -> list[tuple[str, str, list[str], bool]]:
    """One demo user per role (named after it), ``admin`` (admin + supervisor) and ``staff`` (every role).

    Existing users are left as they are. Returns ``(name, password, roles, created)`` rows to print.
    """
    ensure_builtin_roles(session)
    session.flush()
    work_roles = [r for r in session.scalars(select(Role.key).order_by(Role.key)) if r not in BUILTIN_ROLES]
    plan = [("admin", ["admin", "supervisor"]), ("staff", work_roles)] + [(r, [r]) for r in work_roles]
    rows = []
    for name, roles in plan:
        exists = session.scalar(select(User).where(User.name == name)) is not None
        if not exists and roles:
            add_user(session, name, roles, password=DEMO_PASSWORD, actor="demo")
        rows.append((name, DEMO_PASSWORD if not exists else "(unchanged)", roles, not exists))
    return rows
