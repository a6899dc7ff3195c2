"""Log in and out (Flask-Login); the logged-in person is an engine user with roles."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_required, login_user, logout_user

from engine.errors import NotFound
from engine.users import authenticate, get_user

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"


@dataclass
class WebUser(UserMixin):
    name: str
    roles: frozenset[str]

    def get_id(self) -> str:
        return self.name


def init_app(app) -> None:
    login_manager.init_app(app)


@login_manager.user_loader
def load_user(name: str) -> WebUser | None:
    with current_app.extensions["preplan"].db.read() as session:
        try:
            user = get_user(session, name)
        except NotFound:
            return None
        return WebUser(user.name, frozenset(user.role_keys))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        with current_app.extensions["preplan"].db.read() as session:
            user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                login_user(WebUser(user.name, frozenset(user.role_keys)))
                target = request.args.get("next", "")
                return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("index"))
        flash("用户名或密码不正确 / Wrong user name or password", "error")
    return render_template("login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
