"""Login attempts are limited per user name and per address (Flask-Limiter), counting only failed attempts.

Counters live in ``PREPLAN_RATELIMIT_STORAGE``: ``memory://`` (the default) is exact for one web process with
threads, which is how ``preplan serve`` runs unless told otherwise; several processes or machines share counters
through Redis (``redis://host:6379/0``), and ``preplan serve --workers N`` refuses to start several processes
on per-process memory.
"""

from __future__ import annotations

import math
import os
from typing import cast

from flask import Flask, Response, render_template, request
from flask.typing import ResponseReturnValue, RouteCallable
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

STORAGE = "PREPLAN_RATELIMIT_STORAGE"


def storage_uri() -> str:
    return os.environ.get(STORAGE, "memory://")


def _user_name() -> str:
    return "user:" + (request.form.get("username") or "").strip().casefold()[:80]


def _failed(response: Response) -> bool:
    return response.status_code == 401


def init_app(app: Flask) -> Limiter:
    """Limit ``auth.login`` (registered before this is called) and answer a breach with the login page."""
    per_user = os.environ.get("PREPLAN_LOGIN_LIMIT_USER", "5 per 15 minutes")
    per_address = os.environ.get("PREPLAN_LOGIN_LIMIT_ADDRESS", "30 per 15 minutes")
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(),
        headers_enabled=True,
        strategy="moving-window",
        key_prefix="preplan",
    )
    login = app.view_functions["auth.login"]
    per_user_limit = limiter.limit(per_user, key_func=_user_name, methods=["POST"], deduct_when=_failed)
    per_address_limit = limiter.limit(per_address, methods=["POST"], deduct_when=_failed)
    app.view_functions["auth.login"] = cast(RouteCallable, per_address_limit(per_user_limit(login)))
    app.register_error_handler(RateLimitExceeded, _too_many)
    return limiter


def _too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    minutes = max(1, math.ceil(error.limit.limit.get_expiry() / 60))
    message = _(
        "Too many failed logins for this user name or from this address. Try again in %(n)s minutes.", n=minutes
    )
    return render_template("login.html", refusal=message), 429, {"Retry-After": str(minutes * 60)}
