"""Who may see and do what. Roles come from lanes; supervisors and admins oversee every case."""

from __future__ import annotations

from typing import Any

from engine.store.models import User

SUPERVISING_ROLES = frozenset({"admin", "supervisor"})


def supervises(user: User) -> bool:
    return bool(user.role_keys & SUPERVISING_ROLES)


def may_view_case(user: User, manifest: dict[str, Any]) -> bool:
    """Anyone holding a role of the case's preplan, and supervisors."""
    return supervises(user) or bool(user.role_keys & set(manifest.get("roles", {})))


def start_roles(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["start_roles"]) | SUPERVISING_ROLES


def may_start(user: User, manifest: dict[str, Any]) -> bool:
    return bool(user.role_keys & start_roles(manifest))
