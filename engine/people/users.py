"""People and the roles they hold, each in a unit. A role held in a unit decides which lanes' tasks reach the
user there (:mod:`engine.people.access`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload
from werkzeug.security import check_password_hash, generate_password_hash

from engine import clock, inputs
from engine.errors import Conflict, NotFound, PreplanError, say
from engine.store import audit
from engine.store.models import ROOT_UNIT, PreplanOwner, Role, Unit, User, UserRole
from engine.store.records import SETUP_REVISION, newest_active_version, raise_revision

#: The root unit's name until an admin renames it.
ROOT_NAME = "本单位"
#: Roles every installation has: administrators (deploy, users, calendar), supervisors (reassign, terminate) and
#: process owners (edit a preplan's draft in the studio; held for a preplan or for all, see :func:`grant_owner`).
PROCESS_OWNER = "process_owner"
BUILTIN_ROLES = {
    "admin": ("系统管理员", "Administrator"),
    "supervisor": ("主管", "Supervisor"),
    PROCESS_OWNER: ("流程负责人", "Process owner"),
}


def ensure_builtins(session: Session) -> None:
    """What every installation has: the admin and supervisor roles, and the root unit (the organisation as a whole;
    the schema migration creates it, this restores it in a database emptied by hand)."""
    for key, (zh, en) in BUILTIN_ROLES.items():
        if session.get(Role, key) is None:
            session.add(Role(key=key, title_zh=zh, title_en=en))
    if session.get(Unit, ROOT_UNIT) is None:
        session.add(Unit(key=ROOT_UNIT, name=ROOT_NAME, parent_key=None, kind="company", created_at=clock.now()))
        session.flush()
        raise_revision(session, SETUP_REVISION, "system")


def _known_roles(session: Session, roles: list[str]) -> list[str]:
    ensure_builtins(session)
    known = set(session.scalars(select(Role.key)))
    unknown = sorted(set(roles) - known)
    if unknown:
        raise NotFound(f"unknown role(s): {', '.join(unknown)}; known roles: {', '.join(sorted(known))}")
    return list(dict.fromkeys(roles))


def _known_unit(session: Session, unit: str | None) -> str:
    unit = unit or ROOT_UNIT
    if session.get(Unit, unit) is None:
        raise NotFound(say("no unit %(unit)s", unit=str(unit)[:80]))
    return unit


def add_user(
    session: Session,
    name: str,
    roles: list[str],
    *,
    unit: str | None = None,
    password: str | None = None,
    email: str | None = None,
    actor: str = "cli",
) -> User:
    """A new user holding ``roles`` in ``unit`` (the root when not given)."""
    name = inputs.name(name)
    email = inputs.optional_note(email, "email", say("the e-mail address"), limit=200)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(say("user %(user)s already exists", user=name))
    roles = _known_roles(session, roles)
    unit = _known_unit(session, unit)
    user = User(
        name=name,
        email=email,
        created_at=clock.now(),
        active=True,
        password_hash=generate_password_hash(inputs.note(password, "password", say("the password"), limit=200))
        if password
        else None,
        roles=[UserRole(role_key=r, unit_key=unit) for r in roles],
        session_generation=0,
    )
    session.add(user)
    audit.record(session, None, actor, "user_added", user=name, roles=sorted(set(roles)), unit=unit)
    return user


def get_user(session: Session, name: str) -> User:
    if inputs.text_problem(name or "") or len(name or "") > inputs.MAX_NAME:
        raise NotFound(say("no active user %(user)s", user=(name or "")[: inputs.MAX_NAME]))
    # the roles in the same statement: every operation asks them next
    user = session.scalars(select(User).where(User.name == name).options(joinedload(User.roles))).unique().first()
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


def set_roles(session: Session, name: str, roles: list[str], actor: str, unit: str | None = None) -> User:
    """Make ``roles`` the user's roles in ``unit`` (the root when not given); roles in other units stay."""
    user = _named(session, name)
    wanted = _known_roles(session, roles)
    unit = _known_unit(session, unit)
    # kept rows stay; only changes are written
    user.roles = [r for r in user.roles if r.unit_key != unit or r.role_key in wanted]
    user.roles += [UserRole(role_key=r, unit_key=unit) for r in wanted if (r, unit) not in user.memberships]
    audit.record(session, None, actor, "roles_changed", user=user.name, roles=sorted(wanted), unit=unit)
    return end_sessions(session, name, actor, "roles changed")


