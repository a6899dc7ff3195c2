"""Every refused request gets a page in the reader's language with the right 4xx status; nothing unexpected
shows a traceback (it is logged, and the reader gets a plain 500 page)."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .api import base as api

log = logging.getLogger(__name__)


def explanation(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Bad request"), _("The request could not be read. Go back, reload the page and try again.")),
        403: (_("Not allowed"), _("You may not see this page.")),
        404: (_("Not found"), _("There is nothing here, or you may not see it.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("Too large"), _("What you sent is larger than this site accepts. Shorten it and try again.")),
        500: (
            _("Something went wrong"),
            _(
                "The request failed on our side and nothing was changed. "
                "Try again; if it keeps failing, tell your administrator."
            ),
        ),
    }
    return texts.get(code, texts[400])


def page(code: int, detail: str | None = None) -> tuple[str, int]:
    title, text = explanation(code)
    return render_template("error.html", code=code, title=title, explanation=text, detail=detail), code


def _http(error: HTTPException) -> tuple[str, int] | Response:
    if api.is_api(request):  # an unknown path or method under the API: answered as the API answers
        return api.http_problem(error)
    code = error.code or 500
    if code >= 500:
        return page(500)
    return page(code if code in (403, 404, 405, 413) else 400)


def _csrf(error: CSRFError) -> tuple[str, int]:
    return page(400, _("The form expired or was sent from another site. Reload the page and send it again."))


def _unexpected(error: Exception) -> tuple[str, int]:
    original = getattr(error, "original_exception", None) or error
    log.error("request failed", exc_info=original)
    return page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(Exception, _unexpected)
