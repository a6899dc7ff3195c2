"""The thin Flask task-list UI. It calls ``engine`` for every rule and state change; it holds none itself."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter, Map

from engine.config import Settings, load_settings
from engine.inputs import MAX_NOTE
from engine.service import Engine
from engine.store.db import Database

from . import (
    admin,
    api,
    attachments,
    auth,
    cases,
    dashboard,
    errors,
    formatting,
    i18n,
    inbox,
    ledgers,
    limits,
    migrations,
    organisation,
    preplans,
    reports,
    security,
    studio,
    tasks,
    tokens,
    uploads,
    webhooks,
)

#: Largest request accepted (a form with its longest texts is far smaller); larger ones get a 413 page.
MAX_REQUEST_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.url_map.converters["id"] = _RecordId
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        TESTING=testing,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
    )
    app.extensions["preplan"] = Engine(Database(settings.database_url), settings)
    security.init_app(app)
    uploads.init_app(app)  # before CSRF protection reads the body
    CSRFProtect(app)
    i18n.init_app(app)
    formatting.init_app(app)
    auth.init_app(app)
    for blueprint in (
        auth.bp,
        i18n.bp,
        tasks.bp,
        cases.bp,
        inbox.bp,
        admin.bp,
        organisation.bp,
        preplans.bp,
        tokens.bp,
        webhooks.bp,
        attachments.bp,
        dashboard.bp,
        ledgers.bp,
        migrations.bp,
        studio.bp,
        reports.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)
    limits.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals.update(unread_count=inbox.unread_count, note_limit=MAX_NOTE)

    @app.get("/")
    def index() -> ResponseReturnValue:
        return redirect(url_for("tasks.my_tasks" if current_user.is_authenticated else "auth.login"))

    return app


class _RecordId(IntegerConverter):
    """``<id:…>``: a database id; anything that cannot be one (0, 20 digits) is simply not found."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def _secret_key(settings: Settings) -> str:
    """PREPLAN_SECRET_KEY, else a key kept in the instance folder (sessions survive restarts)."""
    if os.environ.get("PREPLAN_SECRET_KEY"):
        return os.environ["PREPLAN_SECRET_KEY"]
    path = Path(settings.instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