def grant(session: Session, name: str, role: str, unit: str, actor: str) -> User:
    """Add one role in one unit (already held: nothing changes)."""
    user = _named(session, name)
    (role,) = _known_roles(session, [role])
    unit = _known_unit(session, unit)
    if (role, unit) in user.memberships:
        return user
    user.roles.append(UserRole(role_key=role, unit_key=unit))
    audit.record(session, None, actor, "role_granted", user=user.name, role=role, unit=unit)
    return end_sessions(session, name, actor, "roles changed")


def revoke(session: Session, name: str, role: str, unit: str, actor: str) -> User:
    user = _named(session, name)
    if (role, unit) not in user.memberships:
        raise NotFound(say("%(user)s does not hold %(role)s in %(unit)s", user=user.name, role=role, unit=unit))
    user.roles = [r for r in user.roles if (r.role_key, r.unit_key) != (role, unit)]
    audit.record(session, None, actor, "role_revoked", user=user.name, role=role, unit=unit)
    return end_sessions(session, name, actor, "roles changed")


def owned_preplans(session: Session, user: User) -> set[str | None]:
    """The preplans a user owns (``None``: every preplan). Not a role in a unit: a preplan belongs to no unit."""
    return set(session.scalars(select(PreplanOwner.preplan_key).where(PreplanOwner.user_id == user.id)))


def grant_owner(session: Session, name: str, preplan: str | None, actor: str) -> User:
    """Make a user the process owner of ``preplan`` (``None``: of every preplan); already so: nothing changes."""
    user = _named(session, name)
    if preplan is not None:
        preplan = newest_active_version(session, preplan, active=False).preplan.key  # a deployed preplan
    if preplan not in owned_preplans(session, user):
        session.add(PreplanOwner(user_id=user.id, preplan_key=preplan))
        audit.record(session, None, actor, "role_granted", user=user.name, role=PROCESS_OWNER, preplan=preplan)
    return user


def revoke_owner(session: Session, name: str, preplan: str | None, actor: str) -> User:
    user = _named(session, name)
    row = session.scalar(
        select(PreplanOwner).where(
            PreplanOwner.user_id == user.id,
            PreplanOwner.preplan_key.is_(None) if preplan is None else PreplanOwner.preplan_key == preplan,
        )
    )
    if row is None:
        raise NotFound(say("%(user)s is not the process owner of %(preplan)s", user=user.name, preplan=preplan or "*"))
    session.delete(row)
    audit.record(session, None, actor, "role_revoked", user=user.name, role=PROCESS_OWNER, preplan=preplan)
    return user


def owners(session: Session) -> dict[int, list[str | None]]:
    """Every process owner's preplans (``None``: all), by user id."""
    found: dict[int, list[str | None]] = {}
    for user_id, key in session.execute(select(PreplanOwner.user_id, PreplanOwner.preplan_key)):
        found.setdefault(user_id, []).append(key)
    return found


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


def role_titles(session: Session) -> dict[str, dict[str, str]]:
    return {r.key: {"zh": r.title_zh, "en": r.title_en} for r in session.scalars(select(Role))}


def holders(session: Session, role: str, unit: str) -> list[User]:
    """The active users holding ``role`` in ``unit``: the candidates of a task of that role routed there."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role_key == role, UserRole.unit_key == unit, User.active.is_(True))
            .options(lazyload(User.roles))  # who they are, not all they hold
            .order_by(User.name)
        )
    )
