"""People and their roles. A user's roles decide which lanes' tasks they see, claim and complete."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine import clock, inputs
from engine.errors import Conflict, NotFound, PreplanError, say
from engine.store import audit
from engine.store.models import Role, User, UserRole

#: Roles every installation has: administrators (deploy, users, calendar) and supervisors (reassign, terminate).
BUILTIN_ROLES = {
    "admin": ("系统管理员", "Administrator"),
    "supervisor": ("主管", "Supervisor"),
}


def ensure_builtin_roles(session: Session) -> None:
    for key, (zh, en) in BUILTIN_ROLES.items():
        if session.get(Role, key) is None:
            session.add(Role(key=key, title_zh=zh, title_en=en))


def _known_roles(session: Session, roles: list[str]) -> list[str]:
    ensure_builtin_roles(session)
    known = set(session.scalars(select(Role.key)))
    unknown = sorted(set(roles) - known)
    if unknown:
        raise NotFound(f"unknown role(s): {', '.join(unknown)}; known roles: {', '.join(sorted(known))}")
    return list(dict.fromkeys(roles))


def add_user(
    session: Session,
    name: str,
    roles: list[str],
    *,
    password: str | None = None,
    email: str | None = None,
    actor: str = "cli",
) -> User:
    name = inputs.name(name)
    email = inputs.optional_note(email, "email", say("the e-mail address"), limit=200)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(say("user %(user)s already exists", user=name))
    roles = _known_roles(session, roles)
    user = User(
        name=name,
        email=email,
        created_at=clock.now(),
        active=True,
        password_hash=generate_password_hash(inputs.note(password, "password", say("the password"), limit=200))
        if password
        else None,
        roles=[UserRole(role_key=r) for r in roles],
        session_generation=0,
    )
    session.add(user)
    audit.record(session, None, actor, "user_added", user=name, roles=sorted(set(roles)))
    return user


def get_user(session: Session, name: str) -> User:
    if inputs.text_problem(name or "") or len(name or "") > inputs.MAX_NAME:
        raise NotFound(say("no active user %(user)s", user=(name or "")[: inputs.MAX_NAME]))
    user = session.scalar(select(User).where(User.name == name))
    if user is None or not user.active:
        raise NotFound(say("no active user %(user)s", user=name))
    return user


def end_sessions(session: Session, name: str, actor: str, reason: str = "logout") -> User:
    """End every open session of a user, on every device (a copied session cookie stops working too)."""
    user = _named(session, name)
    user.session_generation += 1
    audit.record(session, None, actor, "sessions_ended", user=user.name, reason=reason)
    return user


def deactivate(session: Session, name: str, actor: str) -> User:
    user = _named(session, name)
    if not user.active:
        raise Conflict(say("user %(user)s is already deactivated", user=name))
    user.active = False
    audit.record(session, None, actor, "user_deactivated", user=user.name)
    return end_sessions(session, name, actor, "deactivated")


def set_password(session: Session, name: str, password: str, actor: str) -> User:
    if len(password) < 8 or inputs.text_problem(password):
        raise PreplanError(say("a password needs at least 8 characters of valid text"))
    user = _named(session, name)
    user.password_hash = generate_password_hash(password)
    audit.record(session, None, actor, "password_changed", user=user.name)
    return end_sessions(session, name, actor, "password changed")


def set_roles(session: Session, name: str, roles: list[str], actor: str) -> User:
    user = _named(session, name)
    wanted = _known_roles(session, roles)
    user.roles = [r for r in user.roles if r.role_key in wanted]  # kept rows stay; only changes are written
    user.roles += [UserRole(role_key=r) for r in wanted if r not in user.role_keys]
    audit.record(session, None, actor, "roles_changed", user=user.name, roles=sorted(wanted))
    return end_sessions(session, name, actor, "roles changed")


def _named(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(say("no user %(user)s", user=name))
    return user


#: Checked when the user name is unknown, so that an unknown name takes as long to refuse as a wrong password.
_DECOY_HASH = generate_password_hash("decoy password, never valid")


def authenticate(session: Session, name: str, password: str) -> User | None:
    if inputs.text_problem(name + password) or len(name) > inputs.MAX_NAME:
        check_password_hash(_DECOY_HASH, "")
        return None
    user = session.scalar(select(User).where(User.name == name))
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_DECOY_HASH, password)
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


def role_titles(session: Session) -> dict[str, dict[str, str]]:
    return {r.key: {"zh": r.title_zh, "en": r.title_en} for r in session.scalars(select(Role))}


def users_with_role(session: Session, role: str) -> list[str]:
    return list(
        session.scalars(
            select(User.name).join(UserRole).where(UserRole.role_key == role, User.active.is_(True)).order_by(User.name)
        )
    )
