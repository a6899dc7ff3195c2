"""API tokens: a person makes one for a machine (shown once), lists and revokes theirs; the API authenticates a
bearer token to its user and scope. Only the sha256 of a secret is stored, so a copy of the database lends no
access; the short prefix lets a person tell their tokens apart."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine import clock, inputs
from engine.errors import NotFound, Unauthenticated, ValidationFailed, say
from engine.people import access
from engine.people.users import get_user
from engine.service.base import OPERATOR, ServiceBase
from engine.store import audit
from engine.store.models import ApiToken, User
from engine.timefmt import iso

#: How a token starts: recognisable in logs and by secret scanners.
TOKEN_MARK = "pp_"
#: How many characters of a token are kept in clear to recognise it.
PREFIX_LENGTH = 11
#: ``last_used_at`` is written at most this often per token, so reading through the API writes nothing mostly.
_USE_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class Bearer:
    """Who a valid token acts as, and whether it may change anything."""

    user: str
    read_only: bool
    token: int


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class TokenOperations(ServiceBase):
    def create_token(
        self,
        owner: str,
        *,
        label: str | None = None,
        read_only: bool = False,
        expires_at: datetime | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        """A new token for ``owner``; its secret is in the answer and nowhere else, ever."""
        label = inputs.optional_note(label, "label", say("a label"), limit=200) or ""
        if expires_at is not None and expires_at <= clock.now():
            raise ValidationFailed(say("the token would be expired already"), {"expires": say("must be in the future")})
        secret = TOKEN_MARK + secrets.token_urlsafe(32)
        with self.db.write() as session:
            person = get_user(session, owner)
            actor = self.acting(session, user, lambda u: access.require_self_or_admin(u, person.name), OPERATOR)
            row = ApiToken(
                user_id=person.id,
                label=label,
                prefix=secret[:PREFIX_LENGTH],
                secret_sha256=digest(secret),
                read_only=read_only,
                created_at=clock.now(),
                expires_at=expires_at,
            )
            session.add(row)
            session.flush()
            audit.record(session, None, actor, "token_created", user=person.name, token=row.id, read_only=read_only)
            return {**self._token_view(row, person), "token": secret}

    def list_tokens(self, owner: str, *, user: str | None = None) -> list[dict[str, Any]]:
        """The tokens of ``owner``, newest first, without their secrets."""
        with self.db.read() as session:
            person = get_user(session, owner)
            self.acting(session, user, lambda u: access.require_self_or_admin(u, person.name), OPERATOR)
            rows = session.scalars(select(ApiToken).where(ApiToken.user_id == person.id).order_by(ApiToken.id.desc()))
            return [self._token_view(row, person) for row in rows]

    def revoke_token(self, token_id: int | str, *, user: str | None = None) -> dict[str, Any]:
        """Revoke a token at once (a token revoked already stays as it was)."""
        token_id = inputs.record_id(token_id, "token")
        with self.db.write() as session:
            row = session.get(ApiToken, token_id, with_for_update=True)
            if row is None:
                raise NotFound(say("no API token %(token)s", token=token_id))
            actor = self.acting(session, user, lambda u: access.require_self_or_admin(u, row.user.name), OPERATOR)
            if row.revoked_at is None:
                row.revoked_at = clock.now()
                audit.record(session, None, actor, "token_revoked", user=row.user.name, token=row.id)
            return self._token_view(row, row.user)

    def authenticate_token(self, secret: str) -> Bearer:
        """The user a bearer token acts as; unknown, revoked or expired tokens and inactive users are refused
        alike, so a caller learns nothing about which it was."""
        refused = Unauthenticated(say("the API token is not valid (unknown, expired or revoked)"))
        if not secret.startswith(TOKEN_MARK) or len(secret) > 200:
            raise refused
        now = clock.now()
        with self.db.read() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == digest(secret)))
            if row is None or row.revoked_at is not None or not row.user.active:
                raise refused
            if row.expires_at is not None and row.expires_at <= now:
                raise refused
            bearer = Bearer(row.user.name, row.read_only, row.id)
            stale_use = row.last_used_at is None or now - row.last_used_at >= _USE_GRANULARITY
        if stale_use:
            with self.db.write() as session:
                session.get_one(ApiToken, bearer.token).last_used_at = now
        return bearer

    def _token_view(self, row: ApiToken, owner: User) -> dict[str, Any]:
        now = clock.now()
        return {
            "id": row.id,
            "user": owner.name,
            "label": row.label,
            "prefix": row.prefix,
            "read_only": row.read_only,
            "created_at": iso(row.created_at, self.tz),
            "expires_at": iso(row.expires_at, self.tz),
            "revoked_at": iso(row.revoked_at, self.tz),
            "last_used_at": iso(row.last_used_at, self.tz),
            "active": row.revoked_at is None and (row.expires_at is None or row.expires_at > now),
        }
