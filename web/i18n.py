"""Languages: Simplified Chinese (default and fallback) and English, from the browser or the user's choice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale, gettext

from engine.errors import Text

from .redirects import same_site

LOCALES = ("zh_CN", "en")
COOKIE = "preplan_lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return "en" if best == "en" else "zh_CN"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_locale="zh_CN", default_timezone="Asia/Shanghai")
    app.jinja_env.globals.update(pick=pick, current_language=current_language)
    app.jinja_env.filters.update(localize=localize)


def current_language() -> str:
    return str(get_locale() or "zh_CN")


def localize(message: str) -> str:
    """An engine sentence in the reader's language: its template from the catalogue, its values filled in (values
    that are sentences themselves too)."""
    if not isinstance(message, Text):
        return message
    values = {name: localize(value) for name, value in message.values.items()}
    return gettext(message.template, **values) if values else gettext(message.template)


def pick(titles: dict[str, Any] | None, fallback: str = "") -> str:
    """The text for the current language from a ``{"zh": …, "en": …}`` pair (Chinese when missing)."""
    if not titles:
        return fallback
    language = "en" if current_language() == "en" else "zh"
    return titles.get(language) or titles.get("zh") or titles.get("en") or fallback


@bp.post("/language")
def switch() -> ResponseReturnValue:
    language = request.form.get("language")
    response = redirect(same_site(request.form.get("next"), url_for("index")))
    if language in LOCALES:
        response.set_cookie(
            COOKIE, language, max_age=365 * 86400, httponly=True, samesite="Lax", secure=request.is_secure
        )
    return response
