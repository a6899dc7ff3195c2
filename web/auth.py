"""Log in and out (Flask-Login). The logged-in person is an engine user; their roles decide what they see."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import User
from engine.runtime import Engine
from engine.users import authenticate, get_user

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@dataclass
class WebUser(UserMixin):
    name: str
    roles: frozenset[str]

    def get_id(self) -> str:
        return self.name

    @property
    def supervises(self) -> bool:
        return bool(self.roles & {"admin", "supervisor"})


def engine() -> Engine:
    return current_app.extensions["preplan"]


def person(session: Session) -> User:
    """The engine's record of the logged-in user (roles as they are now, not as at login)."""
    try:
        return get_user(session, current_user.name)
    except NotFound:
        abort(403)


def init_app(app) -> None:
    login_manager.init_app(app)


@login_manager.user_loader
def load_user(name: str) -> WebUser | None:
    with engine().db.read() as session:
        try:
            user = get_user(session, name)
        except NotFound:
            return None
        return WebUser(user.name, frozenset(user.role_keys))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        with engine().db.read() as session:
            user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                login_user(WebUser(user.name, frozenset(user.role_keys)))
                target = request.args.get("next", "")
                return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("index"))
        flash(_("Wrong user name or password."), "error")
        return render_template("login.html"), 401
    return render_template("login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
