"""Log in and out (Flask-Login). The logged-in person is an engine user; their roles decide what they see."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy.orm import Session

from engine.cases.ledgers import LEDGERS
from engine.errors import NotFound
from engine.people import access
from engine.people.users import authenticate, get_user
from engine.service import Engine
from engine.store.models import User

from .redirects import same_site

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@dataclass(frozen=True)
class WebUser(UserMixin):
    """The logged-in person as pages need them: name, roles, and what the engine's access rules let them do."""

    name: str
    roles: frozenset[str]
    generation: int
    supervises: bool
    is_admin: bool
    #: the preplans whose appraisal ledger the person may read (the nav shows its link to them only)
    ledgers: tuple[str, ...]

    def get_id(self) -> str:
        """What the session cookie holds: the user and the session generation it was opened in."""
        return f"{self.generation}:{self.name}"

    @classmethod
    def of(cls, user: User) -> WebUser:
        return cls(
            user.name,
            frozenset(user.role_keys),
            user.session_generation,
            access.supervises(user),
            access.is_admin(user),
            tuple(key for key, ledger in LEDGERS.items() if access.may_read_ledger(user, ledger.roles)),
        )


def engine() -> Engine:
    return current_app.extensions["preplan"]


def person(session: Session) -> User:
    """The engine's record of the logged-in user (roles as they are now, not as at login)."""
    try:
        return get_user(session, current_user.name)
    except NotFound:
        abort(403)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    """Checked on every request: a session opened before the user logged out (anywhere), was deactivated or got
    a new password or roles is no longer valid, even as a copied cookie."""
    generation, _, name = user_id.partition(":")
    with engine().db.read() as session:
        try:
            user = get_user(session, name)
        except NotFound:
            return None
        if str(user.session_generation) != generation:
            return None
        return WebUser.of(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "POST":
        with engine().db.read() as session:
            user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                login_user(WebUser.of(user))
                return redirect(same_site(request.args.get("next"), url_for("index")))
        flash(_("Wrong user name or password."), "error")
        return render_template("login.html"), 401
    return render_template("login.html")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    engine().end_sessions(current_user.name, user=current_user.name)
    logout_user()
    return redirect(url_for("auth.login"))
